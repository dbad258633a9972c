// The stateless stack: one function per route and the outbox consumer (in one nested stack per journey, see
// below), the regional REST API behind its WAF, the private, IAM-only assisted-service API, messaging (SES, SMS
// settings) and observability. It can be destroyed and redeployed without losing data.
import {
  CfnOutput,
  CfnParameter,
  Duration,
  NestedStack,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  type CfnRestApi,
  EndpointType,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  type Model,
  RequestValidator,
  ResponseType,
  RestApi,
  SecurityPolicy,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigateway';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { InterfaceVpcEndpoint } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  type Alias,
  type CfnAlias,
  FilterCriteria,
  FilterRule,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import {
  assistedRoutes,
  type Journey,
  type LimitGroup,
  type Route,
  routes,
  scheduledFunctions,
  streamConsumers,
} from '../lambdas/routes.ts';
import { AlarmTopic } from './alarm-topic.ts';
import { assistedApiPolicy, assistedForbiddenAlarm, callerLogFields } from './assisted-access.ts';
import { BackupJobAlerts } from './backup-alerts.ts';
import type { DeployConfig } from './config.ts';
import { DeployHook } from './deploy-hook.ts';
import { EmailSending, SmsSettings } from './messaging.ts';
import { apiServerErrorRateAlarm, FunctionAlarms, Observability } from './observability.ts';
import { OriginVerifySecrets, originVerifyHeader } from './origin-verify.ts';
import { restrictSecretReaders } from './secret-readers.ts';
import {
  type DataResources,
  type FunctionNeeds,
  ServiceFunction,
  type ServiceFunctionProps,
} from './service-function.ts';
import { ServiceWebAcl } from './web-acl.ts';

/**
 * Per-method throttling (requests per second, burst), shared by every client: sized in docs/CAPACITY.md from
 * 10 completed registrations a second (five times the expected peak hour), far below the 10,000 rps account
 * default. The per-client WAF limits (lib/web-acl.ts) keep any one client to a small fraction of each (rule 39).
 */
export const methodThrottling: Record<LimitGroup, Required<ThrottleSettings>> = {
  identify: { rateLimit: 20, burstLimit: 40 },
  'sign-in': { rateLimit: 50, burstLimit: 100 },
  'sign-in-step': { rateLimit: 50, burstLimit: 100 },
  otp: { rateLimit: 20, burstLimit: 40 },
  wizard: { rateLimit: 25, burstLimit: 50 },
  public: { rateLimit: 10, burstLimit: 20 },
};
/** Every method together at the design load (docs/CAPACITY.md): about 140 rps. */
export const stageThrottling: Required<ThrottleSettings> = { rateLimit: 150, burstLimit: 300 };

/** The construct id of a route's function, e.g. StartRegistrationFunction. */
export const functionConstructId = (handler: string): string =>
  `${handler
    .split('-')
    .map((word) => `${word[0]?.toUpperCase()}${word.slice(1)}`)
    .join('')}Function`;

/**
 * Where a function deploys: its journey's nested stack, the messaging one (stream consumer and outbox sweep)
 * or the assisted service's (with its own API).
 */
export type FunctionGroup = Journey | 'messaging' | 'assisted';
export const functionGroups: readonly FunctionGroup[] = [
  'registration',
  'sign-in',
  'recovery',
  'self-service',
  'messaging',
  'assisted',
];
/** The construct id of each group's nested stack (its logical id in the Service stack derives from it). */
export const nestedStackIds: Record<FunctionGroup, string> = {
  registration: 'Registration',
  'sign-in': 'SignIn',
  recovery: 'Recovery',
  'self-service': 'SelfService',
  messaging: 'Messaging',
  assisted: 'Assisted',
};
const groupDescriptions: Record<FunctionGroup, string> = {
  registration: 'registration functions, their deployment groups and alarms',
  'sign-in': 'sign-in and digital-token functions, their deployment groups and alarms',
  recovery: 'recovery functions, their deployment groups and alarms',
  'self-service':
    "the customer's security center (sessions, password, activity) and «No fui yo», their deployment groups and alarms",
  messaging: 'outbox stream consumer and sweep, their DLQ, schedule, deployment groups and alarms',
  assisted: 'private assisted-service API (IAM only), its functions, deployment groups and alarms',
};

/** The nested stacks' parameter that names the BeforeAllowTraffic hook (each alias's UpdatePolicy). */
export const beforeAllowTrafficHookParameter = 'BeforeAllowTrafficHookName';

/** The public API's name: its metrics' ApiName dimension. */
export const publicApiName = (stage: string): string => `self-registration-${stage}`;
/** The assisted-service API's name: its metrics' ApiName dimension. */
export const assistedApiName = (stage: string): string => `self-registration-assisted-${stage}`;
/** Staff look up and change one customer at a time: 10 rps for the whole stage, which also caps a misused credential. */
export const assistedThrottling: Required<ThrottleSettings> = { rateLimit: 10, burstLimit: 20 };

export interface ServiceStackProps extends StackProps {
  config: DeployConfig;
  data: DataResources;
  /** Where the handler modules are; tests point it at stubs. */
  handlersDir?: string;
  /**
   * One nested stack per function group (the default, what is deployed). False builds everything into this
   * one template, for SAM local (bin/sam-template.ts), which runs a single template.
   */
  nestedStacks?: boolean;
}

export class ServiceStack extends Stack {
  readonly api: RestApi;
  /** The staff API: AWS_IAM on every method, never behind CloudFront or the public WAF. */
  readonly assistedApi: RestApi;
  readonly functions: Record<string, ServiceFunction> = {};
  /** The group (and so the nested stack) of each function, by handler. */
  readonly groupOf: Record<string, FunctionGroup> = {};
  /** Each group's nested stack; empty when built as one template (nestedStacks: false). */
  readonly nestedStacks: Partial<Record<FunctionGroup, NestedStack>> = {};
  /** Per function, by handler: its security-event filter and its alarms, in the function's own stack. */
  readonly functionAlarms: Record<string, FunctionAlarms> = {};
  /** The assisted API's 5xx rate, in the Assisted stack: its functions' deployments roll back on it. */
  readonly assistedApi5xxRate: Alarm;
  /** The assisted API's 403s (from its access log), in the Assisted stack: probing or a misconfigured role. */
  readonly assistedApiForbidden: Alarm;
  /** The assisted API's access log group, in the Assisted stack. */
  readonly assistedAccessLogs: LogGroup;
  readonly outboxDlq: Queue;
  readonly alarmTopic: Topic;
  readonly alarms: AlarmTopic;
  /** Failed backup and copy jobs of the region, sent to the alarm topic. */
  readonly backupAlerts: BackupJobAlerts;
  /** Account-wide SMS settings; only when the stage manages account settings. */
  readonly smsSettings?: SmsSettings;
  readonly deployments: Record<string, LambdaDeploymentGroup> = {};
  readonly deployHook: DeployHook;
  readonly deploymentRole: Role;
  readonly webAcl: ServiceWebAcl;
  readonly originSecrets: OriginVerifySecrets;
  readonly outboxSweep?: ServiceFunction;
  readonly email: EmailSending;
  readonly observability: Observability;
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const removal = config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.isProd ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH;
    this.namespace = `SelfRegistration/${config.stage}`;

    // Alarm and email-event notifications are encrypted; CloudWatch and SES must be able to use the key.
    const opsKey = new Key(this, 'OpsKey', {
      description: `Self-registration (${config.stage}): alarm and email-event topics`,
      enableKeyRotation: true,
      removalPolicy: removal,
    });
    for (const service of ['cloudwatch.amazonaws.com', 'ses.amazonaws.com']) {
      opsKey.grant(new ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey');
    }
    this.alarms = new AlarmTopic(this, 'Alarms', { config, key: opsKey, removal });
    this.alarmTopic = this.alarms.topic;
    this.backupAlerts = new BackupJobAlerts(this, 'BackupAlerts', {
      stage: config.stage,
      topic: this.alarmTopic,
      topicKey: opsKey,
    });

    this.email = new EmailSending(this, 'Email', {
      domain: config.emailDomain,
      from: config.emailFrom,
      topicKey: opsKey,
    });
    // Account-wide: a dev stage deployed into a shared account must not cap everyone's SMS spend.
    if (config.manageAccountSettings) {
      this.smsSettings = new SmsSettings(this, 'SmsSettings', {
        monthlySpendLimitUsd: config.smsMonthlySpendLimitUsd,
      });
    }

    // CloudFormation allows 500 resources per stack, and each function brings about eleven (function, role,
    // policy, log group, version, alias, metric filter, deployment group, three alarms). So the functions
    // live in one nested stack per journey, with what must deploy with them: a live alias's CodeDeploy
    // UpdatePolicy names its deployment group, which names its alarms, so all of them share a template.
    // The Service stack keeps the API, the WAF, the secrets, the topic, SES, the dashboard and the API-level
    // alarms; `cdk deploy` of the Service stack still deploys everything (docs/DEPLOYMENT.md).
    const nested = props.nestedStacks ?? true;
    const scopes = {} as Record<FunctionGroup, Construct>;
    for (const group of functionGroups) {
      if (!nested) {
        scopes[group] = this;
        continue;
      }
      const stack = new NestedStack(this, nestedStackIds[group], {
        description: `Self-registration (${config.stage}): ${groupDescriptions[group]}`,
      });
      this.nestedStacks[group] = stack;
      scopes[group] = stack;
    }

    const functionFor = (
      group: FunctionGroup,
      handler: string,
      needs: FunctionNeeds,
      extra: Partial<ServiceFunctionProps> = {},
    ) => {
      const fn = new ServiceFunction(scopes[group], functionConstructId(handler), {
        handler,
        needs,
        data,
        email: needs.email ? this.email.resources : undefined,
        logRetention,
        logRemovalPolicy: removal,
        handlersDir: props.handlersDir,
        // The Service stack's name, whatever nested stack the function is in (see ServiceFunctionProps).
        physicalNamePrefix: this.stackName,
        metricsNamespace: this.namespace,
        ...extra,
      });
      this.functions[handler] = fn;
      this.groupOf[handler] = group;
      // In the function's stack: its deployment group (same stack) rolls back on the errors and latency alarms.
      this.functionAlarms[handler] = new FunctionAlarms(fn, 'Alarms', {
        namespace: this.namespace,
        alarmTopic: this.alarms,
      });
      return fn;
    };

    // The origination identity is deployment context, so changing it is a redeploy, never a code change.
    const smsOrigin: Record<string, string> = {
      ...(config.smsOriginationNumber ? { SMS_ORIGINATION_NUMBER: config.smsOriginationNumber } : {}),
      ...(config.smsSenderId ? { SMS_SENDER_ID: config.smsSenderId } : {}),
    };
    for (const route of routes) {
      functionFor(route.journey, route.handler, route.needs, {
        reservedConcurrentExecutions: route.needs.sms ? config.otpReservedConcurrency : undefined,
        environment: route.needs.sms ? smsOrigin : undefined,
      });
    }
    for (const route of assistedRoutes) functionFor('assisted', route.handler, route.needs);

    // The «No fui yo» links in security emails point at the web pages (rule 55): the stage's web domain.
    const webLinks: Record<string, string> = config.webDomain
      ? { WEB_BASE_URL: `https://${config.webDomain}` }
      : {};

    // The DLQ receives only the stream positions of failed batches (no item data), so SQS-managed keys do.
    this.outboxDlq = new Queue(scopes.messaging, 'OutboxDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const consumer of streamConsumers) {
      const fn = functionFor('messaging', consumer.handler, consumer.needs, {
        timeout: Duration.seconds(30),
        environment: webLinks,
      });
      const table = data.tables[consumer.source];
      if (!table.tableStreamArn) throw new Error(`The ${consumer.source} table has no stream`);
      // The mapping invokes the live alias, so CodeDeploy shifts the consumer too. Granted by hand: the
      // event source helper would add an unconditioned kms:Decrypt on the data key.
      fn.alias.addEventSourceMapping('Stream', {
        eventSourceArn: table.tableStreamArn,
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 5,
        maxRecordAge: Duration.hours(6),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.outboxDlq),
        // TTL deletions also reach the stream; only new outbox items are emails to send.
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
      });
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadOwnStream',
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [table.tableStreamArn],
        }),
      );
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }),
      );
      this.outboxDlq.grantSendMessages(fn.role);
    }

    // The outbox sweep (rule 43): EventBridge runs it every few minutes, whatever the stream did or failed to do.
    for (const scheduled of scheduledFunctions) {
      const fn = functionFor('messaging', scheduled.handler, scheduled.needs, {
        timeout: Duration.seconds(60),
        environment: webLinks,
      });
      new Rule(scopes.messaging, `${functionConstructId(scheduled.handler)}Schedule`, {
        description: `Self-registration (${config.stage}): runs ${scheduled.handler} every ${scheduled.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(scheduled.everyMinutes)),
        // The live alias, so CodeDeploy shifts the sweep like every other function.
        targets: [new LambdaFunction(fn.alias, { retryAttempts: 2 })],
      });
      if (scheduled.handler === 'sweep-outbox') this.outboxSweep = fn;
    }

    this.api = this.createApi(config, removal, logRetention);
    ({ api: this.assistedApi, accessLogs: this.assistedAccessLogs } = this.createAssistedApi(
      scopes.assisted,
      config,
      removal,
      logRetention,
    ));
    this.assistedApiForbidden = this.alarms.route(
      assistedForbiddenAlarm(scopes.assisted, this.assistedAccessLogs, this.namespace).alarm,
    );
    this.assistedApi5xxRate = this.alarms.route(
      apiServerErrorRateAlarm(
        scopes.assisted,
        'AssistedApi5xxRate',
        this.assistedApi,
        'assisted-service API',
      ),
    );

    this.originSecrets = new OriginVerifySecrets(this, 'OriginVerify', {
      stage: config.stage,
      encryptionKey: data.key,
    });
    for (const secret of [this.originSecrets.current, this.originSecrets.previous]) {
      restrictSecretReaders(secret, config);
    }
    this.webAcl = new ServiceWebAcl(this, 'ApiWaf', {
      scope: 'REGIONAL',
      metricPrefix: `SelfRegistration${config.isProd ? 'Prod' : 'Dev'}Api`,
      originVerify: { headerName: originVerifyHeader, acceptedValues: this.originSecrets.acceptedValues },
      originSecretGeneration: config.originSecretGeneration,
      logRetention,
      logRemovalPolicy: removal,
    });
    // The public API only: the assisted API is never associated with this ACL (it is not behind CloudFront,
    // so the ACL's origin-verify rule would block every staff call) and is reached with SigV4 alone.
    new CfnWebACLAssociation(this, 'ApiWafAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.webAcl.attrArn,
    });

    this.observability = new Observability(this, 'Observability', {
      namespace: this.namespace,
      dashboardName: `SelfRegistration-${config.stage}`,
      functions: Object.values(this.functions),
      functionAlarms: this.functionAlarms,
      functionGroups: Object.fromEntries(
        functionGroups.map((group) => [
          group,
          Object.values(this.functions).filter((fn) => this.groupOf[fn.handler] === group),
        ]),
      ),
      otherAlarms: {
        AssistedApi5xxRate: this.assistedApi5xxRate,
        AssistedApiForbidden: this.assistedApiForbidden,
      },
      otpSender: this.otpSender(),
      api: this.api,
      outboxDlq: this.outboxDlq,
      outboxConsumer: this.streamConsumer(),
      tables: data.tables,
      alarmTopic: this.alarms,
      smsMonthlySpendLimitUsd: config.smsMonthlySpendLimitUsd,
      webAcl: {
        metricName: this.webAcl.metricName,
        rateRuleMetricNames: this.webAcl.rateRuleMetricNames,
        region: this.region,
      },
    });

    // Safe deploys: before any traffic moves, a hook invokes the new version once with a smoke event (a
    // version that cannot load or parse its configuration never takes traffic); then it takes 10% of the
    // traffic for 15 minutes in prod, and CodeDeploy shifts back by itself when that function's error or
    // latency alarm, or the API's 5xx rate, fires. Dev shifts at once, after the same hook.
    const applicationName = `self-registration-${config.stage}`;
    const application = new LambdaApplication(this, 'Deployments', { applicationName });
    const hook = new DeployHook(this, 'BeforeAllowTraffic', {
      applicationName,
      logRetention,
      logRemovalPolicy: removal,
    });
    this.deployHook = hook;
    // One role for every deployment group: CodeDeploy's documented managed policy for Lambda shifts.
    this.deploymentRole = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'CodeDeploy shifts the live aliases of the service functions with this role',
    });
    const deploymentRole = this.deploymentRole;
    // Granted here once, not by each group (aws-cdk-lib's `preHook` grants the hook's role
    // PutLifecycleEventHookExecutionStatus on the group's ARN: a reference from this stack's hook role to
    // every nested stack's group, while each group refers to the hook, a dependency cycle). The hook may
    // report on the groups of this application only (lib/deploy-hook.ts).
    hook.function.grantInvoke(deploymentRole);
    // The hook's name reaches each nested stack as a parameter. aws-cdk-lib turns references into nested
    // stack parameters only when a resource property holds them, never for the UpdatePolicy alone.
    const hookNames = new Map<Stack, string>();
    const hookNameIn = (stack: Stack): string => {
      if (!NestedStack.isNestedStack(stack)) return hook.function.functionName;
      let name = hookNames.get(stack);
      if (!name) {
        name = new CfnParameter(stack, beforeAllowTrafficHookParameter, {
          type: 'String',
          description: 'The CodeDeploy BeforeAllowTraffic hook function of the Service stack',
        }).valueAsString;
        stack.setParameter(beforeAllowTrafficHookParameter, hook.function.functionName);
        hookNames.set(stack, name);
      }
      return name;
    };
    for (const fn of Object.values(this.functions)) {
      const apiAlarm =
        this.groupOf[fn.handler] === 'assisted'
          ? this.assistedApi5xxRate
          : (this.observability.alarms.Api5xxRate as Alarm);
      this.deployments[fn.handler] = new LambdaDeploymentGroup(fn, 'Deployment', {
        application,
        role: deploymentRole,
        alias: fn.alias,
        deploymentConfig: config.isProd
          ? LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES
          : LambdaDeploymentConfig.ALL_AT_ONCE,
        alarms: [...(this.observability.deploymentAlarms[fn.handler] ?? []), apiAlarm],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
      runBeforeAllowTraffic(fn.alias, hookNameIn(Stack.of(fn)));
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Regional API stage URL (the wizard uses /v1 on its own origin)',
    });
    new CfnOutput(this, 'AssistedApiUrl', {
      value: this.assistedApi.url,
      description: 'Assisted-service API stage URL: staff tools call it with SigV4 (execute-api:Invoke)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'EmailEventsTopicArn', { value: this.email.eventsTopic.topicArn });
    new CfnOutput(this, 'OutboxDlqUrl', { value: this.outboxDlq.queueUrl });
    new CfnOutput(this, 'SesConfigurationSetName', {
      value: this.email.configurationSet.configurationSetName,
    });
  }

  private createApi(config: DeployConfig, removal: RemovalPolicy, logRetention: RetentionDays): RestApi {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: removal,
    });
    const methodOptions: Record<string, { throttlingRateLimit: number; throttlingBurstLimit: number }> = {};
    for (const route of routes) {
      const throttle = methodThrottling[route.limitGroup];
      methodOptions[`${route.path}/${route.method}`] = {
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      };
    }

    const api = new RestApi(this, 'Api', {
      restApiName: publicApiName(config.stage),
      description: 'Online self-registration: card, company key or virtual key to online-banking user',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // API Gateway needs an account-level role to write execution logs; AWS lets one exist per region,
      // so only the stage that manages account settings sets it (docs/DEPLOYMENT.md).
      cloudWatchRole: config.manageAccountSettings,
      cloudWatchRoleRemovalPolicy: config.manageAccountSettings ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request and response bodies carry PINs, codes and passwords: never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: stageThrottling.rateLimit,
        throttlingBurstLimit: stageThrottling.burstLimit,
        methodOptions,
      },
    });

    harden(api);
    addProblemResponses(api);

    const validation = requestValidation(this, api, '');

    for (const route of routes) {
      const options = validation(route.body);
      api.root
        .resourceForPath(route.path)
        .addMethod(
          route.method,
          new LambdaIntegration(this.routeFunction(route).alias, { allowTestInvoke: false }),
          options,
        );
    }
    return api;
  }

  /**
   * The assisted-service API for branch and call-center staff: a REST API of its own, in the Assisted nested
   * stack with its functions, PRIVATE behind the bank's VPC endpoint with a resource policy naming the staff
   * roles (lib/assisted-access.ts). Every method is AWS_IAM (SigV4): a staff role is granted execute-api:Invoke
   * per method and path (docs/DEPLOYMENT.md). It is never an origin of CloudFront and never associated with the
   * public web ACL. Returns the API and its access log group.
   */
  private createAssistedApi(
    scope: Construct,
    config: DeployConfig,
    removal: RemovalPolicy,
    logRetention: RetentionDays,
  ): { api: RestApi; accessLogs: LogGroup } {
    const accessLogs = new LogGroup(scope, 'AssistedApiAccessLogs', {
      retention: logRetention,
      removalPolicy: removal,
    });
    // Private behind the bank's execute-api endpoint (required in prod); a dev stage without one stays regional.
    const endpointId = config.assistedVpcEndpointId;
    const api = new RestApi(scope, 'AssistedApi', {
      restApiName: assistedApiName(config.stage),
      description:
        'Assisted service for branch and call-center staff: IAM-signed calls from named staff roles through the ' +
        "bank's VPC endpoint only, never behind CloudFront",
      endpointConfiguration: endpointId
        ? {
            types: [EndpointType.PRIVATE],
            vpcEndpoints: [
              InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(scope, 'AssistedVpcEndpoint', {
                vpcEndpointId: endpointId,
                port: 443,
              }),
            ],
          }
        : { types: [EndpointType.REGIONAL] },
      policy: assistedApiPolicy(config),
      // The account-level logging role is the public API's (one per region, see createApi).
      cloudWatchRole: false,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        // Who signed each call (rule 60): the audit entry names the caller, the access log proves it.
        accessLogFormat: accessLogFormat(callerLogFields),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Requests name customers: never log bodies.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: assistedThrottling.rateLimit,
        throttlingBurstLimit: assistedThrottling.burstLimit,
      },
    });
    // Execution logging needs the account's CloudWatch role, which the public API's stage brings.
    const account = this.api.node.tryFindChild('Account');
    if (account) api.deploymentStage.node.addDependency(account);
    harden(api);
    addProblemResponses(api, { signed: true });
    const validation = requestValidation(scope, api, 'Assisted');
    for (const route of assistedRoutes) {
      const fn = this.functions[route.handler];
      if (!fn) throw new Error(`No function for assisted route ${route.method} ${route.path}`);
      api.root
        .resourceForPath(route.path)
        .addMethod(route.method, new LambdaIntegration(fn.alias, { allowTestInvoke: false }), {
          ...validation(route.body),
          authorizationType: AuthorizationType.IAM,
        });
    }
    return { api, accessLogs };
  }

  private streamConsumer(): ServiceFunction {
    const consumer = streamConsumers[0];
    const fn = consumer && this.functions[consumer.handler];
    if (!fn) throw new Error('The outbox stream has no consumer function');
    return fn;
  }

  private otpSender(): ServiceFunction {
    const route = routes.find((candidate) => candidate.needs.sms);
    if (!route) throw new Error('The route table has no SMS sender');
    return this.routeFunction(route);
  }

  private routeFunction(route: Route): ServiceFunction {
    const fn = this.functions[route.handler];
    if (!fn) throw new Error(`No function for route ${route.method} ${route.path}`);
    return fn;
  }
}

/**
 * The access log line of both APIs: who called what, the outcome and the latencies, never a body. `extra`
 * adds fields (the staff API's signing principal).
 */
function accessLogFormat(extra: Record<string, string> = {}): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      extendedRequestId: AccessLogField.contextExtendedRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      ip: AccessLogField.contextIdentitySourceIp(),
      userAgent: AccessLogField.contextIdentityUserAgent(),
      httpMethod: AccessLogField.contextHttpMethod(),
      resourcePath: AccessLogField.contextResourcePath(),
      status: AccessLogField.contextStatus(),
      protocol: AccessLogField.contextProtocol(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationLatency: AccessLogField.contextIntegrationLatency(),
      integrationStatus: AccessLogField.contextIntegrationStatus(),
      errorType: AccessLogField.contextErrorResponseType(),
      wafStatus: AccessLogField.contextWafResponseCode(),
      xrayTraceId: AccessLogField.contextXrayTraceId(),
      ...extra,
    }),
  );
}

/** TLS 1.2 and 1.3 with forward secrecy on the execute-api endpoint; STRICT rejects mismatched SNI. */
function harden(api: RestApi): void {
  const cfnApi = api.node.defaultChild as CfnRestApi;
  cfnApi.securityPolicy = SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
  cfnApi.endpointAccessMode = 'STRICT';
}

/** Requests API Gateway answers itself still get the problem+json shape of API.md. */
function addProblemResponses(api: RestApi, options: { signed?: boolean } = {}): void {
  const problem = (status: number | undefined, code: string, title: string, detail: string) => ({
    statusCode: status === undefined ? undefined : String(status),
    responseHeaders: { 'Content-Type': "'application/problem+json'", 'Cache-Control': "'no-store'" },
    templates: {
      'application/json': JSON.stringify({
        type: 'about:blank',
        title,
        status,
        code,
        detail,
        requestId: '$context.requestId',
      }),
    },
  });
  const gatewayResponses: [string, ResponseType, ReturnType<typeof problem>][] = [
    [
      'Throttled',
      ResponseType.THROTTLED,
      problem(
        429,
        'rate_limited',
        'Too Many Requests',
        'Demasiadas solicitudes. Intente nuevamente en unos segundos.',
      ),
    ],
    [
      'BadRequestBody',
      ResponseType.BAD_REQUEST_BODY,
      problem(400, 'malformed_request', 'Bad Request', 'La solicitud no es un JSON válido.'),
    ],
    [
      'MissingRoute',
      ResponseType.MISSING_AUTHENTICATION_TOKEN,
      // On the IAM-only API this is also an unsigned call to a real route, so it says so.
      options.signed
        ? problem(
            403,
            'signature_required',
            'Forbidden',
            'Unknown route, or the request is not signed (SigV4, execute-api).',
          )
        : problem(404, 'not_found', 'Not Found', 'Recurso no encontrado.'),
    ],
    // No status: API Gateway keeps the one it chose (413, 415...).
    [
      'Default4xx',
      ResponseType.DEFAULT_4XX,
      problem(undefined, 'request_rejected', 'Request Rejected', 'Solicitud no válida.'),
    ],
    [
      'Default5xx',
      ResponseType.DEFAULT_5XX,
      problem(
        503,
        'service_unavailable',
        'Service Unavailable',
        'Servicio no disponible. Intente nuevamente.',
      ),
    ],
  ];
  for (const [id, type, response] of gatewayResponses) {
    api.addGatewayResponse(id, { type, ...response });
  }
}

/**
 * The body and parameter validators of an API and its JSON-object model: each method validates its
 * parameters, and its body when it has one (the handler's zod schema checks the fields).
 */
function requestValidation(scope: Construct, api: RestApi, prefix: string): (body: boolean) => MethodOptions {
  const bodyValidator = new RequestValidator(scope, `${prefix}BodyValidator`, {
    restApi: api,
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  const paramsValidator = new RequestValidator(scope, `${prefix}ParamsValidator`, {
    restApi: api,
    validateRequestBody: false,
    validateRequestParameters: true,
  });
  const jsonObject: Model = api.addModel('JsonObjectBody', {
    contentType: 'application/json',
    modelName: 'JsonObjectBody',
    description: 'Any JSON object: the handler validates the fields with its own schema',
    schema: { schema: JsonSchemaVersion.DRAFT4, type: JsonSchemaType.OBJECT },
  });
  return (body) =>
    body
      ? { requestValidator: bodyValidator, requestModels: { 'application/json': jsonObject } }
      : { requestValidator: paramsValidator };
}

/**
 * Names the BeforeAllowTraffic hook in the alias's CodeDeploy UpdatePolicy. Done here rather than with the
 * deployment group's `preHook`, which would also grant the hook's role (in the Service stack) a statement on
 * the group's ARN (in a nested stack) while the group refers to the hook: a cycle. The grants are made
 * once in the Service stack instead (hook.function.grantInvoke, and lib/deploy-hook.ts).
 */
function runBeforeAllowTraffic(alias: Alias, hookName: string): void {
  const cfnAlias = alias.node.defaultChild as CfnAlias;
  const update = cfnAlias.cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate;
  if (!update) throw new Error(`${alias.node.path} has no CodeDeploy update policy`);
  cfnAlias.cfnOptions.updatePolicy = {
    ...cfnAlias.cfnOptions.updatePolicy,
    codeDeployLambdaAliasUpdate: {
      applicationName: update.applicationName,
      deploymentGroupName: update.deploymentGroupName,
      beforeAllowTrafficHook: hookName,
    },
  };
}
