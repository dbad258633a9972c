// SMS and email settings, the business metrics from the JSON logs, the alarms and the funnel dashboard.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SelfRegistrationApp } from '../../lib/app.ts';
import { funnelEvents, securityEventMetricName, securityEvents } from '../../lib/observability.ts';
import { buildTemplates, prodContext, resourcesOf } from './app-fixture.ts';

describe('messaging and observability (prod)', () => {
  let template: Template;
  let built: SelfRegistrationApp;

  beforeAll(() => {
    // Prepare
    ({ service: template, built } = buildTemplates(prodContext));
  });

  it('sets transactional SMS and the monthly spend limit through SNS SetSMSAttributes', () => {
    // Act
    const resources = resourcesOf(template, 'Custom::AWS');
    const create = JSON.stringify(Object.values(resources)[0]?.Properties.Create);

    // Assess
    expect(Object.keys(resources)).toHaveLength(1);
    expect(create).toContain('\\"service\\":\\"SNS\\"');
    expect(create).toContain('\\"action\\":\\"setSMSAttributes\\"');
    expect(create).toContain('\\"DefaultSMSType\\":\\"Transactional\\"');
    expect(create).toContain(`\\"MonthlySpendLimit\\":\\"${prodContext.smsMonthlySpendLimitUsd}\\"`);
  });

  it('has an SES domain identity and a TLS-required configuration set that suppresses bounces and complaints', () => {
    // Act + Assess
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: prodContext.emailDomain,
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: Match.anyValue() },
      }),
    });
  });

  it('turns each function log group into security-event metrics with an Event dimension', () => {
    // Act
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map(
      (filter) =>
        filter.Properties as {
          FilterPattern: string;
          LogGroupName: { Ref: string };
          MetricTransformations: {
            MetricName: string;
            MetricNamespace: string;
            MetricValue: string;
            Dimensions: unknown;
          }[];
        },
    );

    // Assess
    expect(filters).toHaveLength(Object.keys(built.service.functions).length);
    for (const fn of Object.values(built.service.functions)) {
      const logGroupId = built.service.getLogicalId(fn.logGroup.node.defaultChild as never);
      const filter = filters.find((candidate) => candidate.LogGroupName.Ref === logGroupId);
      expect(filter, logGroupId).toBeDefined();
      for (const event of securityEvents) expect(filter?.FilterPattern).toContain(`$.event = "${event}"`);
      expect(filter?.MetricTransformations).toEqual([
        {
          MetricName: securityEventMetricName,
          MetricNamespace: 'SelfRegistration/prod',
          MetricValue: '1',
          Dimensions: [{ Key: 'Event', Value: '$.event' }],
        },
      ]);
    }
  });

  it('alarms on API 5xx rate, 429s, OTP throttles, lock spikes, SMS spend, the outbox DLQ and email failures', () => {
    // Prepare
    const topicId = built.service.getLogicalId(built.service.alarmTopic.node.defaultChild as never);

    // Act
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties,
    );
    const names = Object.keys(built.service.observability.alarms);

    // Assess
    expect(names).toEqual(
      expect.arrayContaining([
        'Api5xxRate',
        'RateLimited',
        'OtpSenderThrottles',
        'CredentialLockSpike',
        'SmsSpend',
        'OutboxDlqNotEmpty',
        'EmailFailures',
      ]),
    );
    expect(alarms).toHaveLength(names.length);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    const alarmOn = (name: string) => {
      const alarm = built.service.observability.alarms[name]?.node.defaultChild;
      return JSON.stringify(
        template.toJSON().Resources[built.service.getLogicalId(alarm as never)].Properties,
      );
    };
    expect(alarmOn('SmsSpend')).toContain('"MetricName":"SMSMonthToDateSpentUSD","Namespace":"AWS/SNS"');
    expect(alarmOn('SmsSpend')).toContain(`"Threshold":${Number(prodContext.smsMonthlySpendLimitUsd) * 0.8}`);
    expect(alarmOn('OutboxDlqNotEmpty')).toMatch(/ApproximateNumberOfMessagesVisible.*AWS\/SQS/);
    expect(alarmOn('CredentialLockSpike')).toContain('{"Name":"Event","Value":"credential_locked"}');
    expect(alarmOn('RateLimited')).toContain('{"Name":"Event","Value":"rate_limited"}');
    expect(alarmOn('RateLimited')).toContain('BlockedRequests');
    expect(alarmOn('Api5xxRate')).toContain('5XXError');
  });

  it('sends alarms to an encrypted topic that the alarmEmail address is subscribed to', () => {
    // Act + Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: prodContext.alarmEmail,
    });
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('keeps function logs a year in prod', () => {
    // Act
    const retentions = Object.values(built.service.functions).map(
      (fn) =>
        template.toJSON().Resources[built.service.getLogicalId(fn.logGroup.node.defaultChild as never)]
          .Properties.RetentionInDays,
    );

    // Assess
    expect(new Set(retentions)).toEqual(new Set([365]));
  });

  it('has a dashboard of the funnel', () => {
    // Act
    const dashboard = JSON.stringify(
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties,
    );

    // Assess
    for (const event of funnelEvents) expect(dashboard).toContain(event);
  });
});
