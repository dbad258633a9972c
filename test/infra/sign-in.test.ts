// Sign-in and the digital token in the templates: the data key of the seeds, which functions may read it, the
// WAF rule on S1 that mirrors SIGN_IN_MAX_PER_IP_PER_MINUTE, and the alarms and dashboard widgets.
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.ts';
import type { SelfRegistrationApp } from '../../lib/app.ts';
import { thresholds } from '../../lib/observability.ts';
import { pathRegex, rateLimits } from '../../lib/web-acl.ts';
import { buildTemplates, devContext, resourceOfConstruct, resourcesOf } from './app-fixture.ts';

describe('sign-in and the digital token (dev)', () => {
  let built: SelfRegistrationApp;
  let data: Template;
  let service: Template;

  beforeAll(() => {
    ({ built, data, service } = buildTemplates(devContext));
  });

  it('the data stack keeps a generated data key for the seeds, encrypted with the data KMS key, retained', () => {
    const secrets = Object.entries(resourcesOf(data, 'AWS::SecretsManager::Secret')).filter(([id]) =>
      id.startsWith('TokenKeySecret'),
    );
    expect(secrets).toHaveLength(1);
    const [, secret] = secrets[0] as [string, Record<string, any>];
    expect(secret.DeletionPolicy).toBe('Retain');
    expect(secret.Properties.KmsKeyId).toBeDefined();
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret.Properties.SecretString).toBeUndefined();
  });

  it('only the functions that seal or open a seed get the data key', () => {
    const withKey = routes.filter((route) => route.needs.tokenKey).map((route) => route.handler);
    expect(withKey.sort()).toEqual(
      ['confirm-token-activation', 'sign-in-digital-token', 'verify-token-activation-code'].sort(),
    );
    for (const route of routes) {
      const fn = built.service.functions[route.handler]?.function;
      expect(fn, route.handler).toBeDefined();
      const variables = resourceOfConstruct(fn as never).Properties.Environment.Variables as Record<
        string,
        unknown
      >;
      expect('TOKEN_KEY_SECRET_ARN' in variables, route.handler).toBe(withKey.includes(route.handler));
    }
  });

  it('S1 has its own WAF rate rule per client, mirroring SIGN_IN_MAX_PER_IP_PER_MINUTE (20 a minute)', () => {
    const rules = (Object.values(resourcesOf(service, 'AWS::WAFv2::WebACL'))[0]?.Properties.Rules ??
      []) as Record<string, any>[];
    const rule = rules.find((candidate) => candidate.Name === 'RateLimitSignIn');
    expect(rateLimits.signIn).toEqual({ limit: 20, windowSeconds: 60 });
    expect(rule).toMatchObject({
      Statement: {
        RateBasedStatement: {
          Limit: 20,
          EvaluationWindowSec: 60,
          ScopeDownStatement: {
            AndStatement: {
              Statements: [
                { ByteMatchStatement: { SearchString: 'POST' } },
                { RegexMatchStatement: { RegexString: pathRegex(['/v1/sign-ins']) } },
              ],
            },
          },
        },
      },
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
    });
  });

  it('second audit, finding 5: S2 and S3 have their own per-client rule, sized for a shared carrier address (150 in 5 minutes)', () => {
    const rules = (Object.values(resourcesOf(service, 'AWS::WAFv2::WebACL'))[0]?.Properties.Rules ??
      []) as Record<string, any>[];
    const rule = rules.find((candidate) => candidate.Name === 'RateLimitSignInSteps');
    expect(rule).toMatchObject({
      Statement: {
        RateBasedStatement: {
          Limit: 150,
          EvaluationWindowSec: 300,
          AggregateKeyType: 'FORWARDED_IP',
          ScopeDownStatement: {
            AndStatement: {
              Statements: [
                { ByteMatchStatement: { SearchString: 'POST' } },
                {
                  RegexMatchStatement: {
                    RegexString: pathRegex(['/v1/sign-ins/{id}/password', '/v1/sign-ins/{id}/digital-token']),
                  },
                },
              ],
            },
          },
        },
      },
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
    });
    // No longer in the OTP group, whose 10 a minute would refuse customers behind one carrier address.
    const otp = rules.find((candidate) => candidate.Name === 'RateLimitOtp');
    expect(JSON.stringify(otp)).not.toContain('sign-ins');
  });

  it('alarms on sign-in lock spikes and token failures, and the dashboard shows sign-ins and activations', () => {
    const { alarms } = built.service.observability;
    const alarm = (name: string) => resourceOfConstruct(alarms[name] as never).Properties;
    expect(alarm('SignInLocks').Threshold).toBe(thresholds.signInLocksPer5Minutes);
    expect(JSON.stringify(alarm('SignInLocks'))).toContain(
      '{"Name":"Event","Value":"sign_in_locked"}],"MetricName":"SecurityEvents"',
    );
    expect(alarm('TokenFailures').Threshold).toBe(thresholds.tokenFailuresPer5Minutes);
    expect(JSON.stringify(alarm('TokenFailures'))).toContain(
      '{"Name":"Event","Value":"token_failure"}],"MetricName":"SecurityEvents"',
    );
    const body = JSON.stringify(Object.values(resourcesOf(service, 'AWS::CloudWatch::Dashboard'))[0]);
    for (const text of ['Sign-ins', 'signed_in', 'token_activated', 'Digital token'])
      expect(body).toContain(text);
  });
});
