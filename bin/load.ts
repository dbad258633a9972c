// `npm run load`: a bounded load run against the local stack on 127.0.0.1. Starts the stack (own DynamoDB
// Local) with a generated directory, then runs LOAD_REGISTRATIONS complete registrations (all eleven steps,
// the SMS code read from /_local/sms) with LOAD_CONCURRENCY at once, and prints completed and failed (by
// error code), p50/p99 per step, duration and registrations per second. Last, the consistency check: users
// in the users table = registrations completed = completion emails delivered. Exits 1 when it fails.

import { performance } from 'node:perf_hooks';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { startBenchStack } from '../test/support/bench-stack.ts';
import { type GeneratedCustomer, generateCustomers, writeCustomerFile } from '../test/support/customers.ts';

const REGISTRATIONS = Number(process.env.LOAD_REGISTRATIONS ?? 220);
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 50);
const CUSTOMERS = Math.max(REGISTRATIONS, Number(process.env.LOAD_CUSTOMERS ?? 240));
const MAX_MS = Number(process.env.LOAD_MAX_SECONDS ?? 600) * 1000;
const REQUEST_TIMEOUT_MS = 60_000;

const STEPS = [
  'identify',
  'send-otp',
  'verify-otp',
  'username',
  'password',
  'security-images',
  'security-image',
  'contact',
  'challenge-questions',
  'challenge-answers',
  'second-factor',
  'complete',
] as const;
type StepName = (typeof STEPS)[number];

const timings: Record<string, number[]> = Object.fromEntries(STEPS.map((s) => [s, []]));
const failures: Record<string, number> = {};
let completed = 0;
let started = 0;
const completedEmails = new Set<string>();

class StepFailure extends Error {
  constructor(
    readonly step: StepName | 'sms',
    readonly code: string,
  ) {
    super(`${step}: ${code}`);
  }
}

const customers = generateCustomers(CUSTOMERS, 20_000);
const stack = await startBenchStack({
  SEED_FILE: writeCustomerFile(customers),
  // A sliding window keeps one slot per allowed call in one item (limit-store.ts): enough for this run's
  // calls from 127.0.0.1, far from DynamoDB's 400 KB item size.
  IDENTIFY_MAX_PER_IP_PER_MINUTE: '500',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
});
const base = stack.baseUrl;

async function call<T = Record<string, string>>(
  step: StepName,
  method: string,
  path: string,
  expected: number,
  options: { token?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const t0 = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (error) {
    throw new StepFailure(
      step,
      (error as Error).name === 'TimeoutError' ? 'client_timeout' : 'network_error',
    );
  }
  (timings[step] as number[]).push(performance.now() - t0);
  const body = text ? JSON.parse(text) : undefined;
  if (res.status !== expected) throw new StepFailure(step, `${res.status} ${body?.code ?? 'no_code'}`);
  return body as T;
}

async function smsCode(phone: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const messages = (await (await fetch(`${base}/_local/sms`)).json()) as { to: string; message: string }[];
    const code = /\b(\d{6})\b/.exec(messages.filter((m) => m.to === phone).at(-1)?.message ?? '')?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new StepFailure('sms', 'no_sms');
}

async function register(customer: GeneratedCustomer, n: number): Promise<void> {
  const first = await call('identify', 'POST', '/v1/registrations', 201, { body: customer.card });
  const id = first.registrationId as string;
  const at = `/v1/registrations/${id}`;
  await call('send-otp', 'POST', `${at}/otp`, 202, { token: first.token });
  const code = await smsCode(customer.phone);
  const { token } = await call('verify-otp', 'POST', `${at}/otp/verify`, 200, {
    token: first.token,
    body: { code },
  });
  const username = `carga.${String(n).padStart(5, '0')}`;
  await call('username', 'PUT', `${at}/username`, 200, { token, body: { username, confirmation: username } });
  const password = `Prueba de carga larga ${n} !`;
  await call('password', 'PUT', `${at}/password`, 200, { token, body: { password, confirmation: password } });
  const { images } = await call<{ images: { id: string }[] }>(
    'security-images',
    'GET',
    `${at}/security-images`,
    200,
    { token },
  );
  const imageId = images[n % images.length]?.id;
  await call('security-image', 'PUT', `${at}/security-image`, 200, { token, body: { imageId } });
  await call('contact', 'PUT', `${at}/contact`, 200, {
    token,
    body: { homePhone: '022345678', workPhone: '0991112233' },
  });
  const { questions, terms } = await call<{ questions: { id: string }[]; terms: { version: string } }>(
    'challenge-questions',
    'GET',
    `${at}/challenge-questions`,
    200,
    {
      token,
    },
  );
  const answers = (questions as { id: string }[]).slice(0, 3).map((q, i) => ({
    questionId: q.id,
    answer: `Respuesta ${i} de ${n}`,
  }));
  await call('challenge-answers', 'PUT', `${at}/challenge-answers`, 200, {
    token,
    body: { answers, acceptTerms: true, termsVersion: terms.version },
  });
  await call('second-factor', 'PUT', `${at}/second-factor`, 200, {
    token,
    body: { hasSmartDevice: n % 2 === 0, choice: n % 2 === 0 ? 'digital-token' : 'later' },
  });
  await call('complete', 'POST', `${at}/complete`, 201, { token });
  completed += 1;
  completedEmails.add(customer.email);
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
};

async function countUsers(): Promise<number> {
  const client = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let users = 0;
  for await (const page of paginateScan(
    { client },
    { TableName: `${stack.tablePrefix}users`, ConsistentRead: true, ProjectionExpression: 'pk, kind' },
  )) {
    // A user is kept under its customer: CUSTOMER#<id> items of kind 'user'.
    users += (page.Items ?? []).filter(
      (item) => item.pk?.S?.startsWith('CUSTOMER#') && item.kind?.S === 'user',
    ).length;
  }
  client.destroy();
  return users;
}

async function deliveredEmails(): Promise<{ total: number; distinct: number }> {
  const emails = (await (await fetch(`${base}/_local/email`)).json()) as { to: string }[];
  const ours = emails.filter((e) => customers.some((c) => c.email === e.to));
  return { total: ours.length, distinct: new Set(ours.map((e) => e.to)).size };
}

let exitCode = 0;
try {
  process.stdout.write(
    `Load: ${REGISTRATIONS} registrations, ${CONCURRENCY} at once, ${CUSTOMERS} customers, against ${base}\n`,
  );
  const t0 = performance.now();
  const deadline = Date.now() + MAX_MS;
  let next = 0;
  const worker = async () => {
    while (next < REGISTRATIONS && Date.now() < deadline) {
      const n = next++;
      started += 1;
      try {
        await register(customers[n] as GeneratedCustomer, n);
      } catch (error) {
        const key =
          error instanceof StepFailure
            ? `${error.step}: ${error.code}`
            : `error: ${(error as Error).message}`;
        failures[key] = (failures[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;

  // The outbox drain sends the completion emails shortly after: wait for them, bounded.
  let emails = await deliveredEmails();
  const waitUntil = Date.now() + 120_000;
  while (emails.total < completed && Date.now() < waitUntil) {
    await new Promise((r) => setTimeout(r, 1000));
    emails = await deliveredEmails();
  }
  await new Promise((r) => setTimeout(r, 2000));
  emails = await deliveredEmails();
  const users = await countUsers();

  const failed = Object.values(failures).reduce((s, x) => s + x, 0);
  const col = (s: string, w: number) => s.padStart(w);
  const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(0));
  const lines = [
    '',
    `${'step'.padEnd(22)}${col('calls', 7)}${col('p50 ms', 9)}${col('p99 ms', 9)}${col('max ms', 9)}`,
    `${'-'.repeat(22)}${'-'.repeat(34)}`,
    ...STEPS.map((s) => {
      const t = timings[s] as number[];
      return `${s.padEnd(22)}${col(String(t.length), 7)}${col(ms(quantile(t, 0.5)), 9)}${col(ms(quantile(t, 0.99)), 9)}${col(ms(Math.max(...t)), 9)}`;
    }),
    '',
    `started                ${started}`,
    `completed              ${completed}`,
    `failed                 ${failed}${failed ? '' : ' (none)'}`,
    ...Object.entries(failures).map(([k, v]) => `  ${k.padEnd(40)} ${v}`),
    `duration               ${seconds.toFixed(1)} s`,
    `throughput             ${(completed / seconds).toFixed(2)} registrations/s`,
    '',
    'Consistency',
    `  users in ${stack.tablePrefix}users (CUSTOMER# users) ${users}`,
    `  registrations completed             ${completed}`,
    `  completion emails delivered         ${emails.total} (${emails.distinct} distinct recipients)`,
  ];
  const consistent =
    users === completed &&
    emails.total === completed &&
    emails.distinct === completed &&
    completedEmails.size === completed;
  lines.push(`  check                               ${consistent ? 'PASS' : 'FAIL'}`, '');
  process.stdout.write(lines.join('\n'));
  if (!consistent) exitCode = 1;
  if (completed < REGISTRATIONS) {
    process.stdout.write(`Only ${completed} of ${REGISTRATIONS} registrations completed.\n`);
    exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`load run failed: ${(error as Error).stack}\n`);
  exitCode = 1;
} finally {
  const errors = stack.output.filter((l) => l.includes('"level":"error"'));
  if (errors.length) process.stdout.write(`Stack error lines: ${errors.length}, first: ${errors[0]}\n`);
  await stack.stop();
}
process.exit(exitCode);
