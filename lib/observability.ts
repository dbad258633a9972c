// Business metrics, alarms and the funnel dashboard. The functions log one JSON line per security event with
// a field `event`; one metric filter per log group turns those lines into a metric with an Event dimension.
import { Duration, Stack, Token } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  CfnInsightRule,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVER_ERRORS_METRIC } from '../lambdas/adapters/metrics.ts';
import { OLDEST_UNSENT_METRIC } from '../lambdas/registration/outbox-sweep.ts';
import type { TableName } from '../lambdas/tables.ts';
import type { AlarmTopic } from './alarm-topic.ts';
import type { ServiceFunction } from './service-function.ts';

/** The values of the `event` field the code logs; anything else is not counted. */
export const securityEvents = [
  'registration_started',
  'credential_failure',
  'credential_locked',
  'otp_sent',
  'otp_failure',
  'otp_verified',
  'step_refused',
  'registration_completed',
  'rate_limited',
  'email_sent',
  'email_failed',
  'sign_in_started',
  'sign_in_failure',
  'sign_in_locked',
  'signed_in',
  'token_failure',
  'token_activated',
  'recovery_completed',
  'staff_change',
] as const;
export type SecurityEvent = (typeof securityEvents)[number];

/** The registration funnel, in the order a customer goes through it. */
export const funnelEvents: readonly SecurityEvent[] = [
  'registration_started',
  'otp_sent',
  'otp_verified',
  'registration_completed',
];

export const securityEventMetricName = 'SecurityEvents';

/** Alarm thresholds; DEPLOYMENT.md explains each alarm and what to do about it. */
export const thresholds = {
  api5xxPercent: 5,
  rateLimitedPer5Minutes: 100,
  credentialLocksPer5Minutes: 20,
  signInLocksPer5Minutes: 20,
  tokenFailuresPer5Minutes: 50,
  smsSpendShareOfLimit: 0.8,
  emailFailuresPer5Minutes: 1,
  sesBounceRate: 0.05,
  sesComplaintRate: 0.001,
  oldestUnsentEmailSeconds: 15 * 60,
  /** An unhandled error or a timeout: handlers turn every expected failure into a problem response. */
  functionErrorsPerMinute: 1,
  /** 500 and 503 answers a handler made from an exception (lambdas/http/api-handler.ts): none are expected. */
  functionServerErrorsPerMinute: 1,
  /** A function that runs this close to its timeout is one slow dependency away from failing. */
  nearTimeoutShare: 0.8,
  /** DynamoDB throttles make limit updates fail closed (503); the SDK retries a few, ten are customer-visible. */
  tableThrottlesPer5Minutes: 10,
  /** DynamoDB's own failures; the SDK retries, so a handful in five minutes is an incident on AWS's side. */
  tableSystemErrorsPer5Minutes: 5,
  /** Completion emails leave within seconds; five minutes behind means the consumer is failing or stuck. */
  outboxIteratorAgeMs: 5 * 60 * 1000,
  /**
   * Recoveries completed in an hour (rule 63). A recovery replaces the password, and with a lost phone the
   * digital token: a run of them is the shape of an account takeover at scale. The sizing in CAPACITY.md
   * puts the peak hour at 135,000 sign-ins; a forgotten password ends a small share of those in a recovery,
   * so 100 in one hour is well above an ordinary evening. A starting value: tune it after the first month.
   */
  recoveriesCompletedPerHour: 100,
  /**
   * Changes one staff member made in an hour (rule 63): half the per-member limit the staff API refuses
   * above (60 an hour), so a compromised staff role or a mistaken script is seen before it is stopped.
   */
  staffChangesPerMemberPerHour: 30,
  /** Below 90% of SMS delivered to Ecuador, customers stop receiving their codes (carrier or sender-ID issue). */
  smsSuccessRate: 0.9,
} as const;

/**
 * A table metric summed over the operations the service calls, each FILLed with 0. DynamoDB publishes a
 * per-operation data point only when something happened, and a sum of metrics where one has no data point
 * is no data (CDK's `metric...ForOperations` sums them bare): a throttle on one operation while the others
 * were quiet would never reach the threshold, so the alarm could not fire.
 */
function sumOverOperations(
  table: ITable,
  metricName: 'ThrottledRequests' | 'SystemErrors',
  period: Duration,
) {
  const usingMetrics = Object.fromEntries(
    tableOperations.map((operation, i) => [
      `op${i}`,
      table.metric(metricName, {
        dimensionsMap: { TableName: table.tableName, Operation: operation },
        statistic: 'Sum',
        period,
      }),
    ]),
  );
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    period,
    label: `${metricName} (all operations)`,
  });
}

/**
 * Step latency p99 a function must stay under (ms). argon2id at m=19 MiB takes a few hundred ms on
 * 1024 MB, so hashing steps get more; the stream consumer waits on SES. Cold starts are in the p99.
 */
export function latencyP99Ms(fn: ServiceFunction): number {
  if (fn.needs.email) return 5000;
  return fn.needs.hashes ? 2000 : 1000;
}

/** Operations the service calls on its tables: the Operation dimensions of throttles and system errors. */
const tableOperations = [
  Operation.GET_ITEM,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.SCAN,
];

export interface ObservabilityProps {
  namespace: string;
  dashboardName: string;
  functions: readonly ServiceFunction[];
  /** Each function's alarms (in the function's own, nested, stack), by handler. */
  functionAlarms: Readonly<Record<string, FunctionAlarms>>;
  /** The functions by group (journey), one alarm-status widget each on the dashboard. */
  functionGroups: Readonly<Record<string, readonly ServiceFunction[]>>;
  /** Alarms made elsewhere that the dashboard shows too, by name (the assisted API's 5xx rate). */
  otherAlarms?: Readonly<Record<string, Alarm>>;
  /** The function with reserved concurrency that sends the SMS codes. */
  otpSender: ServiceFunction;
  api: RestApi;
  /** Lambda's on-failure destination of the outbox stream. */
  outboxDlq: IQueue;
  /** The consumer of the outbox table's stream. */
  outboxConsumer: ServiceFunction;
  tables: Record<TableName, ITable>;
  alarmTopic: AlarmTopic;
  smsMonthlySpendLimitUsd: number;
  /** The regional web ACL's metric names: its rate-rule blocks are 429s too. */
  webAcl: { metricName: string; rateRuleMetricNames: readonly string[]; region: string };
}

export class Observability extends Construct {
  readonly alarms: Record<string, Alarm> = {};
  /** The top staff member's changes (a Contributor Insights rule on the staff functions' logs). */
  readonly staffChangesPerMember?: StaffChangesPerMember;
  /** Per function: the alarms CodeDeploy watches to roll a new version back (errors, 5xx answers, latency). */
  readonly deploymentAlarms: Record<string, Alarm[]> = {};

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const event = (name: SecurityEvent, period = Duration.minutes(5)): Metric =>
      new Metric({
        namespace: props.namespace,
        metricName: securityEventMetricName,
        dimensionsMap: { Event: name },
        statistic: 'Sum',
        period,
        label: name,
      });
    const fiveMinutes = Duration.minutes(5);

    const add = (alarmId: string, alarm: Alarm): Alarm => {
      this.alarms[alarmId] = props.alarmTopic.route(alarm);
      return alarm;
    };
    const oneMinute = Duration.minutes(1);

    const requests = props.api.metricCount({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const functionAlarmIds = new Set(
      props.functions.flatMap((fn) => [
        `${fn.constructId}Errors`,
        `${fn.constructId}ServerErrors`,
        `${fn.constructId}LatencyP99`,
        `${fn.constructId}NearTimeout`,
      ]),
    );
    // Its metric's only dimension is the API's name, a literal: the alarm depends on no API resource, so the
    // nested stacks' deployment groups can take it as a parameter while the API's methods take their aliases
    // from the nested stacks (a reference to the API here would close a dependency cycle).
    add('Api5xxRate', apiServerErrorRateAlarm(this, 'Api5xxRate', props.api, 'API'));

    // Alarms cannot use SEARCH, so each rate rule's BlockedRequests is named explicitly.
    const wafBlocks = Object.fromEntries(
      props.webAcl.rateRuleMetricNames.map((rule, index) => [
        `waf${index}`,
        new Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAcl.metricName, Rule: rule, Region: props.webAcl.region },
          statistic: 'Sum',
          period: fiveMinutes,
        }),
      ]),
    );
    add(
      'RateLimited',
      new Alarm(this, 'RateLimited', {
        alarmDescription:
          'Many 429s: WAF rate rules and the code limits (velocity per address, OTP sends) are being hit; a spray or SMS pumping attempt is likely.',
        metric: new MathExpression({
          expression: ['code', ...Object.keys(wafBlocks)].map((key) => `FILL(${key}, 0)`).join(' + '),
          usingMetrics: { code: event('rate_limited'), ...wafBlocks },
          period: fiveMinutes,
          label: '429s',
        }),
        threshold: thresholds.rateLimitedPer5Minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // Throttles of the other functions surface as API 5xx; each SMS sender has its own cap (reserved
    // concurrency, the brake on SMS pumping), so its own alarm: send-otp's keeps its first name.
    for (const sender of props.functions.filter((fn) => fn.needs.sms)) {
      const alarmId = sender === props.otpSender ? 'OtpSenderThrottles' : `${sender.constructId}Throttles`;
      add(
        alarmId,
        new Alarm(this, alarmId, {
          alarmDescription: `${sender.handler} hit its reserved concurrency: customers wait for codes; either a burst of real demand or SMS pumping.`,
          metric: sender.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    add(
      'CredentialLockSpike',
      new Alarm(this, 'CredentialLockSpike', {
        alarmDescription:
          'Many credentials locked after wrong PINs in 5 minutes: likely PIN guessing across cards (credential stuffing).',
        metric: event('credential_locked'),
        threshold: thresholds.credentialLocksPer5Minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    add(
      'SmsSpend',
      new Alarm(this, 'SmsSpend', {
        alarmDescription: `SMS spend this month reached ${thresholds.smsSpendShareOfLimit * 100}% of the ${props.smsMonthlySpendLimitUsd} USD limit; at the limit SNS stops sending codes.`,
        metric: new Metric({
          namespace: 'AWS/SNS',
          metricName: 'SMSMonthToDateSpentUSD',
          statistic: 'Maximum',
          period: fiveMinutes,
        }),
        threshold: props.smsMonthlySpendLimitUsd * thresholds.smsSpendShareOfLimit,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    add(
      'OutboxDlqNotEmpty',
      new Alarm(this, 'OutboxDlqNotEmpty', {
        alarmDescription:
          'Completion emails failed after all retries: the DLQ holds the stream positions of the outbox records not sent.',
        metric: props.outboxDlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    add(
      'EmailFailures',
      new Alarm(this, 'EmailFailures', {
        alarmDescription: 'The completion-email sender logged email_failed: SES refused or failed a send.',
        metric: event('email_failed'),
        threshold: thresholds.emailFailuresPer5Minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // Sign-in: a spike of password locks is a credential-stuffing run; of token failures, code guessing.
    add(
      'SignInLocks',
      new Alarm(this, 'SignInLocks', {
        alarmDescription:
          'Many sign-in locks (passwords or digital-token codes used up): a credential-stuffing or code-guessing run is likely.',
        metric: event('sign_in_locked'),
        threshold: thresholds.signInLocksPer5Minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      'TokenFailures',
      new Alarm(this, 'TokenFailures', {
        alarmDescription:
          'Many wrong or replayed digital-token codes: code guessing, or clocks of customer phones far off.',
        metric: event('token_failure'),
        threshold: thresholds.tokenFailuresPer5Minutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // The outbox sweep publishes the age of the oldest unsent email each run (every 5 minutes, rule 43). No
    // datapoint in 15 minutes means the sweep itself is not running, which strands emails just the same.
    add(
      'OutboxStranded',
      new Alarm(this, 'OutboxStranded', {
        alarmDescription: `A completion email has waited more than ${thresholds.oldestUnsentEmailSeconds / 60} minutes unsent, or the outbox sweep has not run.`,
        metric: new Metric({
          namespace: props.namespace,
          metricName: OLDEST_UNSENT_METRIC,
          statistic: 'Maximum',
          period: Duration.minutes(15),
        }),
        threshold: thresholds.oldestUnsentEmailSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    );

    // Rule 63: recoveries completed and staff changes, the two ways an account changes hands without the
    // customer's password.
    add(
      'RecoveryRate',
      new Alarm(this, 'RecoveryRate', {
        alarmDescription: `More than ${thresholds.recoveriesCompletedPerHour} recoveries completed in one hour: passwords (and lost-phone tokens) replaced at an unusual rate; possible account takeover at scale.`,
        metric: event('recovery_completed', Duration.hours(1)),
        threshold: thresholds.recoveriesCompletedPerHour,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const staffFunctions = props.functionGroups.assisted ?? [];
    if (staffFunctions.length > 0) {
      this.staffChangesPerMember = new StaffChangesPerMember(
        Stack.of(staffFunctions[0] as ServiceFunction),
        'StaffChangesPerMember',
        {
          ruleName: `${props.dashboardName}-StaffChangesPerMember`,
          functions: staffFunctions,
          alarmTopic: props.alarmTopic,
        },
      );
      this.alarms.StaffChangesPerMember = this.staffChangesPerMember.alarm;
    }

    const sesReputation = (metricName: string): Metric =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    add(
      'SesBounceRate',
      new Alarm(this, 'SesBounceRate', {
        alarmDescription:
          'SES account bounce rate above 5%: SES reviews the account at 5% and may pause sending at 10%.',
        metric: sesReputation('Reputation.BounceRate'),
        threshold: thresholds.sesBounceRate,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      'SesComplaintRate',
      new Alarm(this, 'SesComplaintRate', {
        alarmDescription:
          'SES account complaint rate above 0.1%: SES reviews the account at 0.1% and may pause at 0.5%.',
        metric: sesReputation('Reputation.ComplaintRate'),
        threshold: thresholds.sesComplaintRate,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // Per function (made by FunctionAlarms in the function's stack): listed here for the dashboard and by name.
    for (const fn of props.functions) {
      const alarms = props.functionAlarms[fn.handler];
      if (!alarms) throw new Error(`${fn.handler} has no alarms`);
      this.alarms[`${fn.constructId}Errors`] = alarms.errors;
      this.alarms[`${fn.constructId}ServerErrors`] = alarms.serverErrors;
      this.alarms[`${fn.constructId}LatencyP99`] = alarms.latency;
      this.alarms[`${fn.constructId}NearTimeout`] = alarms.nearTimeout;
      this.deploymentAlarms[fn.handler] = alarms.deploymentAlarms;
    }
    for (const [name, alarm] of Object.entries(props.otherAlarms ?? {})) this.alarms[name] = alarm;

    for (const [tableName, table] of Object.entries(props.tables)) {
      const id = `${tableName[0]?.toUpperCase()}${tableName.slice(1)}Table`;
      add(
        `${id}Throttles`,
        new Alarm(this, `${id}Throttles`, {
          alarmDescription: `DynamoDB throttled requests on the ${tableName} table: steps answer 503 (they fail closed).`,
          metric: sumOverOperations(table, 'ThrottledRequests', fiveMinutes),
          threshold: thresholds.tableThrottlesPer5Minutes,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        `${id}SystemErrors`,
        new Alarm(this, `${id}SystemErrors`, {
          alarmDescription: `DynamoDB system errors (HTTP 500 from DynamoDB) on the ${tableName} table.`,
          metric: sumOverOperations(table, 'SystemErrors', fiveMinutes),
          threshold: thresholds.tableSystemErrorsPer5Minutes,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    add(
      'OutboxIteratorAge',
      new Alarm(this, 'OutboxIteratorAge', {
        alarmDescription:
          'The outbox stream consumer is more than 5 minutes behind: completion emails are late; records older than 6 h go to the DLQ.',
        metric: props.outboxConsumer.function.metric('IteratorAge', {
          period: oneMinute,
          statistic: 'Maximum',
        }),
        threshold: thresholds.outboxIteratorAgeMs,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    add(
      'SmsDeliveryFailures',
      new Alarm(this, 'SmsDeliveryFailures', {
        alarmDescription: `Fewer than ${thresholds.smsSuccessRate * 100}% of transactional SMS to Ecuador delivered over 15 minutes: customers cannot get their codes.`,
        metric: new Metric({
          namespace: 'AWS/SNS',
          metricName: 'SMSSuccessRate',
          dimensionsMap: { Country: 'EC', SMSType: 'Transactional' },
          statistic: 'Average',
          period: fiveMinutes,
        }),
        threshold: thresholds.smsSuccessRate,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const graph = (title: string, metrics: IMetric[], width = 12): GraphWidget =>
      new GraphWidget({ title, left: metrics, width, height: 6 });
    new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# Self-registration funnel\nStarted → OTP sent → OTP verified → completed, from the `event` field of the function logs.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new SingleValueWidget({
            title: 'Funnel (sum over the period)',
            metrics: funnelEvents.map((name) => event(name, Duration.days(1))),
            setPeriodToTimeRange: true,
            width: 24,
            height: 4,
          }),
        ],
        [
          graph(
            'Funnel',
            funnelEvents.map((name) => event(name)),
          ),
          graph(
            'Failures and refusals',
            (
              [
                'credential_failure',
                'credential_locked',
                'otp_failure',
                'step_refused',
                'rate_limited',
              ] as const
            ).map((name) => event(name)),
          ),
        ],
        [
          graph('Email', [event('email_sent'), event('email_failed')], 8),
          graph(
            'API requests and errors',
            [requests, props.api.metricClientError({ period: fiveMinutes }), serverErrors],
            8,
          ),
          graph('API latency p99', [props.api.metricLatency({ period: fiveMinutes, statistic: 'p99' })], 8),
        ],
        [
          graph('Sign-ins', [event('sign_in_started'), event('signed_in'), event('sign_in_failure')], 12),
          graph(
            'Digital token: activations, failures, locks',
            [event('token_activated'), event('token_failure'), event('sign_in_locked')],
            12,
          ),
        ],
        [
          graph(
            'Recoveries completed and staff changes',
            [event('recovery_completed'), event('staff_change')],
            24,
          ),
        ],
        [
          new AlarmStatusWidget({
            title: 'Alarms',
            alarms: Object.entries(this.alarms)
              .filter(([name]) => !functionAlarmIds.has(name))
              .map(([, alarm]) => alarm),
            width: 24,
            height: 4,
          }),
        ],
        // Every function's errors, latency and near-timeout alarms, one widget per journey (a widget shows
        // at most 100 alarms).
        ...Object.entries(props.functionGroups)
          .filter(([, functions]) => functions.length > 0)
          .map(([group, functions]) => [
            new AlarmStatusWidget({
              title: `Alarms: ${group} functions`,
              alarms: functions.flatMap((fn) => {
                const alarms = props.functionAlarms[fn.handler];
                return alarms ? [alarms.errors, alarms.serverErrors, alarms.latency, alarms.nearTimeout] : [];
              }),
              width: 24,
              height: 4,
            }),
          ]),
      ],
    });
  }
}

/** The share of an API's requests answered 5xx, over 5 minutes; the API's name is its metrics' dimension. */
export function apiServerErrorRateAlarm(scope: Construct, id: string, api: RestApi, label: string): Alarm {
  // A literal name keeps the alarm free of any reference to the API's resources (see Api5xxRate above).
  if (Token.isUnresolved(api.restApiName)) throw new Error(`${api.node.path} needs a literal restApiName`);
  const fiveMinutes = Duration.minutes(5);
  return new Alarm(scope, id, {
    alarmDescription: `More than ${thresholds.api5xxPercent}% of ${label} requests failed with 5xx (dependency down or a bug).`,
    metric: new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        requests: api.metricCount({ period: fiveMinutes, statistic: 'Sum' }),
        errors: api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      },
      period: fiveMinutes,
      label: `${label} 5xx %`,
    }),
    threshold: thresholds.api5xxPercent,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

export interface FunctionAlarmsProps {
  namespace: string;
  alarmTopic: AlarmTopic;
}

/**
 * What each function has in its own stack: the metric filter that counts its security events, and its
 * alarms on the live alias (the new version during a canary): errors and timeouts, latency p99 (both roll a
 * CodeDeploy deployment back, so they must be in the deployment group's stack), and near-timeout.
 */
export class FunctionAlarms extends Construct {
  readonly errors: Alarm;
  /** 5xx answers: the handlers turn exceptions into responses, which Lambda's Errors never counts. */
  readonly serverErrors: Alarm;
  readonly latency: Alarm;
  readonly nearTimeout: Alarm;

  constructor(fn: ServiceFunction, id: string, props: FunctionAlarmsProps) {
    super(fn, id);
    new MetricFilter(fn, 'SecurityEventsFilter', {
      logGroup: fn.logGroup,
      filterPattern: FilterPattern.any(
        ...securityEvents.map((event) => FilterPattern.stringValue('$.event', '=', event)),
      ),
      metricNamespace: props.namespace,
      metricName: securityEventMetricName,
      metricValue: '1',
      dimensions: { Event: '$.event' },
    });
    const oneMinute = Duration.minutes(1);
    this.errors = props.alarmTopic.route(
      new Alarm(this, 'Errors', {
        alarmDescription: `${fn.handler}: unhandled errors or timeouts (Lambda Errors) in 2 of 3 minutes; CodeDeploy rolls a new version back on it.`,
        metric: fn.alias.metricErrors({ period: oneMinute, statistic: 'Sum' }),
        threshold: thresholds.functionErrorsPerMinute,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.serverErrors = props.alarmTopic.route(
      new Alarm(this, 'ServerErrors', {
        alarmDescription: `${fn.handler}: answered 500 or 503 (an exception or a dependency failure) in 2 of 3 minutes; CodeDeploy rolls a new version back on it.`,
        // Published by the function itself as an EMF line, with its name as the one dimension.
        metric: new Metric({
          namespace: props.namespace,
          metricName: SERVER_ERRORS_METRIC,
          dimensionsMap: { FunctionName: fn.function.functionName },
          statistic: 'Sum',
          period: oneMinute,
        }),
        threshold: thresholds.functionServerErrorsPerMinute,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.latency = props.alarmTopic.route(
      new Alarm(this, 'LatencyP99', {
        alarmDescription: `${fn.handler}: duration p99 above ${latencyP99Ms(fn)} ms in 3 of 5 minutes (step latency); CodeDeploy rolls a new version back on it.`,
        metric: fn.alias.metricDuration({ period: oneMinute, statistic: 'p99' }),
        threshold: latencyP99Ms(fn),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.nearTimeout = props.alarmTopic.route(
      new Alarm(this, 'NearTimeout', {
        alarmDescription: `${fn.handler}: an invocation ran ${thresholds.nearTimeoutShare * 100}% of its ${fn.timeout.toSeconds()} s timeout; timeouts themselves count as Errors.`,
        metric: fn.function.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: fn.timeout.toMilliseconds() * thresholds.nearTimeoutShare,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** The alarms CodeDeploy watches to roll a new version back. */
  get deploymentAlarms(): Alarm[] {
    return [this.errors, this.serverErrors, this.latency];
  }
}

export interface StaffChangesPerMemberProps {
  /** Unique in the account and region: the stage's dashboard name plus a suffix. */
  ruleName: string;
  /** The staff API's functions: their log groups hold the `staff_change` lines with the caller's ARN. */
  functions: readonly ServiceFunction[];
  alarmTopic: AlarmTopic;
}

/**
 * Changes per staff member (rule 63): a metric per caller would need one alarm per staff role, known in
 * advance; a Contributor Insights rule counts the `staff_change` lines by `actor` and its
 * MaxContributorValue is the busiest member's count, which one alarm watches. In the staff functions' stack.
 */
export class StaffChangesPerMember extends Construct {
  readonly rule: CfnInsightRule;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: StaffChangesPerMemberProps) {
    super(scope, id);
    this.rule = new CfnInsightRule(this, 'Rule', {
      ruleName: props.ruleName,
      ruleState: 'ENABLED',
      ruleBody: JSON.stringify({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        AggregateOn: 'Count',
        Contribution: {
          Keys: ['$.actor'],
          Filters: [{ Match: '$.event', In: ['staff_change'] }],
        },
        LogFormat: 'JSON',
        LogGroupNames: props.functions.map((fn) => fn.logGroup.logGroupName),
      }),
    });
    const hour = Duration.hours(1);
    this.alarm = props.alarmTopic.route(
      new Alarm(this, 'Alarm', {
        alarmDescription: `One staff member made more than ${thresholds.staffChangesPerMemberPerHour} changes (unlock, revoke-sessions, reset-token, disable, enable) in one hour: a compromised staff role or a runaway script.`,
        metric: new MathExpression({
          expression: `INSIGHT_RULE_METRIC('${props.ruleName}', 'MaxContributorValue')`,
          usingMetrics: {},
          period: hour,
          label: 'Changes by the busiest staff member',
        }),
        threshold: thresholds.staffChangesPerMemberPerHour,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.alarm.node.addDependency(this.rule);
  }
}
