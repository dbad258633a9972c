// Issue 22, item 18 (rule 63): recoveries completed and staff changes are metrics with alarms on unusual
// rates; and item 12: every SMS sender (each with reserved concurrency) has its own throttle alarm.
import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLogger } from '../../lambdas/adapters/event-log.ts';
import { securityEventMetricName, thresholds } from '../../lib/observability.ts';
import {
  buildTemplates,
  devContext,
  logicalIdOf,
  refIn,
  resourceOfConstruct,
  type Templates,
} from './app-fixture.ts';

/** A template string (`Fn::Join` of text and `{ Ref }`s) as text, each reference written `Ref:<logical id>`. */
const joined = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const [separator, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts
    .map((part) => (typeof part === 'string' ? part : `Ref:${(part as { Ref: string }).Ref}`))
    .join(separator);
};

describe('alarms on recoveries, staff changes and SMS senders (dev)', () => {
  let templates: Templates;

  beforeAll(() => {
    templates = buildTemplates(devContext);
  });

  it("every function's metric filter counts recovery_completed and staff_change", () => {
    // Prepare
    const { built } = templates;

    // Act + Assess
    for (const fn of Object.values(built.service.functions)) {
      const filter = fn.node.tryFindChild('SecurityEventsFilter');
      const pattern = String(resourceOfConstruct(filter as never).Properties.FilterPattern);
      expect(pattern, fn.handler).toContain('$.event = "recovery_completed"');
      expect(pattern, fn.handler).toContain('$.event = "staff_change"');
    }
  });

  it('alarms when more recoveries than usual complete in an hour', () => {
    // Prepare
    const { built } = templates;
    const alarm = built.service.observability.alarms.RecoveryRate;

    // Act
    const properties = resourceOfConstruct(alarm as never).Properties;

    // Assess
    expect(properties.Metrics).toEqual([
      expect.objectContaining({
        MetricStat: {
          Metric: {
            Namespace: built.service.namespace,
            MetricName: securityEventMetricName,
            Dimensions: [{ Name: 'Event', Value: 'recovery_completed' }],
          },
          Period: 3600,
          Stat: 'Sum',
        },
      }),
    ]);
    expect(properties).toMatchObject({
      Threshold: thresholds.recoveriesCompletedPerHour,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: logicalIdOf(built.service.alarmTopic) }],
    });
  });

  it("alarms on the busiest staff member's changes, counted by caller from the staff functions' logs", () => {
    // Prepare
    const { built } = templates;
    const staff = built.service.observability.staffChangesPerMember;
    expect(staff).toBeDefined();
    const agentAction = built.service.functions['agent-action'];

    // Act
    const rule = resourceOfConstruct(staff?.rule as never).Properties;
    const body = JSON.parse(joined(rule.RuleBody));
    const alarm = resourceOfConstruct(staff?.alarm as never).Properties;

    // Assess: the rule counts staff_change lines by actor in the log group of the function that makes changes
    expect(Stack.of(staff as never)).toBe(Stack.of(agentAction as never));
    expect(body).toMatchObject({
      AggregateOn: 'Count',
      LogFormat: 'JSON',
      Contribution: { Keys: ['$.actor'], Filters: [{ Match: '$.event', In: ['staff_change'] }] },
    });
    expect(body.LogGroupNames).toContain(`Ref:${logicalIdOf(agentAction?.logGroup as never)}`);
    expect(rule.RuleState).toBe('ENABLED');
    const metric = (alarm.Metrics as { Expression?: string }[])[0];
    expect(metric?.Expression).toBe(`INSIGHT_RULE_METRIC('${rule.RuleName}', 'MaxContributorValue')`);
    expect(alarm).toMatchObject({
      Threshold: thresholds.staffChangesPerMemberPerHour,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [refIn(Stack.of(staff as never), built.service.alarmTopic)],
    });
    expect(built.service.observability.alarms.StaffChangesPerMember).toBe(staff?.alarm);
  });

  it('logs the fields the rule and the filter read: the event and the caller, unredacted', () => {
    // Prepare
    const lines: string[] = [];
    const log = jsonLogger('info', (line) => lines.push(line));

    // Act
    log.record({
      event: 'staff_change',
      customerId: 'C1',
      action: 'unlock',
      actor: 'arn:aws:iam::1:role/agent',
    });

    // Assess
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      event: 'staff_change',
      actor: 'arn:aws:iam::1:role/agent',
    });
  });

  it('gives each SMS sender a throttle alarm (each has reserved concurrency)', () => {
    // Prepare
    const { built } = templates;
    const senders = Object.values(built.service.functions).filter((fn) => fn.needs.sms);

    // Act + Assess
    // reset-password sends the held token reset's SMS (rule 54).
    expect(senders.map((fn) => fn.handler).sort()).toEqual([
      'reset-password',
      'send-otp',
      'send-recovery-otp',
      'send-token-activation-code',
    ]);
    for (const sender of senders) {
      const id = sender.handler === 'send-otp' ? 'OtpSenderThrottles' : `${sender.constructId}Throttles`;
      const alarm = resourceOfConstruct(built.service.observability.alarms[id] as never).Properties;
      expect(alarm, id).toMatchObject({ MetricName: 'Throttles', Namespace: 'AWS/Lambda', Threshold: 0 });
      expect(
        (alarm.Dimensions as { Name: string }[]).map((d) => d.Name),
        id,
      ).toEqual(['FunctionName']);
    }
    const dimensions = senders.map((sender) => {
      const id = sender.handler === 'send-otp' ? 'OtpSenderThrottles' : `${sender.constructId}Throttles`;
      return JSON.stringify(
        resourceOfConstruct(built.service.observability.alarms[id] as never).Properties.Dimensions,
      );
    });
    expect(new Set(dimensions).size).toBe(senders.length);
  });
});
