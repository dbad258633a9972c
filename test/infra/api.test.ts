// The regional REST API: exactly the route table, request validation, throttling, JSON access logs, TLS,
// no CORS, and the regional WAF with its rate rules.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.ts';
import type { SelfRegistrationApp } from '../../lib/app.ts';
import { methodThrottling, stageThrottling } from '../../lib/service-stack.ts';
import { managedRuleGroups, pathRegex, rateLimits } from '../../lib/web-acl.ts';
import { buildTemplates, devContext, resourcesOf } from './app-fixture.ts';

interface Rule {
  Name: string;
  Statement: Record<string, Record<string, unknown>>;
  Action?: unknown;
}

describe('API (dev)', () => {
  let template: Template;
  let built: SelfRegistrationApp;

  beforeAll(() => {
    // Prepare
    ({ service: template, built } = buildTemplates(devContext));
  });

  /** Full path of every API Gateway resource, from the parent chain in the template. */
  const methodsInTemplate = (): string[] => {
    const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
    const pathOf = (logicalId: string): string => {
      const resource = resources[logicalId]?.Properties as
        | { ParentId: { Ref?: string }; PathPart: string }
        | undefined;
      if (!resource) return '';
      return `${resource.ParentId.Ref ? pathOf(resource.ParentId.Ref) : ''}/${resource.PathPart}`;
    };
    return Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map((method) => {
      const properties = method.Properties as { HttpMethod: string; ResourceId: { Ref?: string } };
      return `${properties.HttpMethod} ${properties.ResourceId.Ref ? pathOf(properties.ResourceId.Ref) : '/'}`;
    });
  };

  it('has exactly the methods of the route table: no extra, no missing, no /_local, no CORS preflight', () => {
    // Act
    const methods = methodsInTemplate();

    // Assess
    expect(new Set(methods)).toEqual(new Set(routes.map((route) => `${route.method} ${route.path}`)));
    expect(methods).toHaveLength(routes.length);
    expect(methods.join('\n')).not.toContain('_local');
    expect(methods.some((method) => method.startsWith('OPTIONS'))).toBe(false);
    expect(JSON.stringify(template.toJSON())).not.toContain('Access-Control-Allow-Origin');
  });

  it('is a regional API with TLS 1.2+ enforced on its endpoint', () => {
    // Act + Assess
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
  });

  it('validates a JSON object body on every route with a body, and no body elsewhere', () => {
    // Prepare
    const validators = resourcesOf(template, 'AWS::ApiGateway::RequestValidator');
    const bodyValidatorId = Object.entries(validators).find(
      ([, validator]) => (validator.Properties as { ValidateRequestBody: boolean }).ValidateRequestBody,
    )?.[0];

    // Act
    const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map(
      (method) =>
        method.Properties as {
          HttpMethod: string;
          RequestValidatorId?: { Ref: string };
          RequestModels?: unknown;
        },
    );

    // Assess
    expect(methods.filter((method) => method.RequestValidatorId?.Ref === bodyValidatorId)).toHaveLength(
      routes.filter((route) => route.body).length,
    );
    for (const method of methods) {
      const validatesBody = method.RequestValidatorId?.Ref === bodyValidatorId;
      expect(method.RequestModels !== undefined).toBe(validatesBody);
    }
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({ type: 'object' }),
    });
  });

  it('throttles every method far below the account default, tighter on identify and OTP', () => {
    // Act
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0]?.Properties as {
      MethodSettings: {
        ResourcePath: string;
        HttpMethod: string;
        ThrottlingRateLimit?: number;
        ThrottlingBurstLimit?: number;
      }[];
    };

    // Assess
    for (const route of routes) {
      const encodedPath = `/${route.path.replaceAll('/', '~1')}`;
      const setting = stage.MethodSettings.find(
        (candidate) => candidate.ResourcePath === encodedPath && candidate.HttpMethod === route.method,
      );
      expect(setting, `${route.method} ${route.path}`).toMatchObject({
        ThrottlingRateLimit: methodThrottling[route.limitGroup].rateLimit,
        ThrottlingBurstLimit: methodThrottling[route.limitGroup].burstLimit,
      });
      expect(setting?.ThrottlingRateLimit).toBeLessThanOrEqual(stageThrottling.rateLimit);
    }
    expect(methodThrottling.identify.rateLimit).toBeLessThan(methodThrottling.wizard.rateLimit);
    expect(methodThrottling.otp.rateLimit).toBeLessThan(methodThrottling.wizard.rateLimit);
    expect(stageThrottling.rateLimit).toBeLessThan(10_000 / 10);
  });

  it('logs access in JSON to CloudWatch, execution errors, traces, and never request bodies', () => {
    // Act
    const stage = Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0]?.Properties as {
      AccessLogSetting: { DestinationArn: unknown; Format: string };
      MethodSettings: { ResourcePath: string; LoggingLevel?: string; DataTraceEnabled?: boolean }[];
      TracingEnabled: boolean;
    };

    // Assess
    expect(JSON.parse(stage.AccessLogSetting.Format)).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      status: '$context.status',
      wafStatus: '$context.wafResponseCode',
    });
    // The log group's ARN without the trailing ':*' (feature flag logGroupDestinationArnWithoutWildcard).
    const destination = JSON.stringify(stage.AccessLogSetting.DestinationArn);
    expect(destination).toMatch(/":log-group:",\{"Ref":"ApiAccessLogs[0-9A-F]+"\}\]/);
    expect(destination).not.toContain(':*');
    expect(stage.TracingEnabled).toBe(true);
    const all = stage.MethodSettings.find((setting) => setting.ResourcePath === '/*');
    expect(all).toMatchObject({ LoggingLevel: 'ERROR', DataTraceEnabled: false });
  });

  it('answers throttling and bad bodies in problem+json', () => {
    // Act + Assess
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
      }),
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"rate_limited"') },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"malformed_request"') },
    });
  });

  it('puts a regional WAF web ACL on the API stage', () => {
    // Prepare
    const acls = resourcesOf(template, 'AWS::WAFv2::WebACL');
    const [aclId] = Object.keys(acls);

    // Act + Assess
    expect(Object.keys(acls)).toHaveLength(1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
      ResourceArn: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });

  it('the WAF runs the AWS managed common and known-bad-inputs rules', () => {
    // Act
    const rules = (Object.values(resourcesOf(template, 'AWS::WAFv2::WebACL'))[0]?.Properties.Rules ??
      []) as Rule[];
    const managed = rules.map(
      (rule) => (rule.Statement.ManagedRuleGroupStatement as { Name?: string } | undefined)?.Name,
    );

    // Assess
    expect(managed).toEqual(expect.arrayContaining([...managedRuleGroups]));
    expect(managed).toEqual(
      expect.arrayContaining(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']),
    );
  });

  it('the WAF rate-limits per client, tighter on POST /v1/registrations and the OTP routes, answering 429', () => {
    // Prepare
    const identifyPaths = routes
      .filter((route) => route.limitGroup === 'identify')
      .map((route) => route.path);
    const otpPaths = routes.filter((route) => route.limitGroup === 'otp').map((route) => route.path);

    // Act
    const rules = (Object.values(resourcesOf(template, 'AWS::WAFv2::WebACL'))[0]?.Properties.Rules ??
      []) as Rule[];
    const rate = (name: string) => rules.find((rule) => rule.Name === name);

    // Assess
    expect(rate('RateLimitIdentify')).toMatchObject({
      Statement: {
        RateBasedStatement: {
          Limit: rateLimits.identify.limit,
          EvaluationWindowSec: 60,
          AggregateKeyType: 'FORWARDED_IP',
          ForwardedIPConfig: { HeaderName: 'x-viewer-ip', FallbackBehavior: 'MATCH' },
          ScopeDownStatement: {
            AndStatement: {
              Statements: [
                { ByteMatchStatement: { SearchString: 'POST', PositionalConstraint: 'EXACTLY' } },
                { RegexMatchStatement: { RegexString: pathRegex(identifyPaths) } },
              ],
            },
          },
        },
      },
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
    });
    expect(rate('RateLimitOtp')).toMatchObject({
      Statement: {
        RateBasedStatement: {
          Limit: rateLimits.otp.limit,
          ScopeDownStatement: {
            AndStatement: { Statements: [{}, { RegexMatchStatement: { RegexString: pathRegex(otpPaths) } }] },
          },
        },
      },
    });
    expect(rate('RateLimitAll')?.Statement.RateBasedStatement?.Limit).toBeGreaterThan(
      rateLimits.identify.limit,
    );
    // Requests that bypass CloudFront are blocked by the origin rule; an edge node's address is no client's.
    expect(rate('RateLimitSourceFlood')).toBeUndefined();
  });

  it('the path regexes of the rate rules match the routes they limit, with or without the stage prefix', () => {
    // Prepare
    const identify = new RegExp(pathRegex(['/v1/registrations']));
    const otp = new RegExp(pathRegex(['/v1/registrations/{id}/otp', '/v1/registrations/{id}/otp/verify']));

    // Act + Assess
    expect(identify.test('/v1/registrations')).toBe(true);
    expect(identify.test(`/${built.config.stage}/v1/registrations`)).toBe(true);
    expect(identify.test('/v1/registrations/abc')).toBe(false);
    expect(otp.test('/dev/v1/registrations/0b7c/otp')).toBe(true);
    expect(otp.test('/v1/registrations/0b7c/otp/verify')).toBe(true);
    expect(otp.test('/v1/registrations/0b7c/username')).toBe(false);
  });

  it('dev needs no context: no alarm subscriber, no account-wide settings, default CloudFront domain', () => {
    // Act + Assess
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    // Account-wide settings are opt-in (manageAccountSettings): a dev stage must not cap the account's SMS spend.
    template.resourceCountIs('Custom::AWS', 0);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('MonthlySpendLimit');
    expect(built.edgeWaf?.region).toBe('us-east-1');
    expect(built.config.webDomain).toBeUndefined();
  });

  it('outputs the API URL', () => {
    // Act + Assess
    template.hasOutput('ApiUrl', {});
  });
});
