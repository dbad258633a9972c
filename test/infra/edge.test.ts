// The edge as deployed (issue 9): only CloudFront reaches the API (rule 37), per-client keys the client cannot
// write (rule 38), throttles and per-client limits from the capacity model (rule 39), WAF path rules on the
// normalised path (rule 45) and the SMS origination identity from deployment context.
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LimitGroup, routes } from '../../lambdas/routes.ts';
import { SITE_LIMIT_FACTOR } from '../../lambdas/rules/address-limit.ts';
import { originSecretNames } from '../../lib/origin-verify.ts';
// test/infra/api.test.ts checks that the stage carries methodThrottling; here, that the WAF limits fit under it.
import { methodThrottling, stageThrottling } from '../../lib/service-stack.ts';
import { viewerIpFunctionSource } from '../../lib/viewer-ip-function.ts';
import { rateLimits } from '../../lib/web-acl.ts';
import {
  buildTemplates,
  functionTemplates,
  logicalIdOf,
  prodContext,
  resourceOfConstruct,
  resourcesIn,
  resourcesOf,
  type Templates,
  templateOf,
} from './app-fixture.ts';

type Json = Record<string, any>;

let prod: Templates;
const smsContext = {
  smsOriginationNumber: '+59312345',
  smsSenderId: 'Produbanco',
  originSecretGeneration: '7',
};

beforeAll(() => {
  prod = buildTemplates({ ...prodContext, ...smsContext });
}, 120_000);

const webAcls = (template: Templates['service']) =>
  Object.values(resourcesOf(template, 'AWS::WAFv2::WebACL')).map((acl) => acl.Properties as Json);
const regionalAcl = () => webAcls(prod.service)[0] as Json;
const edgeAcl = () => webAcls(prod.edgeWaf as Templates['service'])[0] as Json;
const rule = (acl: Json, name: string) => (acl.Rules as Json[]).find((r) => r.Name === name) as Json;
const rateRules = (acl: Json) => (acl.Rules as Json[]).filter((r) => r.Statement.RateBasedStatement);

/** Every statement of a nested WAF statement tree. */
function statements(node: unknown): Json[] {
  if (Array.isArray(node)) return node.flatMap(statements);
  if (!node || typeof node !== 'object') return [];
  return [node as Json, ...Object.values(node).flatMap(statements)];
}

describe('only CloudFront reaches the API (rule 37)', () => {
  it('the origin secrets live in Secrets Manager, generated there, under their fixed names', () => {
    const secrets = Object.values(resourcesOf(prod.service, 'AWS::SecretsManager::Secret')).map(
      (secret) => secret.Properties as Json,
    );
    const names = originSecretNames('prod');
    for (const name of [names.current, names.previous]) {
      const secret = secrets.find((candidate) => candidate.Name === name);
      expect(secret?.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
      expect(secret).not.toHaveProperty('SecretString');
    }
  });

  it('CloudFront sends the current secret to the API origin as a dynamic reference, never the value', () => {
    const distribution = Object.values(resourcesOf(prod.web, 'AWS::CloudFront::Distribution'))[0]
      ?.Properties as Json;
    const origins = distribution.DistributionConfig.Origins as Json[];
    const api = origins.filter((origin) => origin.CustomOriginConfig);
    expect(api).toHaveLength(1);
    expect(api[0]?.OriginCustomHeaders).toEqual([
      {
        HeaderName: 'X-Origin-Verify',
        HeaderValue: `{{resolve:secretsmanager:${originSecretNames('prod').current}:SecretString}}`,
      },
    ]);
    expect(distribution.DistributionConfig.Comment).toContain('generation 7');
  });

  it('the regional ACL blocks first (403) any request without the current or previous secret and a viewer address', () => {
    const acl = regionalAcl();
    const origin = rule(acl, 'RequireCloudFrontOrigin');
    const names = originSecretNames('prod');

    expect(origin.Priority).toBeLessThan(
      Math.min(...(acl.Rules as Json[]).filter((r) => r !== origin && r.Priority > 0).map((r) => r.Priority)),
    );
    expect(origin.Action).toMatchObject({ Block: { CustomResponse: { ResponseCode: 403 } } });
    const inner = origin.Statement.NotStatement.Statement.AndStatement.Statements as Json[];
    const accepted = inner[0]?.OrStatement.Statements.map((s: Json) => s.ByteMatchStatement) as Json[];
    // By ARN (a Ref), so the secrets exist before the ACL resolves them (go-live review, finding 1).
    const byArn = (secret: IConstruct) => ({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: logicalIdOf(secret) }, ':SecretString}}']],
    });
    expect(accepted).toEqual([
      expect.objectContaining({
        FieldToMatch: { SingleHeader: { Name: 'x-origin-verify' } },
        PositionalConstraint: 'EXACTLY',
        SearchString: byArn(prod.built.service.originSecrets.current),
      }),
      expect.objectContaining({ SearchString: byArn(prod.built.service.originSecrets.previous) }),
    ]);
    expect(JSON.stringify(accepted)).not.toContain(names.current);
    // WAF skips a forwarded-IP rate rule when its header is missing: the origin rule makes that a 403.
    expect(inner.slice(1).map((s) => s.SizeConstraintStatement)).toEqual([
      expect.objectContaining({
        FieldToMatch: { SingleHeader: { Name: 'x-viewer-ip' } },
        ComparisonOperator: 'GT',
        Size: 0,
      }),
    ]);
    expect(acl.Description).toContain('generation 7');
  });

  it('the edge ACL has no origin rule (CloudFront is the entry)', () => {
    expect(rule(edgeAcl(), 'RequireCloudFrontOrigin')).toBeUndefined();
  });
});

describe('client addresses the client cannot forge (rule 38)', () => {
  it('no rule of either ACL reads X-Forwarded-For', () => {
    for (const acl of [regionalAcl(), edgeAcl()]) {
      expect(JSON.stringify(acl.Rules).toLowerCase()).not.toContain('x-forwarded-for');
    }
  });

  it("every regional rate rule keys on the function's bare viewer IP (failing closed), every edge one on the TCP address", () => {
    const regional = rateRules(regionalAcl());
    const edge = rateRules(edgeAcl());
    expect(regional.length).toBeGreaterThanOrEqual(3);
    for (const r of regional) {
      expect(r.Statement.RateBasedStatement).toMatchObject({
        AggregateKeyType: 'FORWARDED_IP',
        ForwardedIPConfig: {
          HeaderName: String(r.Name).endsWith('Per48') ? 'x-viewer-net48' : 'x-viewer-ip',
          FallbackBehavior: 'MATCH',
        },
      });
    }
    // CloudFront-Viewer-Address is `ip:port`: no rate rule of either ACL may key on it.
    for (const r of [...regional, ...edge]) {
      expect(JSON.stringify(r.Statement).toLowerCase()).not.toContain('cloudfront-viewer-address');
    }
    // The edge ACL counts per address (it has no /48 header: the viewer-request function runs after it).
    expect(edge.map((r) => r.Name).sort()).toEqual(
      regional
        .map((r) => r.Name as string)
        .filter((name) => !name.endsWith('Per48'))
        .sort(),
    );
    for (const r of edge) {
      expect(r.Statement.RateBasedStatement.AggregateKeyType).toBe('IP');
      expect(r.Statement.RateBasedStatement).not.toHaveProperty('ForwardedIPConfig');
    }
  });

  const distributionConfig = () =>
    (Object.values(resourcesOf(prod.web, 'AWS::CloudFront::Distribution'))[0]?.Properties as Json)
      ?.DistributionConfig as Json;
  const apiBehavior = () =>
    (distributionConfig().CacheBehaviors as Json[]).find((b) => b.PathPattern === '/v1/*') as Json;

  it('CloudFront forwards every viewer header but Host to the API (AllViewerExceptHostHeader)', () => {
    // The managed policy's id: every viewer header, so the one the viewer-request function set too.
    expect(apiBehavior().OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
  });

  it('a cloudfront-js-2.0 function sets the viewer IP on every /v1/* viewer request, and only there', () => {
    const functions = Object.entries(resourcesOf(prod.web, 'AWS::CloudFront::Function'));
    expect(functions).toHaveLength(1);
    const [functionId, fn] = functions[0] as [string, { Properties: Json }];
    expect(fn.Properties).toMatchObject({
      AutoPublish: true,
      FunctionCode: viewerIpFunctionSource,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
    });
    expect(apiBehavior().FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
    // The wizard's static files need no client address.
    expect(distributionConfig().DefaultCacheBehavior).not.toHaveProperty('FunctionAssociations');
  });
});

describe('third audit, finding 17: a second bucket per IPv6 /48 (rule 66)', () => {
  it('the identify, sign-in and OTP rules have a twin keyed on the /48 header, same scope, SITE_LIMIT_FACTOR times the limit', () => {
    const rules = rateRules(regionalAcl());
    const perClient = rules.filter((r) =>
      ['RateLimitIdentify', 'RateLimitSignIn', 'RateLimitOtp'].includes(String(r.Name)),
    );
    expect(perClient).toHaveLength(3);
    expect(rules.filter((r) => String(r.Name).endsWith('Per48'))).toHaveLength(3);
    for (const rule of perClient) {
      const twin = rules.find((r) => r.Name === `${rule.Name}Per48`);
      expect(twin, `${rule.Name}Per48`).toBeDefined();
      const { RateBasedStatement: own } = rule.Statement;
      const { RateBasedStatement: site } = twin?.Statement ?? {};
      expect(site.Limit).toBe(own.Limit * SITE_LIMIT_FACTOR);
      expect(site.EvaluationWindowSec).toBe(own.EvaluationWindowSec);
      expect(site.ScopeDownStatement).toEqual(own.ScopeDownStatement);
      expect(site.ForwardedIPConfig).toEqual({ HeaderName: 'x-viewer-net48', FallbackBehavior: 'MATCH' });
      expect(twin?.Action).toEqual(rule.Action);
    }
    expect(SITE_LIMIT_FACTOR).toBe(5);
  });
});

describe('throttles from the capacity model (rule 39)', () => {
  const groupOf: Record<string, LimitGroup> = {
    RateLimitIdentify: 'identify',
    RateLimitIdentifyPer48: 'identify',
    RateLimitSignIn: 'sign-in',
    RateLimitSignInPer48: 'sign-in',
    RateLimitSignInSteps: 'sign-in-step',
    RateLimitOtp: 'otp',
    RateLimitOtpPer48: 'otp',
  };

  it('every rate rule but the catch-all is scoped to one limit group, and each group with a rule is named here', () => {
    const names = rateRules(regionalAcl()).map((r) => r.Name as string);
    // A new scoped rule must be added to groupOf, or the share check below would judge it as the catch-all.
    expect(names.filter((name) => !name.startsWith('RateLimitAll')).sort()).toEqual(
      Object.keys(groupOf).sort(),
    );
  });

  it('each per-client limit, per second, stays a small fraction of the throttle it protects', () => {
    for (const r of rateRules(regionalAcl())) {
      const { Limit, EvaluationWindowSec } = r.Statement.RateBasedStatement;
      const perSecond = Limit / EvaluationWindowSec;
      const group = groupOf[r.Name];
      // A scoped rule protects its group's method; the catch-all protects the smallest throttle it covers.
      const throttle = group
        ? methodThrottling[group].rateLimit
        : Math.min(...routes.map((route) => methodThrottling[route.limitGroup].rateLimit));
      // A /48 rule stands for up to SITE_LIMIT_FACTOR clients, and gets that many clients' share.
      const clients = String(r.Name).endsWith('Per48') ? SITE_LIMIT_FACTOR : 1;
      expect(perSecond, r.Name).toBeLessThanOrEqual(throttle * (group ? 0.01 : 0.1) * clients);
    }
    const identifyPerSecond = rateLimits.identify.limit / rateLimits.identify.windowSeconds;
    expect(identifyPerSecond).toBeLessThanOrEqual(methodThrottling.identify.rateLimit / 100);
    // Every method at its throttle fits inside the stage's.
    expect(stageThrottling.rateLimit).toBeGreaterThanOrEqual(
      methodThrottling.identify.rateLimit + methodThrottling.otp.rateLimit,
    );
  });
});

// AWS WAF's text transformations, as its documentation defines them, applied in priority order.
const transformations: Record<string, (text: string) => string> = {
  NONE: (text) => text,
  URL_DECODE: (text) =>
    text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
  // Repeated slashes become one; `/./` is dropped; `/x/../` goes, except at the start of the input.
  NORMALIZE_PATH: (text) => {
    let path = text.replace(/\/{2,}/g, '/').replace(/\/\.(?=\/|$)/g, '');
    for (let previous = ''; previous !== path; ) {
      previous = path;
      path = path.replace(/(?!^)\/[^/]+\/\.\.(?=\/|$)/, '');
    }
    return path || '/';
  },
  LOWERCASE: (text) => text.toLowerCase(),
};

function wafMatches(statement: Json, path: string): boolean {
  const steps = [...(statement.TextTransformations as Json[])].sort((a, b) => a.Priority - b.Priority);
  const seen = steps.reduce((text, step) => {
    const transform = transformations[step.Type as string];
    if (!transform) throw new Error(`no evaluator for ${step.Type}`);
    return transform(text);
  }, path);
  return new RegExp(statement.RegexString).test(seen);
}

describe('WAF path rules match the normalised path (rule 45)', () => {
  const regexOf = (acl: Json, name: string) =>
    statements(rule(acl, name).Statement).find((s) => s.RegexMatchStatement)?.RegexMatchStatement as Json;

  it('every path regex of both ACLs decodes, normalises and lower-cases the path first', () => {
    for (const acl of [regionalAcl(), edgeAcl()]) {
      const regexes = statements(acl.Rules).filter((s) => s.RegexMatchStatement);
      expect(regexes.length).toBeGreaterThanOrEqual(2);
      for (const { RegexMatchStatement } of regexes) {
        expect(RegexMatchStatement.TextTransformations).toEqual([
          { Priority: 0, Type: 'URL_DECODE' },
          { Priority: 1, Type: 'NORMALIZE_PATH' },
          { Priority: 2, Type: 'LOWERCASE' },
        ]);
      }
    }
  });

  it.each([
    '/v1/registrations',
    '/prod/v1/registrations',
    '/v1//registrations',
    '//v1///registrations//',
    '/v1%2Fregistrations',
    '/v1%2fregistrations',
    '/V1/Registrations',
    '/v1/./registrations',
    '/v1/x/../registrations',
    '/PROD//V1%2FREGISTRATIONS/',
  ])('the identify rule catches %s', (path) => {
    for (const acl of [regionalAcl(), edgeAcl()]) {
      expect(wafMatches(regexOf(acl, 'RateLimitIdentify'), path)).toBe(true);
    }
  });

  it.each([
    '/v1/registrations/0b7c/otp',
    '/v1/registrations//0b7c//otp',
    '/v1/registrations%2F0b7c%2Fotp%2Fverify',
    '/prod/V1/REGISTRATIONS/0b7c/OTP/Verify',
  ])('the OTP rule catches %s', (path) => {
    expect(wafMatches(regexOf(regionalAcl(), 'RateLimitOtp'), path)).toBe(true);
  });

  it('the evaluator is strict: raw matching misses the variants, other routes stay out', () => {
    const identify = regexOf(regionalAcl(), 'RateLimitIdentify');
    const raw = { ...identify, TextTransformations: [{ Priority: 0, Type: 'NONE' }] };
    expect(wafMatches(raw, '/v1//registrations')).toBe(false);
    expect(wafMatches(raw, '/v1%2Fregistrations')).toBe(false);
    expect(wafMatches(identify, '/v1/registrations/0b7c/username')).toBe(false);
    expect(wafMatches(identify, '/v1/registrations-x')).toBe(false);
  });
});

describe('SMS origination identity from deployment context', () => {
  it('reaches the SMS senders (registration, token-activation and recovery codes, the held reset notice), and only them, as environment', () => {
    const functions = [prod.service, ...functionTemplates(prod)].flatMap((template) =>
      Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((fn) => fn.Properties as Json),
    );
    const senderNames = routes.filter((route) => route.needs.sms).map((route) => route.handler);
    expect(senderNames).toEqual([
      'send-otp',
      'send-token-activation-code',
      'send-recovery-otp',
      'reset-password',
    ]);
    const senders = functions.filter((fn) =>
      senderNames.some((name) => fn.Description === `Self-registration: ${name}`),
    );
    expect(senders).toHaveLength(4);
    for (const sender of senders) {
      expect(sender.Environment.Variables).toMatchObject({
        SMS_ORIGINATION_NUMBER: '+59312345',
        SMS_SENDER_ID: 'Produbanco',
      });
    }
    const others = functions.filter(
      (fn) => !senders.includes(fn) && fn.Environment?.Variables?.SMS_SENDER_ID,
    );
    expect(others).toEqual([]);
  });
});

describe('no stranded completion email (rule 43)', () => {
  const sweepFunction = () => {
    const fn = prod.built.service.functions['sweep-outbox'];
    expect(fn).toBeDefined();
    return fn as NonNullable<typeof fn>;
  };

  it('an EventBridge schedule runs the sweep every 5 minutes', () => {
    // The schedule is in the sweep's own (Messaging) stack, with the function and its permission.
    const template = templateOf(sweepFunction());
    const rules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).map((r) => r.Properties as Json);
    // The schedule invokes the live alias, so CodeDeploy shifts the sweep like every other function.
    const aliasId = logicalIdOf(sweepFunction().alias);
    const schedule = rules.find((r) => JSON.stringify(r.Targets).includes(aliasId));
    expect(schedule).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    // Two schedules in all: this sweep's, and the held-reset sweep's (rule 54).
    expect(
      Object.values(resourcesIn([prod.service, ...functionTemplates(prod)], 'AWS::Events::Rule')).filter(
        (r) => (r.Properties as Json).ScheduleExpression !== undefined,
      ),
    ).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { Ref: aliasId },
    });
  });

  it('the sweep may scan and update the outbox, read customers and send email, nothing more', () => {
    const policy = sweepFunction().role.node.findChild('DefaultPolicy');
    const statements = (resourceOfConstruct(policy).Properties.PolicyDocument.Statement ?? []) as Json[];
    const actions = statements.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
    expect(actions).toContain('dynamodb:Scan');
    expect(actions).toContain('ses:SendEmail');
    const scan = statements.find((st) => JSON.stringify(st.Action).includes('dynamodb:Scan'));
    const outboxId = prod.built.data.getLogicalId(prod.built.data.tables.outbox.node.defaultChild as never);
    expect(JSON.stringify(scan?.Resource)).toContain(outboxId);
    expect(actions).not.toContain('sns:Publish');
    const env = (resourceOfConstruct(sweepFunction().function).Properties as Json).Environment.Variables;
    expect(env.METRICS_NAMESPACE).toBe('SelfRegistration/prod');
  });

  it('an alarm fires when the oldest unsent email is older than 15 minutes, or the sweep stops reporting', () => {
    const alarm = prod.built.service.observability.alarms.OutboxStranded;
    expect(alarm).toBeDefined();
    const properties = resourceOfConstruct(alarm as never).Properties as Json;
    expect(properties).toMatchObject({
      MetricName: 'OldestUnsentEmailAgeSeconds',
      Namespace: 'SelfRegistration/prod',
      Statistic: 'Maximum',
      Threshold: 900,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(properties.AlarmActions).toHaveLength(1);
  });
});
