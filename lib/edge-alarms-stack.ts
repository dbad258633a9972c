// Alarms on CloudFront. Its metrics exist only in us-east-1, and CloudWatch notifies topics of the alarm's
// own region, so this small stack in us-east-1 carries its own alarm topic with the same destination.
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic.ts';
import type { DeployConfig } from './config.ts';

/** Share of viewer requests answered 5xx by CloudFront (origin errors included), in percent. */
export const cloudFront5xxRatePercent = 5;

export interface EdgeAlarmsStackProps extends StackProps {
  config: DeployConfig;
  distributionId: string;
}

export class EdgeAlarmsStack extends Stack {
  readonly alarms: AlarmTopic;
  readonly cloudFront5xx: Alarm;

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
  }
}
