// The whole service on one machine: DynamoDB Local, the SES emulator, the tables, the demo customers, the
// handlers behind the local gateway, the web wizard and the outbox drain. `npm start` runs it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import sesServer from 'aws-ses-v2-local';
import { assistedRoutes, routes } from '../../lambdas/routes.ts';
import { tableEnvVar, tableNames } from '../../lambdas/tables.ts';
import { freePort, type RunningDynamoDb, startDynamoDbLocal } from './dynamodb-local.ts';
import { createGateway, type LambdaHandler } from './gateway.ts';
import { smsViewerPage } from './sms-viewer.ts';
import { createTables } from './tables.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEMO_CUSTOMERS = join(root, 'bin', 'local', 'demo-customers.json');

export interface LocalStack {
  baseUrl: string;
  /** The assisted-service API (staff), on its own loopback port: AGENT_PORT, 3100 by default. */
  agentUrl: string;
  sesUrl: string;
  dynamodbEndpoint: string;
  stop(): Promise<void>;
}

interface SesStoreEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Fresh random keys for this machine's stack, in the same form as the secrets the AWS stack generates. */
function ensureSecrets(stateDir: string): string {
  const file = join(stateDir, 'secrets.json');
  const key = () => randomBytes(48).toString('base64url');
  const held = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  // A file from an older release lacks the newer keys: they are added, the ones it holds are kept.
  const wanted = ['hmacKey', 'pepper', 'tokenKey'];
  if (wanted.some((name) => !held[name])) {
    const complete = Object.fromEntries(wanted.map((name) => [name, held[name] ?? key()]));
    writeFileSync(file, JSON.stringify(complete), { mode: 0o600 });
  }
  return file;
}

const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));

export async function startLocalStack(env: NodeJS.ProcessEnv = process.env): Promise<LocalStack> {
  const port = Number(env.PORT ?? 3000);
  const stateDir = resolve(env.LOCAL_STATE_DIR ?? join(root, '.local'));
  mkdirSync(stateDir, { recursive: true });
  const outboxDir = join(stateDir, 'outbox');
  rmSync(outboxDir, { recursive: true, force: true });

  const dynamo: RunningDynamoDb | undefined = env.DYNAMODB_ENDPOINT
    ? undefined
    : await startDynamoDbLocal({ log });
  const endpoint = env.DYNAMODB_ENDPOINT ?? (dynamo as RunningDynamoDb).endpoint;
  const prefix = env.TABLE_PREFIX ?? 'local-';
  const tables = await createTables(
    new DynamoDBClient({
      endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    prefix,
  );

  const sesPort = Number(env.SES_PORT ?? (await freePort()));
  const ses = await sesServer.default({ host: '127.0.0.1', port: sesPort });
  const sesUrl = `http://127.0.0.1:${sesPort}`;

  // The handlers read their configuration from the environment at import, exactly as in Lambda.
  Object.assign(process.env, {
    RUNTIME_MODE: 'local',
    DYNAMODB_ENDPOINT: endpoint,
    SES_ENDPOINT: sesUrl,
    AWS_REGION: env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LOCAL_SECRETS_FILE: ensureSecrets(stateDir),
    LOCAL_OUTBOX_DIR: outboxDir,
    // The «No fui yo» links of the local emails open the local web pages.
    WEB_BASE_URL: env.WEB_BASE_URL ?? `http://localhost:${port === 0 ? 3000 : port}`,
    ...Object.fromEntries(tableNames.map((name) => [tableEnvVar(name), tables[name]])),
  });

  const seedFile = resolve(env.SEED_FILE ?? DEMO_CUSTOMERS);
  const { loadDirectoryFile } = await import('../directory-loader.ts');
  const loaded = await loadDirectoryFile(seedFile);

  const handlers = await Promise.all(
    [...routes, ...assistedRoutes].map(async (route) => {
      const module = (await import(`../../lambdas/handlers/${route.handler}.ts`)) as {
        handler: LambdaHandler;
      };
      return { route, handler: module.handler };
    }),
  );

  const { buildWeb } = await import('../../web/build.ts');
  const { securityHeaders } = await import('../../web/security-headers.ts');
  const webDir = join(stateDir, 'web');
  await buildWeb(webDir, { local: true });

  const publicHandlers = handlers.filter(({ route }) => routes.some((r) => r.handler === route.handler));
  const gateway = createGateway({
    routes: publicHandlers,
    web: { dir: webDir, headers: securityHeaders },
    localHtml: { '/_local/sms': smsViewerPage },
    localJson: {
      '/_local/sms': async () => {
        const file = join(outboxDir, 'sms.jsonl');
        if (!existsSync(file)) return [];
        return (await readFile(file, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
      },
      '/_local/email': async () => {
        const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: SesStoreEmail[] };
        return store.emails.map((e) => ({
          to: e.destination.to.join(', '),
          subject: e.subject,
          text: e.body.text ?? '',
          html: e.body.html ?? '',
          sentAt: new Date(e.at * 1000).toISOString(),
        }));
      },
      '/v1/openapi.json': async () => JSON.parse(readFileSync(join(root, 'docs', 'openapi.json'), 'utf8')),
    },
  });
  await new Promise<void>((done, fail) => {
    gateway.once('error', fail);
    gateway.listen(port, env.HOST ?? '127.0.0.1', () => done());
  });
  const address = gateway.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;

  // The assisted-service API: a gateway of its own on another loopback port, never beside the public API.
  const agentGateway = createGateway({
    routes: handlers.filter(({ route }) => assistedRoutes.some((r) => r.handler === route.handler)),
    localJson: {},
    staffIdentity: true,
  });
  await new Promise<void>((done, fail) => {
    agentGateway.once('error', fail);
    agentGateway.listen(Number(env.AGENT_PORT ?? (env.PORT === '0' ? 0 : 3100)), '127.0.0.1', () => done());
  });
  const agentAddress = agentGateway.address();
  const agentUrl = `http://127.0.0.1:${typeof agentAddress === 'object' && agentAddress ? agentAddress.port : 0}`;

  const { startOutboxDrain } = await import('./outbox-drain.ts');
  const drain = startOutboxDrain(Number(env.OUTBOX_DRAIN_MS ?? 250));

  log(
    `Customer directory: ${loaded.customers} customers, ${loaded.credentials} credentials from ${seedFile}`,
  );
  return {
    baseUrl,
    agentUrl,
    sesUrl,
    dynamodbEndpoint: endpoint,
    stop: async () => {
      await drain.stop();
      await close(gateway);
      await close(agentGateway);
      await close(ses);
      await dynamo?.stop();
    },
  };
}
