// One WAFv2 web ACL shape for both entry points (CloudFront in us-east-1, the regional API): AWS managed
// rules plus per-IP rate rules whose scope comes from the route table's limit groups.
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { type LimitGroup, type Route, routes } from '../lambdas/routes.ts';

export type WebAclScope = 'REGIONAL' | 'CLOUDFRONT';

/** Requests per client address per window; identify mirrors IDENTIFY_MAX_PER_IP_PER_MINUTE of the code. */
export const rateLimits = {
  identify: { limit: 10, windowSeconds: 60 },
  otp: { limit: 10, windowSeconds: 60 },
  all: { limit: 600, windowSeconds: 300 },
  /** Regional only: by source address, which behind CloudFront is an edge node shared by many viewers. */
  sourceFlood: { limit: 5000, windowSeconds: 300 },
} as const;

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

/** Request headers WAF logs never show: the bearer token and any cookie. */
export const redactedHeaders = ['authorization', 'cookie'] as const;

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
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
      ],
    },
  };
}

export interface ServiceWebAclProps {
  scope: WebAclScope;
  /** Prefix of CloudWatch metric names, e.g. SelfRegistrationProdApi. */
  metricPrefix: string;
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
    // CloudFront hands WAF the viewer's address; behind CloudFront the regional ACL sees an edge node, so it
    // keys on the first X-Forwarded-For address and blocks a request whose header holds no valid address.
    const perClient: Pick<CfnWebACL.RateBasedStatementProperty, 'aggregateKeyType' | 'forwardedIpConfig'> =
      regional
        ? {
            aggregateKeyType: 'FORWARDED_IP',
            forwardedIpConfig: { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' },
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

    const rules: CfnWebACL.RuleProperty[] = [
      rateRule('RateLimitIdentify', 10, rateLimits.identify, {
        ...perClient,
        scopeDownStatement: routeGroupStatement('identify'),
      }),
      rateRule('RateLimitOtp', 20, rateLimits.otp, {
        ...perClient,
        scopeDownStatement: routeGroupStatement('otp'),
      }),
      rateRule('RateLimitAll', 30, rateLimits.all, perClient),
      ...(regional
        ? [rateRule('RateLimitSourceFlood', 40, rateLimits.sourceFlood, { aggregateKeyType: 'IP' })]
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
      description: `Self-registration ${regional ? 'API' : 'CloudFront'}: managed rules and per-client rate limits`,
      customResponseBodies: {
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

    // WAF writes only to log groups named aws-waf-logs-*; authorization and cookies are redacted.
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
