// `npm run sam:template`: the dev service stack as a template SAM CLI can run on a workstation with Docker
// (`sam local start-api`, `sam local invoke`). It builds the very ServiceStack of lib/ (same functions, same
// bundling, same route table), but on references to plain table names instead of the data stack's exports,
// so the template holds no Fn::ImportValue; the functions reach DynamoDB Local and read the local secrets
// file. Writes .sam/template.json, the bundled assets beside it, and .sam/env.json (`--env-vars`), keyed by
// the template's logical ids. See docs/SAM-LOCAL.md.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { assistedRoutes, routes, scheduledFunctions, streamConsumers } from '../lambdas/routes.ts';
import { type TableName, tableEnvVar, tableNames } from '../lambdas/tables.ts';
import { readDeployConfig } from '../lib/config.ts';
import type { DataResources } from '../lib/service-function.ts';
import { projectRoot } from '../lib/service-function.ts';
import { ServiceStack } from '../lib/service-stack.ts';
import { physicalName } from './local/tables.ts';

export const samStackName = 'SelfRegistrationSam';
/** Where the local secrets file lands inside each function's asset, i.e. in SAM's container. */
export const containerSecretsFile = '/var/task/local-secrets.json';
/** The SMS outbox inside send-otp's container (read it with `docker exec`, see docs/SAM-LOCAL.md). */
export const containerSmsOutbox = '/tmp/sms-outbox';

export interface SamTemplateOptions {
  /** Output folder: template.json, env.json and the asset.* folders. */
  outdir: string;
  /** DynamoDB as the containers reach it, e.g. http://host.docker.internal:8000. */
  dynamodbEndpoint: string;
  /** The SES emulator as the containers reach it (optional: the email function only). */
  sesEndpoint?: string;
  /** Prefix of the table names, as `npm start` / TABLE_PREFIX created them. */
  tablePrefix: string;
  /** The `{ hmacKey, pepper }` file the customers were loaded with (`.local/secrets.json`). */
  secretsFile: string;
  architecture: 'arm64' | 'x86_64';
}

export interface SamFunction {
  handler: string;
  logicalId: string;
  /** `GET /v1/health`, or the stream it consumes. */
  trigger: string;
  usesSecrets: boolean;
}

export interface SamTemplate {
  templateFile: string;
  envVarsFile: string;
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> } & object> };
  envVars: Record<string, Record<string, string>>;
  functions: SamFunction[];
}

// Literal ARNs: tokens of another stack would become exports and imports again. The region and account are
// placeholders SAM never calls; the names are what the functions use.
const fakeRegion = 'us-east-1';
const fakeAccount = '000000000000';

/** References to what `npm start` (or TABLE_PREFIX) created in DynamoDB Local, by plain name. */
function localData(scope: Stack, prefix: string): DataResources {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${fakeRegion}:${fakeAccount}:${resource}`;
  const tables = Object.fromEntries(
    tableNames.map((name) => {
      const tableName = physicalName(prefix, name);
      return [
        name,
        Table.fromTableAttributes(scope, `${name}Table`, {
          tableArn: arn('dynamodb', `table/${tableName}`),
          tableStreamArn: arn('dynamodb', `table/${tableName}/stream/local`),
        }),
      ];
    }),
  ) as DataResources['tables'];
  return {
    tables,
    key: Key.fromKeyArn(scope, 'DataKey', arn('kms', 'key/00000000-0000-4000-8000-000000000000')),
    hmacSecret: Secret.fromSecretCompleteArn(
      scope,
      'HmacSecret',
      arn('secretsmanager', 'secret:local-hmac-AAAAAA'),
    ),
    pepperSecret: Secret.fromSecretCompleteArn(
      scope,
      'PepperSecret',
      arn('secretsmanager', 'secret:local-pepper-AAAAAA'),
    ),
    tokenKeySecret: Secret.fromSecretCompleteArn(
      scope,
      'TokenKeySecret',
      arn('secretsmanager', 'secret:local-token-key-AAAAAA'),
    ),
  };
}

const triggers = new Map<string, string>([
  ...routes.map((route) => [route.handler, `${route.method} ${route.path}`] as const),
  ...assistedRoutes.map((route) => [route.handler, `${route.method} ${route.path} (assisted)`] as const),
  ...streamConsumers.map((consumer) => [consumer.handler, `${consumer.source} table stream`] as const),
  ...scheduledFunctions.map(
    (scheduled) => [scheduled.handler, `every ${scheduled.everyMinutes} minutes`] as const,
  ),
]);
interface Needs {
  tables?: Partial<Record<TableName, unknown>>;
  hmacKey?: boolean;
  pepper?: boolean;
  tokenKey?: boolean;
  sms?: boolean;
  email?: boolean;
}
const needsOf = new Map<string, Needs>([
  ...routes.map((route) => [route.handler, route.needs] as const),
  ...assistedRoutes.map((route) => [route.handler, route.needs] as const),
  ...streamConsumers.map((consumer) => [consumer.handler, consumer.needs] as const),
  ...scheduledFunctions.map((scheduled) => [scheduled.handler, scheduled.needs] as const),
]);

/** Synthesizes the SAM template with real bundling and writes it, its assets and the env-vars file. */
export function synthSamTemplate(options: SamTemplateOptions): SamTemplate {
  const outdir = resolve(options.outdir);
  // The folder is emptied first: only when it is empty or a previous output (a cloud assembly).
  if (existsSync(outdir) && readdirSync(outdir).length > 0 && !existsSync(join(outdir, 'manifest.json'))) {
    throw new Error(`${outdir} is not empty and holds no previous template: choose another --outdir`);
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const app = new App({
    outdir,
    // SAM finds each function's code through the asset metadata (aws:asset:path), relative to the template.
    // One template holds every function here (no nested stacks), over CloudFormation's 500 resources: it is
    // never deployed, SAM local reads it, so CDK's resource-limit check is off for it (0) and only for it.
    context: {
      stage: 'dev',
      'aws:cdk:enable-asset-metadata': true,
      '@aws-cdk/core:stackResourceLimit': 0,
    },
  });
  const config = readDeployConfig(app.node, {});
  const references = new Stack(app, `${samStackName}References`, { env: { region: fakeRegion } });
  const service = new ServiceStack(app, samStackName, {
    config,
    data: localData(references, options.tablePrefix),
    description: 'Self-registration (dev) for SAM local: plain table names, DynamoDB Local, local secrets',
    // SAM local runs one template: the functions stay in it instead of their nested stacks.
    nestedStacks: false,
  });

  // The two findings of CDK's template validation are by design here, not defects of the service stack.
  Validations.of(references).acknowledge({
    id: 'CloudFormation-Validate::F0001',
    reason: 'Holds only references to the local tables, key and secrets; it is never deployed.',
  });
  Validations.of(service).acknowledge({
    id: 'CloudFormation-Validate::W7001',
    reason:
      'The secrets extension layer map is left by the layer this template drops (local keys file instead).',
  });

  const functions: SamFunction[] = [];
  const envVars: SamTemplate['envVars'] = {};
  /** Each function's `live` alias, by logical id: API Gateway integrates the alias (for CodeDeploy). */
  const aliasOf = new Map<string, string>();
  for (const [handler, fn] of Object.entries(service.functions)) {
    const needs = needsOf.get(handler) ?? {};
    const usesSecrets = Boolean(needs.hmacKey || needs.pepper || needs.tokenKey);
    const variables: Record<string, string> = {
      RUNTIME_MODE: 'local',
      DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
    };
    if (usesSecrets) variables.LOCAL_SECRETS_FILE = containerSecretsFile;
    if (needs.sms) variables.LOCAL_OUTBOX_DIR = containerSmsOutbox;
    if (needs.email && options.sesEndpoint) variables.SES_ENDPOINT = options.sesEndpoint;
    // SAM's --env-vars only overrides variables the template declares, so each one is declared here too.
    for (const [name, value] of Object.entries(variables)) fn.function.addEnvironment(name, value);
    const cfn = fn.function.node.defaultChild as CfnFunction;
    // The secrets extension layer would be pulled from AWS with the developer's credentials; the local
    // secrets file replaces it (it is read first, see lambdas/adapters/secrets.ts).
    cfn.layers = undefined;
    cfn.architectures = [options.architecture];
    const logicalId = service.getLogicalId(cfn);
    aliasOf.set(service.getLogicalId(fn.alias.node.defaultChild as CfnElement), logicalId);
    // The table names too, so a developer with other names edits env.json, not the template.
    const tables = Object.fromEntries(
      (Object.keys(needs.tables ?? {}) as TableName[]).map((name) => [
        tableEnvVar(name),
        physicalName(options.tablePrefix, name),
      ]),
    );
    envVars[logicalId] = { ...tables, ...variables };
    functions.push({ handler, logicalId, trigger: triggers.get(handler) ?? handler, usesSecrets });
  }

  const assembly = app.synth();
  const artifact = assembly.getStackByName(samStackName);
  const template = integrateFunctions(artifact.template as SamTemplate['template'], aliasOf);
  const templateFile = join(outdir, 'template.json');
  writeFileSync(templateFile, `${JSON.stringify(template, null, 1)}\n`);
  const envVarsFile = join(outdir, 'env.json');
  writeFileSync(envVarsFile, `${JSON.stringify(envVars, null, 2)}\n`);

  // The random local keys go only into the assets of the functions that read them (never committed: .sam/
  // is git-ignored, and they are this machine's local keys, not AWS secrets).
  for (const fn of functions.filter((candidate) => candidate.usesSecrets)) {
    const assetDir = assetPathOf(template, fn.logicalId);
    copyFileSync(options.secretsFile, join(outdir, assetDir, 'local-secrets.json'));
  }
  return { templateFile, envVarsFile, template, envVars, functions };
}

/**
 * API methods integrate each function's `live` alias, which CodeDeploy shifts in AWS. `sam local start-api`
 * finds a method's function only in an integration URI that names the function itself, and runs no
 * CodeDeploy, so the methods of the SAM template name the functions.
 */
function integrateFunctions(
  template: SamTemplate['template'],
  aliasOf: ReadonlyMap<string, string>,
): SamTemplate['template'] {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    let text = JSON.stringify(resource.Properties);
    for (const [alias, fn] of aliasOf) {
      text = text.replaceAll(JSON.stringify({ Ref: alias }), JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] }));
    }
    resource.Properties = JSON.parse(text);
  }
  return template;
}

/** The folder (relative to the template) SAM mounts as /var/task for a function. */
export function assetPathOf(template: SamTemplate['template'], logicalId: string): string {
  const resource = template.Resources[logicalId] as { Metadata?: Record<string, string> } | undefined;
  const path = resource?.Metadata?.['aws:asset:path'];
  if (!path) throw new Error(`${logicalId} has no aws:asset:path metadata`);
  return path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      outdir: { type: 'string', default: join(projectRoot, '.sam') },
      'dynamodb-endpoint': { type: 'string', default: 'http://host.docker.internal:8000' },
      'ses-endpoint': { type: 'string' },
      'table-prefix': { type: 'string', default: 'local-' },
      'secrets-file': { type: 'string', default: join(projectRoot, '.local', 'secrets.json') },
      architecture: { type: 'string', default: process.arch === 'arm64' ? 'arm64' : 'x86_64' },
    },
  });
  const secretsFile = resolve(values['secrets-file']);
  if (!existsSync(secretsFile)) {
    throw new Error(
      `${secretsFile} does not exist: run \`npm start\` once (it creates the local keys, the tables and the demo customers), or pass --secrets-file.`,
    );
  }
  JSON.parse(readFileSync(secretsFile, 'utf8'));
  if (values.architecture !== 'arm64' && values.architecture !== 'x86_64') {
    throw new Error(`--architecture must be arm64 or x86_64, got ${values.architecture}`);
  }
  const sam = synthSamTemplate({
    outdir: values.outdir,
    dynamodbEndpoint: values['dynamodb-endpoint'],
    sesEndpoint: values['ses-endpoint'],
    tablePrefix: values['table-prefix'],
    secretsFile,
    architecture: values.architecture,
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`SAM template: ${sam.templateFile}`);
  out(`Env vars:     ${sam.envVarsFile} (DynamoDB at ${values['dynamodb-endpoint']})`);
  out('Functions (logical id, trigger, sample event):');
  for (const fn of sam.functions) {
    const event = existsSync(join(projectRoot, 'events', `${fn.handler}.json`))
      ? `events/${fn.handler}.json`
      : '-';
    out(`  ${fn.logicalId.padEnd(48)} ${fn.trigger.padEnd(52)} ${event}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
