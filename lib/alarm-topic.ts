// Where alarms go: an encrypted SNS topic CloudWatch is allowed to publish to, the on-call address
// subscribed, and optionally the bank's existing paging topic. One per region that raises alarms (the
// service region, and us-east-1 where CloudFront's metrics live).
import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Alarm, IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';

export interface AlarmTopicProps {
  config: DeployConfig;
  /** Encrypts the topic; created here (with CloudWatch allowed to use it) when not given. */
  key?: IKey;
  removal: RemovalPolicy;
}

export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: IKey;
  private readonly actions: IAlarmAction[];

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    this.key =
      props.key ??
      new Key(this, 'Key', {
        description: `Self-registration (${config.stage}): alarm topic in ${stack.region}`,
        enableKeyRotation: true,
        removalPolicy: props.removal,
      });
    if (!props.key) {
      this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    this.topic = new Topic(this, 'Topic', {
      displayName: `Self-registration ${config.stage} alarms`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // Without an explicit allow CloudWatch cannot publish to a topic with a custom policy: the alarm
    // fires and nobody hears it. Scoped to this account's alarms in this region (confused deputy).
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));

    this.actions = [new SnsAction(this.topic)];
    // CloudWatch only notifies topics of its own region; the paging topic gets the alarms raised there.
    const paging = config.alarmTopicArn;
    if (paging && paging.split(':')[3] === stack.region) {
      this.actions.push(new SnsAction(Topic.fromTopicArn(this, 'PagingTopic', paging)));
    }
  }

  /** Sends the alarm's ALARM and OK transitions to the topic (and the paging topic). */
  route(alarm: Alarm): Alarm {
    alarm.addAlarmAction(...this.actions);
    alarm.addOkAction(...this.actions);
    return alarm;
  }
}
