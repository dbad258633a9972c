// SMS and email settings, the business metrics from the JSON logs, the alarms and the funnel dashboard.
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SelfRegistrationApp } from '../../lib/app.ts';
import { assistedForbiddenMetric } from '../../lib/assisted-access.ts';
import { smsDeliveryLogRetention } from '../../lib/messaging.ts';
import { funnelEvents, securityEventMetricName, securityEvents } from '../../lib/observability.ts';
import {
  buildTemplates,
  functionTemplates,
  logicalIdOf,
  prodContext,
  refIn,
  resourceOfConstruct,
  resourcesIn,
  resourcesOf,
  type Templates,
  templateOf,
} from './app-fixture.ts';

describe('messaging and observability (prod)', () => {
  let templates: Templates;
  let template: Template;
  let built: SelfRegistrationApp;

  beforeAll(() => {
    // Prepare
    templates = buildTemplates(prodContext);
    ({ service: template, built } = templates);
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
    expect(create).toContain('\\"DeliveryStatusSuccessSamplingRate\\":\\"100\\"');
    expect(create).toContain('\\"DeliveryStatusIAMRole\\":\\"');
  });

  it('logs every SMS delivery status with a role only SNS assumes, into log groups of bounded retention', () => {
    // Prepare
    const settings = built.service.smsSettings;
    expect(settings).toBeDefined();
    const roleId = built.service.getLogicalId(settings?.deliveryStatusRole.node.defaultChild as never);

    // Act
    const role = template.toJSON().Resources[roleId];
    const groups = (settings?.deliveryLogGroups ?? []).map(
      (group) => template.toJSON().Resources[built.service.getLogicalId(group.node.defaultChild as never)],
    );

    // Assess
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('sns.amazonaws.com');
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(JSON.stringify(group.Properties.LogGroupName)).toContain('DirectPublishToPhoneNumber');
      expect(group.Properties.RetentionInDays).toBe(smsDeliveryLogRetention);
    }
    // The deploy-time call that sets the attributes may pass exactly that role to SNS.
    const passRole = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(passRole).toContain('iam:PassRole');
  });

  it('owns the account-level API Gateway CloudWatch role only when asked to', () => {
    // Act + Assess
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
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
    const filters = Object.values(resourcesIn(functionTemplates(templates), 'AWS::Logs::MetricFilter'))
      // The staff API's 403 count reads its access log, not a function's (go-live review, finding 6).
      .filter((filter) => !JSON.stringify(filter.Properties).includes(assistedForbiddenMetric))
      .map(
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
    expect(Object.keys(resourcesOf(template, 'AWS::Logs::MetricFilter'))).toEqual([]);
    for (const fn of Object.values(built.service.functions)) {
      // In the function's own (nested) stack, on its own log group.
      const logGroupId = logicalIdOf(fn.logGroup);
      const filter = Object.values(resourcesOf(templateOf(fn), 'AWS::Logs::MetricFilter'))
        .map((candidate) => candidate.Properties as (typeof filters)[number])
        .find((candidate) => candidate.LogGroupName.Ref === logGroupId);
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
    const topic = built.service.alarmTopic;

    // Act
    const alarms = [template, ...functionTemplates(templates)].flatMap((each) =>
      Object.values(resourcesOf(each, 'AWS::CloudWatch::Alarm')),
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
        'OutboxIteratorAge',
        'SmsDeliveryFailures',
        'AssistedApi5xxRate',
        ...Object.values(built.service.functions).flatMap((fn) => [
          `${fn.constructId}Errors`,
          `${fn.constructId}LatencyP99`,
          `${fn.constructId}NearTimeout`,
        ]),
        ...Object.keys(built.data.tables).flatMap((table) => {
          const id = `${table[0]?.toUpperCase()}${table.slice(1)}Table`;
          return [`${id}Throttles`, `${id}SystemErrors`];
        }),
      ]),
    );
    expect(alarms).toHaveLength(names.length);
    for (const [name, construct] of Object.entries(built.service.observability.alarms)) {
      // The topic is the Service stack's; a nested stack's alarm names it through a parameter.
      const topicRef = refIn(Stack.of(construct), topic);
      const alarm = resourceOfConstruct(construct).Properties;
      expect(alarm.AlarmActions, name).toEqual([topicRef]);
      expect(alarm.OKActions, name).toEqual([topicRef]);
      expect(typeof alarm.Threshold).toBe('number');
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(30);
    }
    const alarmOn = (name: string) => {
      const alarm = built.service.observability.alarms[name];
      expect(alarm, name).toBeDefined();
      return JSON.stringify(resourceOfConstruct(alarm as never).Properties);
    };
    expect(alarmOn('SmsSpend')).toContain('"MetricName":"SMSMonthToDateSpentUSD","Namespace":"AWS/SNS"');
    expect(alarmOn('SmsSpend')).toContain(`"Threshold":${Number(prodContext.smsMonthlySpendLimitUsd) * 0.8}`);
    expect(alarmOn('OutboxDlqNotEmpty')).toMatch(/ApproximateNumberOfMessagesVisible.*AWS\/SQS/);
    expect(alarmOn('CredentialLockSpike')).toContain('{"Name":"Event","Value":"credential_locked"}');
    expect(alarmOn('RateLimited')).toContain('{"Name":"Event","Value":"rate_limited"}');
    expect(alarmOn('RateLimited')).toContain('BlockedRequests');
    expect(alarmOn('Api5xxRate')).toContain('5XXError');
    expect(alarmOn('OutboxIteratorAge')).toContain('"MetricName":"IteratorAge"');
    expect(alarmOn('OutboxIteratorAge')).toContain('"Threshold":300000');
    expect(alarmOn('SmsDeliveryFailures')).toContain('"MetricName":"SMSSuccessRate"');
    expect(alarmOn('SmsDeliveryFailures')).toContain('"ComparisonOperator":"LessThanThreshold"');
    expect(alarmOn('UsersTableThrottles')).toContain('ThrottledRequests');
    expect(alarmOn('CustomersTableSystemErrors')).toContain('SystemErrors');
    // Second audit, finding 8: each operation's metric is FILLed with 0, or a sum where one operation had
    // no data point would be no data and the alarm could never fire.
    for (const name of ['UsersTableThrottles', 'CustomersTableSystemErrors']) {
      const expression = /"Expression":"([^"]+)"/.exec(alarmOn(name))?.[1];
      expect(expression, name).toMatch(/^FILL\(op0, 0\)( \+ FILL\(op\d, 0\)){4,}$/);
    }
    expect(alarmOn('StartRegistrationFunctionErrors')).toContain('"MetricName":"Errors"');
    expect(alarmOn('StartRegistrationFunctionErrors')).toContain(':live');
    expect(alarmOn('StartRegistrationFunctionLatencyP99')).toContain('"ExtendedStatistic":"p99"');
    expect(alarmOn('StartRegistrationFunctionLatencyP99')).toContain('"Threshold":2000');
    expect(alarmOn('HealthFunctionLatencyP99')).toContain('"Threshold":1000');
    expect(alarmOn('SendOtpFunctionNearTimeout')).toContain('"Threshold":8000');
  });

  it("lets CloudWatch, and only this account's alarms, publish to the alarm topic", () => {
    // Act
    const policies = JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'));

    // Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudWatchAlarmsPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': prodContext.account },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
    expect(policies).toContain(`:cloudwatch:${prodContext.region}:${prodContext.account}:alarm:*`);
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
      (fn) => resourceOfConstruct(fn.logGroup).Properties.RetentionInDays,
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

  it("shows every function's errors, latency and near-timeout alarms on the dashboard, new journeys included", () => {
    // Act
    const dashboard = JSON.stringify(
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties,
    );

    // Assess: nested stacks' alarms arrive as their outputs, named after the alarm's construct path
    expect(Object.keys(built.service.functions)).toEqual(
      expect.arrayContaining(['start-recovery', 'reset-password', 'agent-status', 'agent-action']),
    );
    for (const fn of Object.values(built.service.functions)) {
      for (const alarm of ['Errors', 'LatencyP99', 'NearTimeout']) {
        expect(dashboard, `${fn.handler} ${alarm}`).toMatch(
          new RegExp(`Outputs\\.[A-Za-z]*${fn.constructId}Alarms${alarm}[0-9A-F]{8}Arn`),
        );
      }
    }
    expect(dashboard).toContain('AssistedApi5xxRate');
  });
});
