// The sample events of events/ (for `sam local invoke -e`): each parses, names a route of lambdas/routes.ts,
// matches what the local gateway builds today, and, replayed through the route's handler module on
// DynamoDB Local with the demo customers, answers what the same call over HTTP answers on a fresh stack.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_CUSTOMERS } from '../../bin/local/stack.ts';
import { eventFileOf, eventsDir, sampleEvents, sampleRegistrationId } from '../../bin/sam-events.ts';
import { type Route, routes } from '../../lambdas/routes.ts';
import { tableEnvVar, tableNames } from '../../lambdas/tables.ts';
import { freshTables, type TestTables } from '../support/integration.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const readEvent = (handler: string): APIGatewayProxyEvent =>
  JSON.parse(readFileSync(eventFileOf(handler), 'utf8')) as APIGatewayProxyEvent;

const routeOf = (event: APIGatewayProxyEvent): Route | undefined =>
  routes.find((route) => route.method === event.httpMethod && route.path === event.resource);

const context = (handler: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `sam-${handler}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:sam-${handler}`,
  memoryLimitInMB: '1024',
  awsRequestId: `sam-${handler}`,
  logGroupName: `/aws/lambda/sam-${handler}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

describe('the sample events of events/', () => {
  const files = readdirSync(eventsDir).filter((file) => file.endsWith('.json'));

  it('hold exactly one event per route, each naming its route by method and resource path', () => {
    // Act
    const named = files.map((file) => {
      const event = JSON.parse(readFileSync(join(eventsDir, file), 'utf8')) as APIGatewayProxyEvent;
      return { file, route: routeOf(event) };
    });

    // Assess
    expect(named.filter((entry) => entry.route === undefined)).toEqual([]);
    expect(named.map((entry) => entry.file).sort()).toEqual(routes.map((r) => `${r.handler}.json`).sort());
    for (const { file, route } of named) expect(file).toBe(`${route?.handler}.json`);
  });

  it.each(routes.map((route) => [route.handler, route] as const))(
    '%s: path, path parameters, body and bearer agree with the route',
    (handler, route) => {
      // Act
      const event = readEvent(handler);

      // Assess
      expect(event.path).toBe(route.path.replace('{id}', sampleRegistrationId));
      expect(event.requestContext.resourcePath).toBe(route.path);
      expect(event.pathParameters).toEqual(route.path.includes('{id}') ? { id: sampleRegistrationId } : null);
      expect(event.body === null).toBe(!route.body);
      if (event.body !== null) expect(() => JSON.parse(event.body as string)).not.toThrow();
      expect(Boolean(event.headers.Authorization?.startsWith('Bearer '))).toBe(route.auth);
    },
  );

  it('are what the local gateway builds for the sample requests today (npm run sam:events)', async () => {
    // Act
    const built = await sampleEvents();

    // Assess
    for (const route of routes) expect(readEvent(route.handler)).toEqual(built.get(route.handler));
  });
});

describe('the sample events replayed through the handlers on DynamoDB Local', () => {
  let tables: TestTables;
  let stateDir: string;
  const handlers = new Map<string, Handler>();
  const invoke = async (event: APIGatewayProxyEvent) => {
    const route = routeOf(event) as Route;
    const handler = handlers.get(route.handler) as Handler;
    return handler(event, context(route.handler));
  };

  beforeAll(async () => {
    // Prepare: the environment a SAM container gets from the template and env.json, here in process
    tables = await freshTables('sam-events');
    stateDir = mkdtempSync(join(tmpdir(), 'selfreg-sam-events-'));
    const secretsFile = join(stateDir, 'secrets.json');
    const key = () => randomBytes(48).toString('base64url');
    writeFileSync(secretsFile, JSON.stringify({ hmacKey: key(), pepper: key(), tokenKey: key() }));
    Object.assign(process.env, {
      RUNTIME_MODE: 'local',
      LOG_LEVEL: 'silent',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCAL_SECRETS_FILE: secretsFile,
      LOCAL_OUTBOX_DIR: join(stateDir, 'outbox'),
      ...Object.fromEntries(tableNames.map((name) => [tableEnvVar(name), tables.names[name]])),
    });
    const { loadDirectoryFile } = await import('../../bin/directory-loader.ts');
    await loadDirectoryFile(DEMO_CUSTOMERS);
    for (const route of routes) {
      const module = (await import(`../../lambdas/handlers/${route.handler}.ts`)) as { handler: Handler };
      handlers.set(route.handler, module.handler);
    }
  }, 120_000);

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  // A fresh stack: health answers, step 1 with the demo card opens a registration, S1 answers any username
  // (a decoy image for one that does not exist), and every authenticated step refuses the sample id and
  // token it never issued, before reading the body (README, order of checks).
  const expected = (route: Route): number => {
    if (route.handler === 'health') return 200;
    // The demo card's customer has no online user on a fresh stack: there is nothing to recover.
    if (route.handler === 'start-recovery') return 409;
    if (route.handler === 'start-registration' || route.handler === 'start-sign-in') return 201;
    // A «No fui yo» link the stack never issued freezes nothing.
    if (route.handler === 'report-security') return 410;
    return 401;
  };

  it.each(routes.map((route) => [route.handler, expected(route), route] as const))(
    '%s answers %i',
    async (handler, status) => {
      // Act
      const result = await invoke(readEvent(handler));

      // Assess
      expect(result.statusCode).toBe(status);
      const body = JSON.parse(result.body) as Record<string, unknown>;
      if (status === 401) expect(body.code).toBe('session_invalid');
      if (status === 409) expect(body.code).toBe('not_registered');
    },
  );

  it('answers 200 to the get-registration event once a live id and token replace the samples', async () => {
    // Prepare
    const started = JSON.parse((await invoke(readEvent('start-registration'))).body) as {
      registrationId: string;
      token: string;
    };
    const event = readEvent('get-registration');
    const live: APIGatewayProxyEvent = {
      ...event,
      path: event.path.replace(sampleRegistrationId, started.registrationId),
      pathParameters: { id: started.registrationId },
      headers: { ...event.headers, Authorization: `Bearer ${started.token}` },
    };

    // Act
    const result = await invoke(live);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ step: 'verify-contact' });
  });
});
