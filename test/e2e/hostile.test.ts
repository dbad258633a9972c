// Hostile input over HTTP, property-based (fast-check): random and malformed bodies, hostile headers and
// hostile paths at every route of lambdas/routes.ts, with and without a live token. Whatever comes in, the
// answer is a 4xx problem+json with a `code` (429 included), never a 5xx, and no hostile request stores
// anything: the stack's tables are compared item by item before and after.
//
// Requests go through node:http rather than fetch, so that paths reach the gateway exactly as generated
// (fetch would resolve `../` and re-encode). Node's own HTTP parser limits stay out of scope: header values
// are kept to the bytes HTTP allows and the request line under Node's 16 KiB header limit.
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Route, routes } from '../../lambdas/routes.ts';
import { type TableName, tableDefinitions, tableNames } from '../../lambdas/tables.ts';
import { Api, fillProfile, identifyAndVerify } from '../support/api-client.ts';
import { generateCustomers, writeCustomerFile } from '../support/customers.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

/** Runs per property; HOSTILE_RUNS raises them for a longer local hunt. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 60);

let stack: RunningStack;
let api: Api;
let dynamo: DynamoDBClient;
let prefix: string;
const customers = generateCustomers(4, 900);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
/** Requests sent per property and the statuses they got, for docs/RELIABILITY.md. */
const sent: Record<string, number> = {};
const statuses: Record<string, Record<number, number>> = {};
let property = '';

/** Live registrations the authenticated hostile calls aim at. */
const live = {
  /** At `finish`: every repeatable step (username to second factor) reaches its body parser. */
  finish: { id: '', token: '' },
  /** At `enter-otp`: otp/verify reaches its body parser. */
  otp: { id: '', token: '' },
  /** At `verify-contact`: its token is a real token of another registration. */
  other: { id: '', token: '' },
};

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): Promise<Reply> {
  const url = new URL(stack.baseUrl);
  // Framed explicitly: Node's client sends a GET or DELETE body unframed, which no server can parse.
  const framed =
    body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
  return new Promise((done, fail) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, headers: framed, agent, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const tally = statuses[property] ?? {};
          tally[status] = (tally[status] ?? 0) + 1;
          statuses[property] = tally;
          done({ status, headers: res.headers, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path.slice(0, 200)}`)));
    req.end(body);
  });
}

const shown = (value: unknown): string => {
  const text =
    typeof value === 'string' ? value : value instanceof Uint8Array ? `<${value.length} bytes>` : '';
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
};

/** The one answer a hostile request may get: 4xx problem details with a stable code. */
function expectRejected(reply: Reply, what: string, method = 'GET') {
  const context = `${what} -> ${reply.status} ${reply.text.slice(0, 300)}`;
  expect(reply.status, context).toBeGreaterThanOrEqual(400);
  expect(reply.status, context).toBeLessThan(500);
  expect(reply.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  expect(reply.headers['cache-control'], context).toBe('no-store');
  if (method === 'HEAD') return;
  const problem = JSON.parse(reply.text);
  expect(problem.code, context).toMatch(/^[a-z_]+$/);
  expect(problem.status, context).toBe(reply.status);
}

/** Answers of routes that are public by design (health, the web wizard, /_local): no 5xx, errors as problems. */
function expectNoServerError(reply: Reply, what: string) {
  const context = `${what} -> ${reply.status} ${reply.text.slice(0, 300)}`;
  expect(reply.status, context).toBeLessThan(500);
  if (reply.status >= 400)
    expect(reply.headers['content-type'], context).toMatch(/^application\/problem\+json/);
}

const pathOf = (route: Route, id: string) => route.path.replace('{id}', id);
const fixtureOf = (route: Route) => (route.handler === 'verify-otp' ? live.otp : live.finish);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const JSON_TYPE = { 'Content-Type': 'application/json' };
const count = (name: string) => {
  property = name;
  sent[name] = (sent[name] ?? 0) + 1;
};

// ---------------------------------------------------------------------------------------------------------
// Generators

/** Characters that no identifier, code, phone, username, image, question or version accepts. */
const NASTY = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u200f',
  '\u2066',
  '\u0301',
  '\u00ad',
  '😀',
  '👨‍👩‍👧',
  '\ufffd',
  '<',
  '"',
  '\\',
  '%00',
  '../',
  '{{7*7}}',
  "' OR '1'='1",
  '\r\n',
  '\u0007',
] as const;
const nasty = fc.constantFrom(...NASTY);

/** Number literals JSON allows but JavaScript cannot hold exactly (or at all). */
const NUMBER_TOKENS = [
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '18446744073709551616',
  '9007199254740993',
  '-9223372036854775809',
  `1${'0'.repeat(400)}`,
  '5e-324',
  '1e-400',
  '-0',
  '1.5',
  '0.1',
  '-1',
  '99999999999999999999999999999999999999',
] as const;

/** A string that breaks every string field rule: a nasty character somewhere, or far too long. */
const hostileString = fc.oneof(
  fc.tuple(fc.string({ unit: 'binary', maxLength: 30 }), nasty, fc.nat()).map(([s, c, at]) => {
    const i = s.length === 0 ? 0 : at % s.length;
    return s.slice(0, i) + c + s.slice(i);
  }),
  fc.array(nasty, { minLength: 1, maxLength: 30 }).map((parts) => parts.join('')),
  fc.tuple(nasty, fc.integer({ min: 700, max: 6000 })).map(([c, n]) => c.repeat(n)),
);

/** A challenge answer that breaks its rule (2 to 60 characters after trimming): blank, one, or 61+. */
const hostileAnswer = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', 'a', ' b ', '😀'),
  fc.tuple(nasty, fc.integer({ min: 61, max: 200 })).map(([c, n]) => c.repeat(n)),
);

/** Deeply nested JSON text, 1000 to 3000 levels. */
const deepJson = fc
  .tuple(fc.integer({ min: 1000, max: 3000 }), fc.constantFrom('array', 'object', 'mixed'))
  .map(([depth, kind]) => {
    if (kind === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    if (kind === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return `${'[{"a":'.repeat(depth / 2)}null${'}]'.repeat(depth / 2)}`;
  });

/** A JSON key meant to confuse: prototype names, empty, control characters, operators. */
const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '',
    ' ',
    '$where',
    'a.b',
    'type',
    'pin',
  ),
  hostileString.filter((s) => s.length < 100),
);

/** Any JSON value as text, with hostile scalars (wrong types, huge numbers, hostile strings). */
const { value: hostileJsonValue } = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constantFrom(...NUMBER_TOKENS, 'null', 'true', 'false', '""', '0', '{}', '[]'),
    hostileString.map((s) => JSON.stringify(s)),
    fc.double().map((n) => JSON.stringify(n)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
}));

/** A replacement for a field that is not a string: never valid for any field (booleans stay out). */
const hostileNonString = fc.oneof(
  fc.constantFrom(...NUMBER_TOKENS, 'null', '{}', '[]', '[null]', '{"$gt":""}'),
  deepJson,
  hostileJsonValue.filter((v) => v !== 'true' && v !== 'false' && !v.startsWith('"')),
);

/** A replacement for a field: a wrong type, or a string no field accepts. */
const hostileFieldValue = fc.oneof(
  hostileNonString,
  hostileString.map((s) => JSON.stringify(s)),
);

/** Whole bodies: random JSON, malformed text, deep nesting, invalid UTF-8, oversized. */
const hostileBody: fc.Arbitrary<{ kind: string; body: string | Uint8Array }> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ kind: 'json', body: JSON.stringify(v) ?? 'null' })),
  hostileJsonValue.map((body) => ({ kind: 'hostile-json', body })),
  deepJson.map((body) => ({ kind: 'deep', body })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ kind: 'text', body })),
  fc
    .constantFrom(
      '',
      '   ',
      '{',
      '{"type":',
      "{'type':'card'}",
      '{"a":1,}',
      '{"a":NaN}',
      '{"a":Infinity}',
      '/* c */ {}',
      '{} {}',
      '\ufeff{}',
      'null',
      '"\\ud800"',
      '{"a":"\\u0000"}',
      '{"type":"card","type":{}}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
    )
    .map((body) => ({ kind: 'malformed', body })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((body) => ({ kind: 'bytes', body })),
  fc
    .integer({ min: 16 * 1024 + 1, max: 64 * 1024 })
    .map((n) => ({ kind: 'oversized', body: `"${'x'.repeat(n)}"` })),
);

// ---------------------------------------------------------------------------------------------------------
// Valid bodies, and the one-field mutations that make them hostile

type Field = { path: (string | number)[]; kind: 'string' | 'answer' | 'other' };

const validBody = (route: Route): Record<string, unknown> | undefined => {
  switch (route.handler) {
    case 'start-registration':
    case 'start-recovery':
      return { ...customers[3]?.card };
    case 'change-password':
      return {
        currentPassword: 'Una clave cualquiera 2026',
        password: 'Otra clave bastante larga 77',
        confirmation: 'Otra clave bastante larga 77',
      };
    case 'report-security':
      return { token: 'A'.repeat(43) };
    case 'reset-password':
      return {
        password: 'Otra clave bastante larga 77',
        confirmation: 'Otra clave bastante larga 77',
        digitalToken: 'keep',
      };
    case 'verify-recovery-otp':
    case 'verify-otp':
      return { code: '123456' };
    case 'choose-username':
      return { username: 'hostil.nuevo', confirmation: 'hostil.nuevo' };
    case 'create-password':
      return { password: 'Otra clave bastante larga 77', confirmation: 'Otra clave bastante larga 77' };
    case 'choose-security-image':
      return { imageId: 'colibri' };
    case 'update-contact':
      return { homePhone: '022345678', workPhone: '0991112233' };
    case 'answer-challenge-questions':
      return {
        answers: [
          { questionId: 'q-first-job', answer: 'Otro trabajo' },
          { questionId: 'q-first-pet', answer: 'Otra mascota' },
          { questionId: 'q-mother-birth-city', answer: 'Otra ciudad' },
        ],
        acceptTerms: true,
        termsVersion: '2026-11',
      };
    case 'choose-second-factor':
      return { hasSmartDevice: false, choice: 'later' };
    case 'start-sign-in':
      return { username: 'hostil.nuevo' };
    case 'sign-in-password':
      return { password: 'Otra clave bastante larga 77' };
    case 'sign-in-digital-token':
    case 'verify-token-activation-code':
    case 'confirm-token-activation':
      return { code: '123456' };
    default:
      return undefined;
  }
};

function fieldsOf(value: unknown, path: (string | number)[] = []): Field[] {
  if (Array.isArray(value))
    return [{ path, kind: 'other' }, ...value.flatMap((v, i) => fieldsOf(v, [...path, i]))];
  if (value && typeof value === 'object') {
    const own = path.length ? [{ path, kind: 'other' as const }] : [];
    return [...own, ...Object.entries(value).flatMap(([k, v]) => fieldsOf(v, [...path, k]))];
  }
  const kind = path.at(-1) === 'answer' ? 'answer' : typeof value === 'string' ? 'string' : 'other';
  return [{ path, kind }];
}

/** JSON text of `body` with the value at `path` replaced by raw JSON text `raw` (or removed). */
function withField(body: unknown, path: (string | number)[], raw: string | undefined): string {
  const marker = '\u0001HOSTILE\u0001';
  const copy = structuredClone(body) as Record<string | number, any>;
  let parent: any = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path.at(-1) as string | number;
  if (raw === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    return JSON.stringify(copy);
  }
  parent[last] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), raw);
}

const mutation = (route: Route) => {
  const body = validBody(route) as Record<string, unknown>;
  const fields = fieldsOf(body);
  return fc.oneof(
    // replace one field with a value of the wrong type, a huge number, deep nesting or a hostile string
    fc.constantFrom(...fields).chain((field) =>
      (field.kind === 'answer'
        ? fc.oneof(
            hostileAnswer.map((a) => JSON.stringify(a)),
            hostileNonString,
          )
        : field.kind === 'string'
          ? fc.oneof(
              hostileString.map((t) => JSON.stringify(t)),
              hostileFieldValue,
            )
          : hostileFieldValue
      ).map((raw) => ({ what: `replace ${field.path.join('.')}`, text: withField(body, field.path, raw) })),
    ),
    // drop one field
    fc.constantFrom(...fields.filter((f) => f.path.length > 0)).map((field) => ({
      what: `drop ${field.path.join('.')}`,
      text: withField(body, field.path, undefined),
    })),
    // add an unknown field at the top
    fc.tuple(hostileKey, hostileFieldValue).map(([key, value]) => ({
      what: `add ${JSON.stringify(key).slice(0, 40)}`,
      text: `${JSON.stringify(body).slice(0, -1)},${JSON.stringify(key)}:${value}}`,
    })),
  );
};

// ---------------------------------------------------------------------------------------------------------
// Hostile headers and paths

const NOT_JSON_TYPES = [
  'text/plain',
  'text/json',
  'json',
  'application/json5',
  'application/jsonx',
  'application/json-patch+json',
  'application/problem+json',
  'application/vnd.api+json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/*',
  '*/*',
  'application/ json',
  'application/json, text/plain',
  'application/x-json',
  'application/jsonñ',
  'application/json\u00a0',
  '',
  ';',
] as const;
const headerSafe = (s: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s);
const isJsonType = (t: string) => t.split(';')[0]?.trim().toLowerCase() === 'application/json';

const contentType = fc.oneof(
  fc.constantFrom(...NOT_JSON_TYPES),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.integer({ min: 1000, max: 8000 }).map((n) => `application/${'j'.repeat(n)}`),
);

const authorization = (token: string) =>
  fc.oneof(
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Bearer  x',
      'Bearer x',
      `Bearer  ${token}`,
      `bearer ${token}`,
      `BEARER ${token}`,
      `Basic ${Buffer.from('usuario:clave').toString('base64')}`,
      'Basic',
      `Token ${token}`,
      token,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}x`,
      `Bearer ${token}=`,
      `Bearer ${token},Bearer ${token}`,
      `Bearer ${token.slice(0, 15)}`,
      `Bearer ${live.other.token}`,
      'Bearer null',
      'Bearer undefined',
      `Bearer ${'A'.repeat(43)}`,
      `Bearer ${'A'.repeat(129)}`,
      `Bearer ${Buffer.from(token).toString('base64')}`,
      'Bearer ../../etc/passwd',
      'Bearer ñññññññññññññññññññ',
    ),
    fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => `Bearer ${s}`),
    fc.string({ unit: 'binary-ascii', maxLength: 200 }),
    fc.integer({ min: 16, max: 128 }).map((n) => `Bearer ${'x'.repeat(n)}`),
    fc.integer({ min: 129, max: 8000 }).map((n) => `Bearer ${'x'.repeat(n)}`),
  );

/** A path segment: percent-encoded unicode, encoded NUL and slashes, traversal, prototype names, long. */
const encode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~!$&'()*+,;=:@]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
const hostileSegment = fc.oneof(
  fc.constantFrom(
    '%00',
    '%2F',
    '%2f..%2f',
    '%2e%2e',
    '%252e%252e',
    '%',
    '%zz',
    '%C0%AE%C0%AE',
    '%E2%80%AE',
    '%F0%9F%98%80',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    '*',
    "'",
    ';',
    '$',
    '{id}',
    '00000000-0000-0000-0000-000000000000',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).map(encode),
  fc.uuid().map((u) => u.toUpperCase()),
  hostileString.map(encode).filter((s) => s.length <= 1800),
);

// ---------------------------------------------------------------------------------------------------------
// Snapshots of the stack's tables

async function scanAll(table: TableName): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan(
    { client: dynamo },
    { TableName: `${prefix}${table}`, ConsistentRead: true },
  )) {
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
  }
  return items;
}

async function snapshot(): Promise<Record<TableName, string[]>> {
  const entries = await Promise.all(
    tableNames.map(async (table) => {
      const key = tableDefinitions[table].partitionKey;
      const items = (await scanAll(table))
        // Per-address step-1 and sign-in counts are the one write a hostile step-1 or S1 call is meant to
        // make, and username tries the one a hostile username call is (a 422 is a try, rule 41).
        .filter(
          (item) =>
            !(
              table === 'limits' && /^(ip|ip-sign_in|username)#/.test(String((item[key] as { S?: string }).S))
            ),
        )
        .map((item) => JSON.stringify(item, Object.keys(item).sort()))
        .sort();
      return [table, items] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<TableName, string[]>;
}

let before: Record<TableName, string[]>;
let smsBefore = 0;

beforeAll(async () => {
  stack = await startLocalStack({ SEED_FILE: writeCustomerFile(customers) });
  api = new Api(stack.baseUrl);
  prefix = stack.tablePrefix;
  dynamo = new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const [a, b, c] = customers as [(typeof customers)[0], (typeof customers)[0], (typeof customers)[0]];
  const finished = await identifyAndVerify(api, a.card, a.phone);
  await fillProfile(api, finished.id, finished.token, 'hostil.fijo');
  live.finish = { id: finished.id, token: finished.token };
  const waiting = await api.call('POST', '/v1/registrations', { body: b.virtualKey });
  live.otp = { id: waiting.body.registrationId, token: waiting.body.token };
  expect(
    (await api.call('POST', `/v1/registrations/${live.otp.id}/otp`, { token: live.otp.token })).status,
  ).toBe(202);
  const other = await api.call('POST', '/v1/registrations', { body: c.card });
  live.other = { id: other.body.registrationId, token: other.body.token };
  before = await snapshot();
  smsBefore = (await api.sms()).length;
});

afterAll(async () => {
  agent.destroy();
  dynamo?.destroy();
  await stack?.stop();
  const total = Object.values(sent).reduce((a, b) => a + b, 0);
  console.log(`hostile requests sent: ${total}, runs per property ${RUNS}`);
  for (const [name, n] of Object.entries(sent))
    console.log(`  ${name}: ${n} requests, statuses ${JSON.stringify(statuses[name])}`);
});

// ---------------------------------------------------------------------------------------------------------

const bodyRoutes = routes.filter((r) => r.body);
const isHealth = (route: Route) => route.handler === 'health';

describe('random and malformed bodies', () => {
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(hostileBody, fc.boolean(), async ({ kind, body }, authenticated) => {
        count('bodies');
        const fixture = fixtureOf(route);
        // A live token only where the body is parsed: on a route without one it would simply succeed.
        const withToken = route.auth && route.body && authenticated;
        const headers = { ...JSON_TYPE, ...(withToken ? bearer(fixture.token) : {}) };
        const reply = await send(route.method, pathOf(route, fixture.id), headers, body);
        const what = `${route.method} ${route.path} token=${withToken} ${kind} body ${shown(body)}`;
        if (isHealth(route)) expectNoServerError(reply, what);
        else expectRejected(reply, what, route.method);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('valid bodies with one hostile field (wrong type, 1e308, 2**64, depth 1000+, NUL, U+202E, lone surrogates, emoji)', () => {
  it.each(bodyRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, route) => {
    const fixture = fixtureOf(route);
    await fc.assert(
      fc.asyncProperty(mutation(route), async ({ what, text }) => {
        count('mutations');
        const headers = { ...JSON_TYPE, ...(route.auth ? bearer(fixture.token) : {}) };
        const reply = await send(route.method, pathOf(route, fixture.id), headers, text);
        expectRejected(reply, `${route.method} ${route.path} ${what}: ${shown(text)}`);
      }),
      { numRuns: Math.round(RUNS * 1.5) },
    );
  });
});

describe('hostile Content-Type and Authorization headers', () => {
  it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, route) => {
    const fixture = fixtureOf(route);
    const valid = validBody(route);
    const token = route.auth ? fixture.token : live.finish.token;
    await fc.assert(
      fc.asyncProperty(
        fc.option(contentType, { nil: undefined }),
        fc.option(authorization(token), { nil: undefined }),
        fc.option(fc.constantFrom('10.0.0.1', '127.0.0.2, 10.0.0.1', 'unknown', '::1'), { nil: undefined }),
        async (type, auth, forwardedFor) => {
          // Step 1 takes no token: its hostile part is always the declared type.
          const bodyType = route.auth ? type : (type ?? 'text/plain');
          const headers: Record<string, string> = {};
          if (bodyType !== undefined) headers['Content-Type'] = bodyType;
          if (auth !== undefined) headers.Authorization = auth;
          if (forwardedFor) headers['X-Forwarded-For'] = forwardedFor;
          fc.pre(Object.values(headers).every(headerSafe));
          fc.pre(!(route.auth && auth?.trim() === `Bearer ${token}`));
          fc.pre(route.auth || bodyType === undefined || !isJsonType(bodyType));
          count('headers');
          const reply = await send(
            route.method,
            pathOf(route, fixture.id),
            headers,
            valid ? JSON.stringify(valid) : undefined,
          );
          const what = `${route.method} ${route.path} Content-Type=${shown(bodyType)} Authorization=${shown(auth)}`;
          if (isHealth(route)) expectNoServerError(reply, what);
          else expectRejected(reply, what, route.method);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'] as const;
/** Where a path lands once `.`/`..` are resolved: the API, or the public web wizard and /_local outboxes. */
const isApiPath = (path: string) => {
  const resolved = new URL(path, 'http://local').pathname;
  return resolved.startsWith('/v1/') && resolved !== '/v1/health' && resolved !== '/v1/openapi.json';
};

/** A path whose resolved form has a broken %-escape: outside /v1 it meets the known static-file 502 below. */
const brokenEscape = (path: string) => {
  try {
    decodeURIComponent(new URL(path, 'http://local').pathname);
    return false;
  } catch {
    return true;
  }
};

describe('hostile paths', () => {
  it('a hostile id (up to 1800 bytes) at every route, with a live token, a well-formed fake one or none', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes.filter((r) => r.path.includes('{id}'))),
        fc.constantFrom(...METHODS),
        hostileSegment,
        fc.constantFrom('live', 'fake', 'none'),
        fc.constantFrom('', '?token=x&pin=1234', '?id=../../', '#x', '?%00'),
        async (route, method, id, auth, query) => {
          count('paths');
          const token = auth === 'live' ? live.finish.token : auth === 'fake' ? 'A'.repeat(43) : undefined;
          const headers = { ...JSON_TYPE, ...(token ? bearer(token) : {}) };
          const valid = validBody(route);
          const path = `${pathOf(route, id)}${query}`;
          const reply = await send(method, path, headers, valid ? JSON.stringify(valid) : undefined);
          const what = `${method} ${path.slice(0, 300)} (${path.length} chars) auth=${auth}`;
          if (isApiPath(path)) expectRejected(reply, what, method);
          else if (!brokenEscape(path)) expectNoServerError(reply, what);
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('traversal, NUL, unicode and long paths under /v1', async () => {
    const segment = fc.oneof(
      hostileSegment,
      fc.constantFrom('..', '.', '', 'registrations', 'otp', 'verify', 'v1', 'health', '%2e', '..;', '.%00'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        fc.array(segment, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('none', 'fake'),
        async (method, segments, auth) => {
          const path = `/v1/${segments.join('/')}`;
          fc.pre(path.length < 8000);
          count('paths');
          const headers = { ...JSON_TYPE, ...(auth === 'fake' ? bearer('A'.repeat(43)) : {}) };
          const reply = await send(method, path, headers, '{}');
          const what = `${method} ${path.slice(0, 300)} (${path.length} chars) auth=${auth}`;
          if (isApiPath(path)) expectRejected(reply, what, method);
          else if (!brokenEscape(path)) expectNoServerError(reply, what);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  // Known failure (reported, not fixed here), local stack only: the gateway serves the web wizard for paths
  // outside /v1 and runs decodeURIComponent on them (bin/local/gateway.ts, serveStatic); a broken escape
  // throws URIError, which the gateway answers 502 bad_gateway with its stack on stderr.
  it('a broken %-escape outside /v1 (the local web server) is a 4xx, not a 502', async () => {
    for (const path of ['/%zz', '/%', '/v1/../%E0%A4%A', '/images/%ff%']) {
      count('paths');
      expectNoServerError(await send('GET', path, {}), `GET ${path}`);
    }
  });

  // Known failure (reported, not fixed here): a path id over DynamoDB's 2048-byte key limit reaches GetItem,
  // whose ValidationException becomes a 503 service_unavailable (and an error log line) for anyone who sends
  // any well-formed bearer token. A path id that cannot be a registration id should be a 401.
  it('a path id over 2048 bytes with a well-formed bearer token is a 4xx, not a 503', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes.filter((r) => r.path.includes('{id}'))),
        fc.integer({ min: 2049, max: 7000 }),
        fc.constantFrom('live', 'fake'),
        async (route, length, auth) => {
          count('long-ids');
          const token = auth === 'live' ? live.finish.token : 'A'.repeat(43);
          const valid = validBody(route);
          const path = pathOf(route, 'a'.repeat(length));
          const reply = await send(
            route.method,
            path,
            { ...JSON_TYPE, ...bearer(token) },
            valid ? JSON.stringify(valid) : undefined,
          );
          expectRejected(reply, `${route.method} ${route.path} with an id of ${length} bytes, auth=${auth}`);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('nothing stored', () => {
  it('no hostile request created, changed or removed an item in any table, nor sent an SMS or email', async () => {
    const after = await snapshot();
    for (const table of tableNames) {
      expect(after[table], `${prefix}${table}`).toEqual(before[table]);
    }
    // Besides the registrations, the table holds one pointer per customer to its open one (rule 41).
    const registrations = (await scanAll('registrations')).filter(
      (item) => !String((item.registrationId as { S?: string }).S).startsWith('customer#'),
    ).length;
    expect(registrations).toBe(3);
    expect((await api.sms()).length).toBe(smsBefore);
    expect(await api.emails()).toEqual([]);
    // The live registrations still work: hostile calls did not disturb them.
    const alive = await api.call('GET', `/v1/registrations/${live.finish.id}`, { token: live.finish.token });
    expect(alive.body.step).toBe('finish');
    // Nothing leaked into Object.prototype of this process either (the stack runs in another one).
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
