// Every cdk-nag (AwsSolutions) acknowledgement of the app, in this one file: each sits on the narrowest
// construct that raises it and says why the finding is accepted.
import { type Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { routes, streamConsumers } from '../lambdas/routes.ts';
import type { SelfRegistrationApp } from './app.ts';

const acknowledge = (construct: IConstruct, id: string, reason: string): void => {
  Validations.of(construct).acknowledge({ id, reason });
};

/** The one child whose id starts with `prefix` (CDK singletons carry a generated suffix). */
function singleton(stack: Stack, prefix: string): IConstruct | undefined {
  const matches = stack.node.children.filter((child) => child.node.id.startsWith(prefix));
  if (matches.length > 1) throw new Error(`More than one ${prefix}* in ${stack.stackName}`);
  return matches[0];
}

const placeholder = (value: string, pseudo: string): string =>
  Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;

export function acknowledgeNagFindings({ config, data, service, web }: SelfRegistrationApp): void {
  // Data stack.
  for (const secret of [data.hmacSecret, data.pepperSecret, data.tokenKeySecret]) {
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Not rotated automatically on purpose: card look-ups and codes are HMAC-keyed, hashes are peppered and digital-token ' +
        'seeds sealed, so a new value ' +
        'makes stored data unverifiable until it is re-keyed. Rotation is the planned procedure in docs/DEPLOYMENT.md.',
    );
  }

  // Service stack: the origin secrets (rule 37).
  for (const secret of [service.originSecrets.current, service.originSecrets.previous]) {
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'Rotated by the documented procedure (docs/DEPLOYMENT.md), not by a rotation Lambda: the regional ACL must accept ' +
        'the new value before CloudFront sends it, which takes two ordered deployments.',
    );
  }

  const backupRole = data.backupPlan.node.tryFindChild('UserTables')?.node.tryFindChild('Role');
  if (backupRole) {
    acknowledge(
      backupRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'The role AWS Backup assumes to snapshot the selected user tables; AWS documents this managed policy for it.',
    );
  }

  // Service stack: functions.
  const consumers = new Set<string>(streamConsumers.map((consumer) => consumer.handler));
  for (const [handler, fn] of Object.entries(service.functions)) {
    const route = routes.find((candidate) => candidate.handler === handler);
    const reasons: string[] = [];
    if (route?.needs.sms) {
      reasons.push(
        'sns:Publish to a phone number (SMS) has no resource ARN; publishing to any topic is denied',
      );
    }
    if (consumers.has(handler)) {
      reasons.push(
        'dynamodb:ListStreams, needed by the stream event source mapping, has no resource-level permission',
      );
    }
    // Without X-Ray in the functions, only these two kinds of action need a '*' resource.
    if (reasons.length === 0) continue;
    const policy = fn.role.node.tryFindChild('DefaultPolicy');
    if (!policy) throw new Error(`${handler} has no role policy to acknowledge`);
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `Only actions that cannot be scoped: ${reasons.join('; ')}.`,
    );
  }

  for (const method of service.api.methods) {
    const route = routes.find(
      (candidate) => candidate.path === method.resource.path && candidate.method === method.httpMethod,
    );
    const reason = route?.auth
      ? 'Called with the opaque registration token from step 1 (Bearer); the handler checks its hash against the ' +
        'registration in the same conditional update as the step. No IAM or Cognito identity exists before registration.'
      : 'Anonymous by design: the customer has no identity yet; step 1 proves the card or key with its PIN in the handler, ' +
        'behind the WAF rate rules; health is public.';
    acknowledge(method, 'AwsSolutions-APIG4', reason);
    acknowledge(method, 'AwsSolutions-COG4', reason);
  }

  // Service stack, Assisted nested stack: the staff API.
  for (const method of service.assistedApi.methods) {
    acknowledge(
      method,
      'AwsSolutions-COG4',
      'AWS_IAM authorization: staff tools sign each call (SigV4) with their IAM role, granted execute-api:Invoke per ' +
        'method and path; staff identities are IAM (federated) roles, there is no Cognito user pool for them.',
    );
  }
  acknowledge(
    service.assistedApi.deploymentStage,
    'AwsSolutions-APIG3',
    'No web ACL on purpose: only IAM-signed calls from staff roles reach the functions, the stage throttles at 10 rps, ' +
      "and the public ACL's origin-verify rule would block every call since this API is never behind CloudFront.",
  );

  const cloudWatchRole = service.api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(
      cloudWatchRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway assumes to write execution and access logs; AWS documents this managed policy for it.',
    );
  }

  acknowledge(
    service.deploymentRole,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    "CodeDeploy's documented policy for Lambda deployments: read alarms, get and update aliases, invoke only CodeDeployHook_* functions.",
  );

  acknowledge(
    service.outboxDlq,
    'AwsSolutions-SQS3',
    'This queue is itself the on-failure destination (dead-letter queue) of the outbox stream consumer.',
  );

  const smsPolicy = service.smsSettings?.node
    .findChild('SetSmsAttributes')
    .node.tryFindChild('CustomResourcePolicy');
  if (smsPolicy) {
    acknowledge(
      smsPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      'sns:SetSMSAttributes sets account-level SMS settings and has no resource ARN.',
    );
  }
  if (service.smsSettings) {
    const deliveryPolicy = service.smsSettings.deliveryStatusRole.node.findChild('DefaultPolicy');
    for (const group of service.smsSettings.deliveryLogGroups) {
      const groupId = service.getLogicalId(group.node.defaultChild as never);
      acknowledge(
        deliveryPolicy,
        `AwsSolutions-IAM5[Resource::arn:${placeholder(service.partition, 'Partition')}:logs:${placeholder(service.region, 'Region')}:${placeholder(service.account, 'AccountId')}:log-group:<${groupId}>:*]`,
        'SNS writes SMS delivery-status records as log streams of this one log group; stream names are chosen by SNS.',
      );
    }
  }

  const backupSettingsPolicy = data.node
    .tryFindChild('AdvancedDynamoDbBackup')
    ?.node.tryFindChild('CustomResourcePolicy');
  if (backupSettingsPolicy) {
    acknowledge(
      backupSettingsPolicy,
      'AwsSolutions-IAM5[Resource::*]',
      "backup:UpdateRegionSettings turns on AWS Backup's advanced DynamoDB backup for the account and region; it has no resource ARN.",
    );
  }

  for (const [stack, what] of [
    [service, 'SMS settings'],
    [data, "AWS Backup's advanced DynamoDB backup setting"],
  ] as const) {
    const providerRole = singleton(stack, 'AWS679f53fac002430cb0da5b7982bd2287')?.node.tryFindChild(
      'ServiceRole',
    );
    if (!providerRole) continue;
    acknowledge(
      providerRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `aws-cdk-lib's AwsCustomResource provider (${what}); it runs at deploy time only and writes only its own logs.`,
    );
  }

  // Web stack.
  const canaryPolicy = web.canary.role.node.findChild('DefaultPolicy');
  const artifactsId = web.getLogicalId(web.canary.artifacts.node.defaultChild as never);
  acknowledge(
    canaryPolicy,
    `AwsSolutions-IAM5[Resource::<${artifactsId}.Arn>/*]`,
    'The canary writes each run (screenshots, HAR, report) under new keys of its own artifact bucket.',
  );
  acknowledge(
    canaryPolicy,
    'AwsSolutions-IAM5[Resource::*]',
    'Synthetics needs s3:ListAllMyBuckets (no resource ARN) and cloudwatch:PutMetricData, limited by condition to the CloudWatchSynthetics namespace.',
  );
  acknowledge(
    canaryPolicy,
    `AwsSolutions-IAM5[Resource::arn:${placeholder(web.partition, 'Partition')}:logs:${placeholder(web.region, 'Region')}:${placeholder(web.account, 'AccountId')}:log-group:/aws/lambda/cwsyn-selfreg-${config.stage}-*]`,
    "The canary's Lambda log group is named by Synthetics with a generated suffix after the canary name.",
  );
  acknowledge(
    web.distribution,
    'AwsSolutions-CFR1',
    'No geo restriction: Ecuadorian customers living abroad register too; the WAF rate rules limit abuse instead.',
  );
  if (!config.webDomain) {
    acknowledge(
      web.distribution,
      'AwsSolutions-CFR4',
      'Dev only: the default *.cloudfront.net certificate cannot enforce TLS 1.2; prod requires webDomain and ' +
        'webCertificateArn and then sets TLSv1.2_2025 (lib/config.ts refuses prod without them).',
    );
  }

  const deployer = singleton(web, 'Custom::CDKBucketDeployment');
  if (deployer && web.deployment) {
    const bucketDeployment =
      "aws-cdk-lib's BucketDeployment provider, which copies the built wizard at deploy time";
    acknowledge(
      deployer,
      'AwsSolutions-L1',
      `${bucketDeployment}; aws-cdk-lib picks and updates its runtime.`,
    );
    const role = deployer.node.findChild('ServiceRole');
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${bucketDeployment}; the managed policy only lets it write its own logs.`,
    );
    const policy = role.node.findChild('DefaultPolicy');
    const assetBucket = `cdk-hnb659fds-assets-${placeholder(web.account, 'AccountId')}-${placeholder(web.region, 'Region')}`;
    const scoped = `${bucketDeployment}: scoped to the CDK asset bucket and the site bucket by aws-cdk-lib`;
    for (const id of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::arn:${placeholder(web.partition, 'Partition')}:s3:::${assetBucket}/*`,
      `Resource::<${web.getLogicalId(web.siteBucket.node.defaultChild as never)}.Arn>/*`,
    ]) {
      acknowledge(
        policy,
        `AwsSolutions-IAM5[${id}]`,
        `${scoped}; it must read and replace every object of the site.`,
      );
    }
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `${bucketDeployment}: cloudfront:CreateInvalidation and GetInvalidation, which aws-cdk-lib grants on '*'.`,
    );
  }

  // Service stack: CodeDeploy's BeforeAllowTraffic hook (lib/deploy-hook.ts).
  const hookRole = service.deployHook.function.role;
  if (hookRole) {
    const hookWhy = 'CodeDeploy BeforeAllowTraffic hook';
    acknowledge(
      hookRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${hookWhy}: the managed policy only lets it write its own logs.`,
    );
    const arn = (serviceName: string, resource: string) =>
      `Resource::arn:${placeholder(service.partition, 'Partition')}:${serviceName}:${placeholder(service.region, 'Region')}:${placeholder(service.account, 'AccountId')}:${resource}`;
    const hookPolicy = hookRole.node.findChild('DefaultPolicy');
    const functions = arn('lambda', `function:${service.stackName}-*`);
    for (const id of [functions, `${functions}:*`]) {
      acknowledge(
        hookPolicy,
        `AwsSolutions-IAM5[${id}]`,
        `${hookWhy}: invokes the version a deployment moves to; the functions are named <this stack's name>-<handler> in whichever nested stack they are (lib/service-function.ts) and versions are numbered, so the ARN is a pattern of this stack's functions.`,
      );
    }
    acknowledge(
      hookPolicy,
      `AwsSolutions-IAM5[${arn('codedeploy', `deploymentgroup:self-registration-${config.stage}/*`)}]`,
      `${hookWhy}: reads the deployments of this application's groups (one per function, in the nested stacks) to learn the target version, and reports its verdict on them; a pattern, since a reference to each nested group would be a dependency cycle.`,
    );
    acknowledge(
      service.deploymentRole.node.findChild('DefaultPolicy'),
      `AwsSolutions-IAM5[Resource::<${service.getLogicalId(service.deployHook.function.node.defaultChild as never)}.Arn>:*]`,
      'CodeDeploy invokes the hook function (any version of it), as aws-cdk-lib grants for a pre-traffic hook.',
    );
  }
}
