// Assembles the stacks of one stage from the CDK context: data (stateful), service (stateless), the
// us-east-1 edge WAF and the web hosting. bin/app.ts and the infrastructure tests both build the app here.
import { App, type AppProps, type Environment, Tags } from 'aws-cdk-lib';
import { type DeployConfig, readDeployConfig } from './config.ts';
import { DataStack } from './data-stack.ts';
import { EdgeAlarmsStack } from './edge-alarms-stack.ts';
import { EdgeWafStack, edgeRegion } from './edge-waf-stack.ts';
import { encryptEveryLogGroup } from './log-encryption.ts';
import { logRetentionForEveryFunction, logRetentionOf } from './log-retention.ts';
import { acknowledgeNagFindings } from './nag-acknowledgements.ts';
import { stackPrefix } from './secret-readers.ts';
import { ServiceStack } from './service-stack.ts';
import { WebStack } from './web-stack.ts';

export interface CreateAppOptions {
  /** CDK context, as `-c key=value` would give it (tests pass it here). */
  context?: Record<string, unknown>;
  appProps?: AppProps;
  /** Handler modules directory; defaults to lambdas/handlers. */
  handlersDir?: string;
  /** Built web wizard to upload; none leaves the bucket empty (refused in prod). */
  siteDirectory?: string;
}

export interface SelfRegistrationApp {
  app: App;
  config: DeployConfig;
  data: DataStack;
  service: ServiceStack;
  edgeWaf?: EdgeWafStack;
  web: WebStack;
  edgeAlarms: EdgeAlarmsStack;
}

export function createApp(options: CreateAppOptions = {}): SelfRegistrationApp {
  const app = new App({
    ...options.appProps,
    context: {
      // Strong references stop the data stack from being changed under the service stack that uses it.
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      ...options.appProps?.context,
      ...options.context,
    },
  });
  const config = readDeployConfig(app.node);
  if (config.isProd && !options.siteDirectory) {
    throw new Error('prod needs the built web wizard: build it (web/build.ts) before `cdk deploy`.');
  }
  const prefix = stackPrefix(config);
  const env: Environment = { account: config.account, region: config.region };

  const data = new DataStack(app, `${prefix}Data`, {
    env,
    config,
    description: `Self-registration (${config.stage}), stateful: KMS key, DynamoDB tables, secrets`,
    terminationProtection: config.isProd,
  });
  const service = new ServiceStack(app, `${prefix}Service`, {
    env,
    config,
    data: {
      key: data.key,
      tables: data.tables,
      hmacSecret: data.hmacSecret,
      pepperSecret: data.pepperSecret,
      tokenKeySecret: data.tokenKeySecret,
    },
    handlersDir: options.handlersDir,
    description: `Self-registration (${config.stage}), stateless: functions, API, WAF, alarms`,
    terminationProtection: config.isProd,
  });
  service.addStackDependency(data);

  let edgeWaf: EdgeWafStack | undefined;
  let webAclArn = config.cloudFrontWebAclArn;
  if (!webAclArn) {
    edgeWaf = new EdgeWafStack(app, `${prefix}EdgeWaf`, {
      env: { account: config.account, region: edgeRegion },
      config,
      crossRegionReferences: true,
      description: `Self-registration (${config.stage}): CloudFront web ACL (us-east-1 only)`,
      terminationProtection: config.isProd,
    });
    webAclArn = edgeWaf.webAclArn;
  }
  const web = new WebStack(app, `${prefix}Web`, {
    env,
    config,
    api: service.api,
    alarmTopic: service.alarms,
    webAclArn,
    siteDirectory: options.siteDirectory,
    crossRegionReferences: edgeWaf !== undefined,
    description: `Self-registration (${config.stage}): web wizard on S3 and CloudFront, /v1 to the API`,
    terminationProtection: config.isProd,
  });
  if (edgeWaf) web.addStackDependency(edgeWaf);
  const edgeAlarms = new EdgeAlarmsStack(app, `${prefix}EdgeAlarms`, {
    env: { account: config.account, region: edgeRegion },
    config,
    distributionId: web.distribution.distributionId,
    edgeWebAcl: edgeWaf
      ? {
          metricName: edgeWaf.webAcl.metricName,
          rateRuleMetricNames: edgeWaf.webAcl.rateRuleMetricNames,
        }
      : undefined,
    crossRegionReferences: config.region !== edgeRegion,
    description: `Self-registration (${config.stage}): CloudFront alarms (its metrics exist in us-east-1 only)`,
    terminationProtection: config.isProd,
  });
  edgeAlarms.addStackDependency(web);

  const encryption = { stage: config.stage, removalPolicy: logRetentionOf(config.isProd).removalPolicy };
  logRetentionForEveryFunction(app, { ...logRetentionOf(config.isProd), encryption });
  encryptEveryLogGroup(app, encryption);
  // Not on dashboards: CloudFormation's AWS::CloudWatch::Dashboard takes no Tags in every region (cfn-lint E3002
  // on the sa-east-1 schema), and a dashboard holds no data to classify.
  const tagging = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  Tags.of(app).add('Application', 'self-registration', tagging);
  Tags.of(app).add('Stage', config.stage, tagging);

  const result: SelfRegistrationApp = { app, config, data, service, edgeWaf, web, edgeAlarms };
  acknowledgeNagFindings(result);
  return result;
}
