// The stateless stack: one function per route and the outbox consumer, the regional REST API behind its WAF,
// messaging (SES, SMS settings) and observability. It can be destroyed and redeployed without losing data.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
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
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import {
  type LimitGroup,
  type Route,
  routes,
  scheduledFunctions,
  streamConsumers,
} from '../lambdas/routes.ts';
import { AlarmTopic } from './alarm-topic.ts';
import type { DeployConfig } from './config.ts';
import { DeployHook } from './deploy-hook.ts';
import { EmailSending, SmsSettings } from './messaging.ts';
import { Observability } from './observability.ts';
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

export interface ServiceStackProps extends StackProps {
  config: DeployConfig;
  data: DataResources;
  /** Where the handler modules are; tests point it at stubs. */
  handlersDir?: string;
}

export class ServiceStack extends Stack {
  readonly api: RestApi;
  readonly functions: Record<string, ServiceFunction> = {};
  readonly outboxDlq: Queue;
  readonly alarmTopic: Topic;
  readonly alarms: AlarmTopic;
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

    this.email = new EmailSending(this, 'Email', {
      domain: config.emailDomain,
      from: config.emailFrom,
      topicKey: opsKey,
    });
    // Account-wide: a dev stage deployed into a shared account must not cap everyone's SMS spend.
    if (config.manageAccountSettings) {
      this.smsSettings = new SmsSettings(this, 'SmsSettings', {
        monthlySpendLimitUsd: config.smsMonthlySpendLimitUsd,
        deliveryLogRetention: logRetention,
      });
    }

    const functionFor = (
      handler: string,
      needs: FunctionNeeds,
      extra: Partial<ServiceFunctionProps> = {},
    ) => {
      const fn = new ServiceFunction(this, functionConstructId(handler), {
        handler,
        needs,
        data,
        email: needs.email ? this.email.resources : undefined,
        logRetention,
        logRemovalPolicy: removal,
        handlersDir: props.handlersDir,
        ...extra,
      });
      this.functions[handler] = fn;
      return fn;
    };

    // The origination identity is deployment context, so changing it is a redeploy, never a code change.
    const smsOrigin: Record<string, string> = {
      ...(config.smsOriginationNumber ? { SMS_ORIGINATION_NUMBER: config.smsOriginationNumber } : {}),
      ...(config.smsSenderId ? { SMS_SENDER_ID: config.smsSenderId } : {}),
    };
    for (const route of routes) {
      functionFor(route.handler, route.needs, {
        reservedConcurrentExecutions: route.needs.sms ? config.otpReservedConcurrency : undefined,
        environment: route.needs.sms ? smsOrigin : undefined,
      });
    }

    // The DLQ receives only the stream positions of failed batches (no item data), so SQS-managed keys do.
    this.outboxDlq = new Queue(this, 'OutboxDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const consumer of streamConsumers) {
      const fn = functionFor(consumer.handler, consumer.needs, { timeout: Duration.seconds(30) });
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
      const fn = functionFor(scheduled.handler, scheduled.needs, {
        timeout: Duration.seconds(60),
        environment: { METRICS_NAMESPACE: this.namespace },
      });
      new Rule(this, `${functionConstructId(scheduled.handler)}Schedule`, {
        description: `Self-registration (${config.stage}): runs ${scheduled.handler} every ${scheduled.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(scheduled.everyMinutes)),
        // The live alias, so CodeDeploy shifts the sweep like every other function.
        targets: [new LambdaFunction(fn.alias, { retryAttempts: 2 })],
      });
      this.outboxSweep = fn;
    }

    this.api = this.createApi(config, removal, logRetention);

    this.originSecrets = new OriginVerifySecrets(this, 'OriginVerify', { stage: config.stage });
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
    new CfnWebACLAssociation(this, 'ApiWafAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.webAcl.attrArn,
    });

    this.observability = new Observability(this, 'Observability', {
      namespace: this.namespace,
      dashboardName: `SelfRegistration-${config.stage}`,
      functions: Object.values(this.functions),
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
    for (const fn of Object.values(this.functions)) {
      this.deployments[fn.handler] = new LambdaDeploymentGroup(fn, 'Deployment', {
        application,
        role: deploymentRole,
        alias: fn.alias,
        deploymentConfig: config.isProd
          ? LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES
          : LambdaDeploymentConfig.ALL_AT_ONCE,
        preHook: hook.function,
        alarms: [
          ...(this.observability.deploymentAlarms[fn.handler] ?? []),
          this.observability.alarms.Api5xxRate as Alarm,
        ],
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      });
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Regional API stage URL (the wizard uses /v1 on its own origin)',
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
      restApiName: `self-registration-${config.stage}`,
      description: 'Online self-registration: card, company key or virtual key to online-banking user',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // API Gateway needs an account-level role to write execution logs; AWS lets one exist per region,
      // so only the stage that manages account settings sets it (docs/DEPLOYMENT.md).
      cloudWatchRole: config.manageAccountSettings,
      cloudWatchRoleRemovalPolicy: config.manageAccountSettings ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: config.stage,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
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
          }),
        ),
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

    // TLS 1.2 and 1.3 with forward secrecy on the execute-api endpoint; STRICT rejects mismatched SNI.
    const cfnApi = api.node.defaultChild as CfnRestApi;
    cfnApi.securityPolicy = SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;
    cfnApi.endpointAccessMode = 'STRICT';

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
    // Requests API Gateway answers itself still get the problem+json shape of API.md.
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
        problem(404, 'not_found', 'Not Found', 'Recurso no encontrado.'),
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

    const bodyValidator = new RequestValidator(this, 'BodyValidator', {
      restApi: api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const paramsValidator = new RequestValidator(this, 'ParamsValidator', {
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

    for (const route of routes) {
      const options: MethodOptions = route.body
        ? { requestValidator: bodyValidator, requestModels: { 'application/json': jsonObject } }
        : { requestValidator: paramsValidator };
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
