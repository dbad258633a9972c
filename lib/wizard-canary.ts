// A CloudWatch Synthetics canary that loads the wizard and calls /v1/health through CloudFront every five
// minutes, with its own least-privilege role and a private artifact bucket, and an alarm on failed runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Canary, Code, Runtime, Schedule, Test } from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic.ts';

/** Two failed runs in a row (10 minutes): one failed run can be a transient edge or network blip. */
export const canaryFailedRunsToAlarm = 2;

export interface WizardCanaryProps {
  /** https://<the wizard's domain>, no trailing slash. */
  siteUrl: string;
  /** Short name, lower case, at most 21 characters (Synthetics' limit). */
  canaryName: string;
  logsBucket: IBucket;
  alarmTopic: AlarmTopic;
  removal: RemovalPolicy;
}

export class WizardCanary extends Construct {
  readonly canary: Canary;
  readonly role: Role;
  readonly artifacts: Bucket;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: WizardCanaryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.artifacts = new Bucket(this, 'Artifacts', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logsBucket,
      serverAccessLogsPrefix: 's3-canary/',
      // Screenshots and HAR files of a public page: useful for a week of incident review, then noise.
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: props.removal,
      autoDeleteObjects: false,
    });

    // Instead of the role Synthetics would generate: exactly what the canary runtime calls.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Least-privilege role of the wizard canary',
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteArtifacts',
        actions: ['s3:PutObject'],
        resources: [this.artifacts.arnForObjects('*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LocateArtifactBucket',
        actions: ['s3:GetBucketLocation'],
        resources: [this.artifacts.bucketArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ListBuckets', actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PutSyntheticsMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'OwnLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `/aws/lambda/cwsyn-${props.canaryName}-*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );

    this.canary = new Canary(this, 'Canary', {
      canaryName: props.canaryName,
      runtime: Runtime.SYNTHETICS_NODEJS_PUPPETEER_9_1,
      test: Test.custom({
        code: Code.fromInline(
          readFileSync(join(import.meta.dirname, 'canary', 'wizard-and-health.js'), 'utf8'),
        ),
        handler: 'index.handler',
      }),
      schedule: Schedule.rate(Duration.minutes(5)),
      environmentVariables: { SITE_URL: props.siteUrl },
      artifactsBucketLocation: { bucket: this.artifacts, prefix: 'runs' },
      role: this.role,
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: Duration.days(30),
      startAfterCreation: true,
    });

    this.alarm = props.alarmTopic.route(
      new Alarm(this, 'Failing', {
        alarmDescription:
          'The canary could not load the wizard or get 200 from /v1/health through CloudFront in two runs in a row: customers cannot register.',
        metric: this.canary.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: canaryFailedRunsToAlarm,
        // A canary that stopped reporting is as bad as one that fails.
        treatMissingData: TreatMissingData.BREACHING,
      }),
    );
  }
}
