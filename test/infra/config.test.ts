// Deploy-time configuration from CDK context: dev works with none, prod refuses to synth half-configured.
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readDeployConfig } from '../../lib/config.ts';
import { prodContext } from './app-fixture.ts';

const read = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node, {});

describe('deploy configuration', () => {
  it('dev needs nothing but the stage and gets working defaults', () => {
    // Act
    const config = read({ stage: 'dev' });

    // Assess
    expect(config).toMatchObject({
      stage: 'dev',
      isProd: false,
      region: 'us-east-1',
      emailDomain: 'example.com',
      emailFrom: 'no-reply@example.com',
      smsMonthlySpendLimitUsd: 1,
      otpReservedConcurrency: 5,
    });
  });

  it('prod reads every key it needs', () => {
    // Act
    const config = read({ ...prodContext });

    // Assess
    expect(config).toMatchObject({
      stage: 'prod',
      isProd: true,
      region: 'sa-east-1',
      smsMonthlySpendLimitUsd: 300,
    });
  });

  it.each([
    [{}, /stage.*-c stage=/s],
    [{ stage: 'qa' }, /Unknown stage "qa".*-c stage=/s],
    [{ stage: 'prod' }, /-c emailDomain=.*-c emailFrom=.*-c webDomain=.*-c smsMonthlySpendLimitUsd=/s],
    [
      { ...prodContext, emailDomain: 'not a domain' },
      /emailDomain "not a domain" is not a domain name.*-c emailDomain=/s,
    ],
    [{ ...prodContext, emailFrom: 'registro@gmail.com' }, /not inside emailDomain.*-c emailFrom=/s],
    [
      { ...prodContext, webCertificateArn: 'arn:aws:acm:sa-east-1:123456789012:certificate/abc' },
      /us-east-1.*-c webCertificateArn=/s,
    ],
    [{ ...prodContext, smsMonthlySpendLimitUsd: 'lots' }, /smsMonthlySpendLimitUsd must be an integer/],
    [{ stage: 'dev', alarmEmail: 'devops' }, /alarmEmail "devops" is not an email address/],
  ])('refuses %j and says which context key to set', (context, message) => {
    // Act + Assess
    expect(() => read(context)).toThrow(message);
  });
});
