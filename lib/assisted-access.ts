// Who can reach the staff API (go-live review, finding 6; SECURITY rule 60): a PRIVATE endpoint reached through
// the bank's `execute-api` interface VPC endpoint, whose resource policy refuses every call that does not come
// through that endpoint or is not signed by one of the named staff roles; and an alarm on its 403s, which is
// what probing it from anywhere else, or with any other role, looks like.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';

/** 403s of the staff API in 5 minutes that raise AssistedApiForbidden: a few mistyped roles are no attack. */
export const assistedForbiddenThreshold = 5;
/** The metric the staff API's access log counts its 403s in. */
export const assistedForbiddenMetric = 'AssistedApiForbidden';

/**
 * The staff API's resource policy: two denies, no allow. A same-account IAM principal is allowed by its own
 * IAM policy when the resource policy neither allows nor denies, so the per-method grants of each staff role
 * (docs/DEPLOYMENT.md) keep deciding what it may call; an allow here would grant every method to every
 * listed role. Undefined when there is nothing to restrict (a dev stage without endpoint or roles).
 */
export function assistedApiPolicy(
  config: Pick<DeployConfig, 'assistedVpcEndpointId' | 'staffRoleArns'>,
): PolicyDocument | undefined {
  const deny = (sid: string, conditions: Record<string, Record<string, string | string[]>>) =>
    new PolicyStatement({
      sid,
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['execute-api:Invoke'],
      resources: ['execute-api:/*'],
      conditions,
    });
  const statements = [
    ...(config.assistedVpcEndpointId
      ? [
          deny('OnlyThroughTheBanksEndpoint', {
            StringNotEquals: { 'aws:SourceVpce': config.assistedVpcEndpointId },
          }),
        ]
      : []),
    ...(config.staffRoleArns.length > 0
      ? [deny('OnlyStaffRoles', { ArnNotEquals: { 'aws:PrincipalArn': config.staffRoleArns } })]
      : []),
  ];
  return statements.length > 0 ? new PolicyDocument({ statements }) : undefined;
}

/**
 * The staff API's access log fields that name the caller: the IAM principal that signed, its access key's
 * caller id and its account. Never the public API's: its callers are anonymous customers.
 */
export const callerLogFields = {
  userArn: '$context.identity.userArn',
  caller: '$context.identity.caller',
  accountId: '$context.identity.accountId',
} as const;

/** Counts the 403s of the staff API from its access log (the 4XXError metric mixes them with 422s and 429s). */
export function assistedForbiddenAlarm(
  scope: Construct,
  accessLogs: ILogGroup,
  namespace: string,
): { filter: MetricFilter; alarm: Alarm } {
  const filter = new MetricFilter(scope, 'AssistedApiForbiddenFilter', {
    logGroup: accessLogs,
    metricNamespace: namespace,
    metricName: assistedForbiddenMetric,
    filterPattern: FilterPattern.stringValue('$.status', '=', '403'),
    metricValue: '1',
    defaultValue: 0,
  });
  const alarm = new Alarm(scope, 'AssistedApiForbidden', {
    alarmDescription:
      'The staff API refused 5 or more calls with 403 in 5 minutes: unsigned calls, a role not in staffRoleArns, ' +
      'a call from outside the VPC endpoint, or a staff role calling a method it is not granted (docs/DEPLOYMENT.md)',
    metric: filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
    threshold: assistedForbiddenThreshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  return { filter, alarm };
}
