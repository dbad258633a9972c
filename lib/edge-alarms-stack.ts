// Alarms on CloudFront. Its metrics exist only in us-east-1, and CloudWatch notifies topics of the alarm's
// own region, so this small stack in us-east-1 carries its own alarm topic with the same destination.
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic.ts';
import type { DeployConfig } from './config.ts';

/** Share of viewer requests answered 5xx by CloudFront (origin errors included), in percent. */
export const cloudFront5xxRatePercent = 5;

/** Requests the edge web ACL's rate rules blocked in 5 minutes above which someone should look. */
export const edgeRateLimitedPer5Minutes = 100;

export interface EdgeAlarmsStackProps extends StackProps {
  config: DeployConfig;
  distributionId: string;
  /** The edge (CLOUDFRONT) web ACL this app creates; absent when an existing ACL comes from context. */
  edgeWebAcl?: { metricName: string; rateRuleMetricNames: readonly string[] };
}

export class EdgeAlarmsStack extends Stack {
  readonly alarms: AlarmTopic;
  readonly cloudFront5xx: Alarm;
  readonly edgeRateLimited?: Alarm;

  constructor(scope: Construct, id: string, props: EdgeAlarmsStackProps) {
    super(scope, id, props);
    const removal = props.config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.alarms = new AlarmTopic(this, 'Alarms', { config: props.config, removal });
    this.cloudFront5xx = this.alarms.route(
      new Alarm(this, 'CloudFront5xxRate', {
        alarmDescription: `More than ${cloudFront5xxRatePercent}% of the wizard's requests answered 5xx at CloudFront (origin, API or edge) in 2 of 3 five-minute periods.`,
        metric: new Metric({
          namespace: 'AWS/CloudFront',
          metricName: '5xxErrorRate',
          dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
          statistic: 'Average',
          period: Duration.minutes(5),
        }),
        threshold: cloudFront5xxRatePercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const acl = props.edgeWebAcl;
    if (acl) {
      // A CLOUDFRONT web ACL reports in us-east-1 with the WebACL and Rule dimensions only (Region is not
      // used for CloudFront). FILL: a rule that blocked nothing has no data point.
      const blocked = Object.fromEntries(
        acl.rateRuleMetricNames.map((rule, i) => [
          `rule${i}`,
          new Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            dimensionsMap: { WebACL: acl.metricName, Rule: rule },
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
        ]),
      );
      this.edgeRateLimited = this.alarms.route(
        new Alarm(this, 'EdgeRateLimited', {
          alarmDescription: `More than ${edgeRateLimitedPer5Minutes} requests blocked by the edge web ACL's per-address rate rules in 5 minutes: a flood or a spray at CloudFront, before the regional ACL sees it.`,
          metric: new MathExpression({
            expression: Object.keys(blocked)
              .map((id) => `FILL(${id}, 0)`)
              .join(' + '),
            usingMetrics: blocked,
            period: Duration.minutes(5),
            label: 'edge 429s',
          }),
          threshold: edgeRateLimitedPer5Minutes,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
