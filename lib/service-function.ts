// The one construct every Lambda function of the service is built with: it holds the runtime, bundling,
// logging and tracing defaults, and derives a least-privilege role and the environment from `needs`.
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Alias,
  Architecture,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Access, RouteNeeds, TableAction } from '../lambdas/routes.ts';
import { type TableName, tableDefinitions, tableEnvVar } from '../lambdas/tables.ts';

/** The project root: entries, package.json and package-lock.json are found from here. */
export const projectRoot = join(import.meta.dirname, '..');
export const defaultHandlersDir = join(projectRoot, 'lambdas', 'handlers');

/** The newest Node.js runtime aws-cdk-lib offers; its esbuild target follows from it. */
export const nodeRuntime = Runtime.NODEJS_24_X;
const esbuildTarget = 'node24';

/** argon2id at m=19 MiB needs the memory, and Lambda's CPU share grows with it: hashing stays well under 1 s. */
export const hashingMemoryMiB = 1024;
export const defaultMemoryMiB = 256;

// ESM bundles have no `require`; CommonJS dependencies that esbuild inlines still call it.
const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export interface FunctionNeeds extends RouteNeeds {
  /** Sends the completion email through SES (only the outbox consumer). */
  email?: boolean;
}

export interface DataResources {
  key: IKey;
  tables: Record<TableName, ITable>;
  hmacSecret: ISecret;
  pepperSecret: ISecret;
  tokenKeySecret: ISecret;
}

export interface EmailResources {
  identityArn: string;
  configurationSetArn: string;
  configurationSetName: string;
  from: string;
}

export interface ServiceFunctionProps {
  /** Handler module name: `<handlersDir>/<handler>.ts`, exporting `handler`. */
  handler: string;
  needs: FunctionNeeds;
  data: DataResources;
  email?: EmailResources;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
  handlersDir?: string;
  timeout?: Duration;
  reservedConcurrentExecutions?: number;
  /** CloudWatch namespace of the metrics the function publishes itself (its 5xx count, the sweep's ages). */
  metricsNamespace?: string;
  /** Extra variables, merged with (never replacing) the ones derived from `needs`. */
  environment?: Record<string, string>;
  /**
   * Names the function and its role `<prefix>-<handler>` (the Service stack's name) instead of leaving the
   * names to CloudFormation. A generated name starts with the stack's name cut to fit 64 characters, and a
   * nested stack's own name is long and generated (`<parent>-<nested id>-<suffix>`), so it could not be relied
   * on to start with `<prefix>-`: the patterns that must match these names (the secrets' resource policies,
   * lib/secret-readers.ts, and the deploy hook's invoke grant, lib/deploy-hook.ts) would miss them.
   */
  physicalNamePrefix?: string;
}

/** IAM role and Lambda function names are at most 64 characters. */
const maxPhysicalNameLength = 64;

/** The IAM actions of a table access: exactly the operations the function calls, nothing by default. */
export const tableActions = (access: Access): string[] => access.map((action) => `dynamodb:${action}`);
/** Operations that only read; any other one writes, and writing needs the key's encrypt actions too. */
const readOnlyActions: ReadonlySet<TableAction> = new Set(['GetItem', 'Scan', 'Query', 'ConditionCheckItem']);
const keyReadActions = ['kms:Decrypt', 'kms:DescribeKey'];
const keyWriteActions = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** The alias every caller (API, stream, schedule) invokes; CodeDeploy shifts it between versions. */
export const liveAliasName = 'live';

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  /** Published version behind the `live` alias: what API Gateway and event sources invoke. */
  readonly alias: Alias;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly handler: string;
  readonly needs: FunctionNeeds;
  readonly timeout: Duration;
  /** The construct id, e.g. StartRegistrationFunction: alarm ids derive from it. */
  readonly constructId: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { needs, data } = props;
    this.handler = props.handler;
    this.needs = needs;
    this.timeout = props.timeout ?? Duration.seconds(10);
    this.constructId = id;
    const region = Stack.of(this).region;
    if (needs.email && !props.email) throw new Error(`${props.handler} needs email but got no SES resources`);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const physicalName = props.physicalNamePrefix
      ? `${props.physicalNamePrefix}-${props.handler}`
      : undefined;
    if (physicalName && physicalName.length > maxPhysicalNameLength) {
      throw new Error(`${physicalName} is longer than ${maxPhysicalNameLength} characters`);
    }
    this.role = new Role(this, 'Role', {
      roleName: physicalName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Least-privilege role of the ${props.handler} function`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group): this function's own group only.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'OwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const environment: Record<string, string> = {};
    if (props.metricsNamespace) environment.METRICS_NAMESPACE = props.metricsNamespace;
    const tableEntries = Object.entries(needs.tables) as [TableName, Access][];
    // The deploy hook's smoke call reads an absent item of a table the function may read (lambdas/storage.ts).
    const smokeTable = tableEntries.find(([, access]) => access.includes('GetItem'))?.[0];
    if (smokeTable) environment.SMOKE_READ_TABLE = smokeTable;
    for (const [name, access] of tableEntries) {
      const table = data.tables[name];
      environment[tableEnvVar(name)] = table.tableName;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: `${name[0]?.toUpperCase()}${name.slice(1)}Table`,
          actions: tableActions(access),
          // A Query may read the table's declared indexes too (the assisted service lists a user's sessions
          // by the signins table's byUser index), each named: no index/* wildcard.
          resources: access.includes('Query')
            ? [
                table.tableArn,
                ...(tableDefinitions[name].indexes ?? []).map(
                  (index) => `${table.tableArn}/index/${index.name}`,
                ),
              ]
            : [table.tableArn],
        }),
      );
    }
    if (tableEntries.length > 0) {
      const writes = tableEntries.some(([, access]) => access.some((action) => !readOnlyActions.has(action)));
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'TableKeyViaDynamoDb',
          actions: writes ? [...keyReadActions, ...keyWriteActions] : keyReadActions,
          resources: [data.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
        }),
      );
    }

    const secrets: [string, ISecret][] = [];
    if (needs.hmacKey) secrets.push(['HMAC_SECRET_ARN', data.hmacSecret]);
    if (needs.pepper) secrets.push(['PEPPER_SECRET_ARN', data.pepperSecret]);
    if (needs.tokenKey) secrets.push(['TOKEN_KEY_SECRET_ARN', data.tokenKeySecret]);
    for (const [variable, secret] of secrets) environment[variable] = secret.secretArn;
    if (secrets.length > 0) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadOwnSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: secrets.map(([, secret]) => secret.secretArn),
        }),
      );
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'SecretKeyViaSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [data.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
        }),
      );
    }

    if (needs.sms) {
      // Publishing to a phone number has no resource ARN, so the allow is '*'; the deny keeps every topic out.
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'PublishSmsToPhoneNumbers', actions: ['sns:Publish'], resources: ['*'] }),
      );
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'NoTopicPublish',
          effect: Effect.DENY,
          actions: ['sns:Publish'],
          resources: [`arn:${Stack.of(this).partition}:sns:*:*:*`],
        }),
      );
    }

    if (needs.email && props.email) {
      environment.EMAIL_FROM = props.email.from;
      environment.SES_CONFIGURATION_SET = props.email.configurationSetName;
      this.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'SendCompletionEmail',
          actions: ['ses:SendEmail'],
          resources: [props.email.identityArn, props.email.configurationSetArn],
          conditions: { StringEquals: { 'ses:FromAddress': props.email.from } },
        }),
      );
    }

    const hashes = needs.hashes === true;
    this.function = new NodejsFunction(this, 'Function', {
      functionName: physicalName,
      entry: join(props.handlersDir ?? defaultHandlersDir, `${props.handler}.ts`),
      handler: 'handler',
      description: `Self-registration: ${props.handler}`,
      // Each deploy's version stays when the next one replaces it, so the runbook's rollback (point `live`
      // at the previous version) has something to point at; old ones are pruned by the runbook's command.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      runtime: nodeRuntime,
      architecture: Architecture.ARM_64,
      memorySize: hashes ? hashingMemoryMiB : defaultMemoryMiB,
      timeout: this.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      // No X-Ray in the function: capturing the SDK clients (Powertools Tracer, which loads aws-xray-sdk-core and
      // async hooks) adds 17-39% to a cold start (docs/PERFORMANCE.md), and active tracing without it records no
      // DynamoDB, SNS or SES call. API Gateway's tracing still samples each request's path and latency.
      tracing: Tracing.DISABLED,
      // Secrets come through the Parameters and Secrets extension: a local HTTP call, cached, and no Secrets
      // Manager client to load at cold start (lambdas/adapters/secrets.ts).
      paramsAndSecrets:
        secrets.length > 0
          ? ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
              cacheEnabled: true,
              cacheSize: 10,
              secretsManagerTtl: Duration.minutes(5),
              logLevel: ParamsAndSecretsLogLevel.WARN,
            })
          : undefined,
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start (about 25 ms, a
      // quarter of the floor; docs/PERFORMANCE.md). Logged stack traces are resolved off the hot path with the
      // map kept beside the bundle in the cloud assembly (`npm run stack`).
      environment: {
        RUNTIME_MODE: 'aws',
        ...props.environment,
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: esbuildTarget,
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // The SDK is bundled, pinned by the lockfile the tests ran against, not the runtime's copy. The one
        // exception is the Secrets Manager client, which only the workstation path of the directory loader
        // loads: in Lambda the extension serves secrets, so the client is left out of every bundle.
        externalModules: ['@aws-sdk/client-secrets-manager'],
        // Native argon2 cannot be bundled: npm installs it into the asset, with its linux-arm64 prebuild.
        nodeModules: hashes ? ['argon2'] : undefined,
        // That install runs in a package.json aws-cdk-lib writes, without the project's allowScripts, so
        // npm 11 warned that argon2's install script was not approved (and did not run it). It must not run:
        // node-gyp-build would compile for this machine into build/, which argon2 loads before its
        // prebuilds, so a Lambda on arm64 would load an x64 binary. The install says so explicitly (no
        // warning, the same asset), and the .npmrc does not stay in the asset.
        commandHooks: hashes
          ? {
              beforeBundling: () => [],
              beforeInstall: (_input: string, output: string) => [
                `echo ignore-scripts=true > "${output}/.npmrc"`,
              ],
              afterBundling: (input: string, output: string) => [
                `rm -f "${output}/.npmrc"`,
                // The common-password list is read at the first check from beside index.mjs (rule 18).
                ...(needs.passwordList
                  ? [`cp "${input}/lambdas/rules/common-passwords.txt" "${output}/common-passwords.txt"`]
                  : []),
              ],
            }
          : undefined,
      },
    });
    this.alias = new Alias(this, 'Live', {
      aliasName: liveAliasName,
      version: this.function.currentVersion,
      description: 'What callers invoke; CodeDeploy shifts it to a new version and back on alarm',
    });
  }
}
