// One WAFv2 web ACL shape for both entry points (CloudFront in us-east-1, the regional API): AWS managed
// rules plus per-client rate rules whose scope comes from the route table's limit groups. The regional one
// also refuses any request that does not carry CloudFront's origin secret (rule 37).
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { type LimitGroup, type Route, routes } from '../lambdas/routes.ts';
import { SITE_LIMIT_FACTOR } from '../lambdas/rules/address-limit.ts';
import { originVerifyHeader } from './origin-verify.ts';
import { viewerIpHeader, viewerSiteHeader } from './viewer-ip-function.ts';

export type WebAclScope = 'REGIONAL' | 'CLOUDFRONT';

/**
 * Requests per client address per window (WAF counts over the trailing window, checked every few seconds).
 * Sized in docs/CAPACITY.md: each stays a small fraction of its method's throttle (rule 39). identify mirrors
 * IDENTIFY_MAX_PER_IP_PER_MINUTE of the code.
 */
export const rateLimits = {
  identify: { limit: 10, windowSeconds: 60 },
  /** Mirrors SIGN_IN_MAX_PER_IP_PER_MINUTE of the code, on POST /v1/sign-ins. */
  signIn: { limit: 20, windowSeconds: 60 },
  /**
   * S2 and S3 per address: coarse abuse control sized for a carrier's CGNAT address shared by many
   * customers (docs/CAPACITY.md, "Sign-in"); guessing is stopped per account by the password and token locks.
   */
  signInStep: { limit: 150, windowSeconds: 300 },
  otp: { limit: 10, windowSeconds: 60 },
  all: { limit: 300, windowSeconds: 300 },
} as const;

/**
 * How WAF reads the request path before a route regex sees it (rule 45): decoded (`%2F` is `/`), repeated
 * slashes and dot segments collapsed, lower case. Route paths are lower case, so the regexes match the result.
 */
export const pathTransformations: CfnWebACL.TextTransformationProperty[] = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
  { priority: 2, type: 'LOWERCASE' },
];

export const managedRuleGroups = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAnonymousIpList',
] as const;

/**
 * Static versions the managed groups are pinned to, so AWS cannot change what blocks a customer between
 * two deploys; upgrade deliberately (docs/DEPLOYMENT.md). The IP-list groups have no versions: their lists
 * change continuously by design.
 */
export const managedRuleGroupVersions: Partial<Record<(typeof managedRuleGroups)[number], string>> = {
  AWSManagedRulesCommonRuleSet: 'Version_1.19',
};

/**
 * Request headers WAF logs never show: the bearer token, any cookie, and the origin-verify secret that
 * CloudFront adds on its way to the API (logged, it would let anyone who reads the logs skip CloudFront).
 */
export const redactedHeaders = ['authorization', 'cookie', originVerifyHeader.toLowerCase()] as const;

/** A route path as a regex; an optional leading segment is the API Gateway stage the regional ACL sees. */
export function pathRegex(paths: readonly string[]): string {
  const alternatives = paths.map((path) =>
    path
      .split('/')
      .map((segment) => (/^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
      .join('/'),
  );
  return `^(?:/[A-Za-z0-9_-]+)?(?:${alternatives.join('|')})/?$`;
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

function routeGroupStatement(
  group: LimitGroup,
  selected: readonly Route[] = routes,
): CfnWebACL.StatementProperty {
  const members = selected.filter((route) => route.limitGroup === group);
  const methods = [...new Set(members.map((route) => route.method))];
  if (members.length === 0 || methods.length !== 1) {
    throw new Error(
      `Rate rule for limit group "${group}" expects routes of one method, got ${methods.join(', ')}`,
    );
  }
  return {
    andStatement: {
      statements: [
        {
          byteMatchStatement: {
            fieldToMatch: { method: {} },
            positionalConstraint: 'EXACTLY',
            searchString: methods[0] as string,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        {
          regexMatchStatement: {
            fieldToMatch: { uriPath: {} },
            regexString: pathRegex(members.map((route) => route.path)),
            textTransformations: pathTransformations,
          },
        },
      ],
    },
  };
}

/**
 * Blocks, before every other rule, a request whose origin header is neither the current nor the previous
 * secret, or that lacks CloudFront's viewer address or the viewer IP its function sets: only CloudFront can
 * have sent it (rules 37, 38). WAF skips a forwarded-IP rate rule entirely when its header is missing, so
 * without this a request that somehow lacked the function's header would have no per-client limit at all.
 */
function originRule(
  origin: NonNullable<ServiceWebAclProps['originVerify']>,
  metricName: string,
): CfnWebACL.RuleProperty {
  // singleHeader is untyped JSON in the L1 construct: CloudFormation's own key spelling (Name) is needed.
  const header = (name: string) => ({ singleHeader: { Name: name.toLowerCase() } });
  return {
    name: 'RequireCloudFrontOrigin',
    priority: 1,
    action: {
      block: {
        customResponse: {
          responseCode: 403,
          customResponseBodyKey: 'forbidden',
          responseHeaders: [{ name: 'Cache-Control', value: 'no-store' }],
        },
      },
    },
    statement: {
      notStatement: {
        statement: {
          andStatement: {
            statements: [
              {
                orStatement: {
                  statements: origin.acceptedValues.map((value) => ({
                    byteMatchStatement: {
                      fieldToMatch: header(origin.headerName),
                      positionalConstraint: 'EXACTLY',
                      searchString: value,
                      textTransformations: [{ priority: 0, type: 'NONE' }],
                    },
                  })),
                },
              },
              {
                sizeConstraintStatement: {
                  fieldToMatch: header(viewerIpHeader),
                  comparisonOperator: 'GT',
                  size: 0,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
          },
        },
      },
    },
    visibilityConfig: visibility(metricName),
  };
}

export interface ServiceWebAclProps {
  scope: WebAclScope;
  /** Prefix of CloudWatch metric names, e.g. SelfRegistrationProdApi. */
  metricPrefix: string;
  /** Regional only: the origin header and the values (dynamic references) it may carry: current and previous. */
  originVerify?: { headerName: string; acceptedValues: string[] };
  /** Changes the ACL's description, so CloudFormation updates it and resolves the secrets again (a rotation). */
  originSecretGeneration?: string;
  /** Retention of the WAF request logs (default one year). */
  logRetention?: RetentionDays;
  logRemovalPolicy?: RemovalPolicy;
}

export class ServiceWebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  /** CloudWatch metric names (the WAF metric dimensions WebACL and Rule) of the ACL and its rate rules. */
  readonly metricName: string;
  readonly rateRuleMetricNames: string[];
  readonly logGroup: LogGroup;
  readonly logging: CfnLoggingConfiguration;

  constructor(scope: Construct, id: string, props: ServiceWebAclProps) {
    super(scope, id);
    const regional = props.scope === 'REGIONAL';
    if (regional !== (props.originVerify !== undefined)) {
      throw new Error('The regional web ACL, and only it, checks the origin secret');
    }
    // CloudFront hands its ACL the viewer's TCP address. Behind CloudFront the regional ACL sees an edge node and
    // X-Forwarded-For starts with whatever the client wrote, so it keys on the header CloudFront's viewer-request
    // function overwrites with the viewer's bare IP (lib/viewer-ip-function.ts). Not CloudFront-Viewer-Address:
    // it is `ip:port`, and nothing documents that WAF drops the port, which would make every request a
    // fallback or every connection its own key. Fallback MATCH fails closed: a value WAF cannot read as an
    // address means the function or CloudFront changed, and counting such requests as over the limit (429,
    // visible on the RateLimited alarm) beats NO_MATCH, which would exempt them from every per-client limit.
    // A request without the header never gets this far (the origin rule below blocks it).
    const perClient: Pick<CfnWebACL.RateBasedStatementProperty, 'aggregateKeyType' | 'forwardedIpConfig'> =
      regional
        ? {
            aggregateKeyType: 'FORWARDED_IP',
            forwardedIpConfig: { headerName: viewerIpHeader, fallbackBehavior: 'MATCH' },
          }
        : { aggregateKeyType: 'IP' };
    const tooMany: CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: 'rateLimited',
          responseHeaders: [
            { name: 'Retry-After', value: '60' },
            { name: 'Cache-Control', value: 'no-store' },
          ],
        },
      },
    };
    const rateRule = (
      name: string,
      priority: number,
      { limit, windowSeconds }: { limit: number; windowSeconds: number },
      statement: Partial<CfnWebACL.RateBasedStatementProperty>,
    ): CfnWebACL.RuleProperty => ({
      name,
      priority,
      action: tooMany,
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: windowSeconds,
          aggregateKeyType: 'IP',
          ...statement,
        },
      },
      visibilityConfig: visibility(`${props.metricPrefix}${name}`),
    });

    // Behind CloudFront, the rules of the limits the code also keeps (identify, sign-in) and of the SMS sends
    // have a twin per IPv6 /48 with SITE_LIMIT_FACTOR times the limit (rule 66), keyed on the /48 header the
    // same function writes: one allocation is not 65,536 clients. (The RateLimited alarm sums every rate
    // rule and the code's 429s, and an alarm holds at most ten metrics: the S2/S3 and catch-all rules, sized
    // for shared carrier addresses, have none.) The CloudFront ACL sees only the viewer's own address and
    // counts per address (docs/CAPACITY.md).
    const perSite: typeof perClient = {
      aggregateKeyType: 'FORWARDED_IP',
      forwardedIpConfig: { headerName: viewerSiteHeader, fallbackBehavior: 'MATCH' },
    };
    type ClientRule = [
      string,
      number,
      { limit: number; windowSeconds: number },
      LimitGroup | undefined,
      boolean,
    ];
    const clientRules: ClientRule[] = [
      ['RateLimitIdentify', 10, rateLimits.identify, 'identify', true],
      ['RateLimitSignIn', 15, rateLimits.signIn, 'sign-in', true],
      ['RateLimitSignInSteps', 17, rateLimits.signInStep, 'sign-in-step', false],
      ['RateLimitOtp', 20, rateLimits.otp, 'otp', true],
      ['RateLimitAll', 30, rateLimits.all, undefined, false],
    ];
    const rules: CfnWebACL.RuleProperty[] = [
      ...clientRules.flatMap(([name, priority, limits, group, per48]) => {
        const scopeDown = group ? { scopeDownStatement: routeGroupStatement(group) } : {};
        return [
          rateRule(name, priority, limits, { ...perClient, ...scopeDown }),
          ...(regional && per48
            ? [
                rateRule(
                  `${name}Per48`,
                  priority + 1,
                  { ...limits, limit: limits.limit * SITE_LIMIT_FACTOR },
                  { ...perSite, ...scopeDown },
                ),
              ]
            : []),
        ];
      }),
      ...(props.originVerify
        ? [originRule(props.originVerify, `${props.metricPrefix}RequireCloudFrontOrigin`)]
        : []),
      ...managedRuleGroups.map(
        (name, index): CfnWebACL.RuleProperty => ({
          name,
          priority: index === 0 ? 0 : 50 + index * 10,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              version: managedRuleGroupVersions[name],
              // Behind CloudFront the regional ACL sees edge addresses, which are hosting-provider addresses:
              // that rule only counts there. The CloudFront ACL sees the viewer and blocks.
              ruleActionOverrides:
                regional && name === 'AWSManagedRulesAnonymousIpList'
                  ? [{ name: 'HostingProviderIPList', actionToUse: { count: {} } }]
                  : undefined,
            },
          },
          visibilityConfig: visibility(`${props.metricPrefix}${name}`),
        }),
      ),
    ];

    this.metricName = `${props.metricPrefix}WebAcl`;
    this.rateRuleMetricNames = rules
      .filter((rule) => rule.name.startsWith('RateLimit'))
      .map((rule) => `${props.metricPrefix}${rule.name}`);
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: props.scope,
      defaultAction: { allow: {} },
      description: `Self-registration ${regional ? 'API' : 'CloudFront'}: managed rules and per-client rate limits${
        props.originSecretGeneration ? `, origin secret generation ${props.originSecretGeneration}` : ''
      }`,
      customResponseBodies: {
        forbidden: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'about:blank',
            title: 'Forbidden',
            status: 403,
            code: 'forbidden',
            detail: 'La solicitud no llegó por el canal autorizado de Produbanco.',
          }),
        },
        rateLimited: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'about:blank',
            title: 'Too Many Requests',
            status: 429,
            code: 'rate_limited',
            detail: 'Demasiados intentos. Espere un momento y vuelva a intentarlo.',
          }),
        },
      },
      rules: rules.sort((a, b) => a.priority - b.priority),
      visibilityConfig: visibility(this.metricName),
    });

    // WAF writes only to log groups named aws-waf-logs-*; the redacted headers never reach them.
    const logGroupName = `aws-waf-logs-${props.metricPrefix}`;
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      // singleHeader's value is untyped JSON in aws-cdk-lib, so its key is written as CloudFormation spells it.
      redactedFields: redactedHeaders.map((name) => ({ singleHeader: { Name: name } })),
    });
    this.logging.node.addDependency(this.logGroup);
  }
}
