// The whole stack in this process (startLocalStack) with generated customers, and a client that walks the
// eleven wizard screens through the local gateway, timing each call.
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent, DynamoDBStreamHandler } from 'aws-lambda';
import { type TableName, tableEnvVar, tableNames } from '../../lambdas/tables.ts';
import { Api } from '../../test/support/api-client.ts';
import type { GeneratedCustomer } from '../../test/support/customers.ts';
import { CapacityMeter } from './capacity.ts';

/** The wizard's calls in the order the web wizard makes them, with the argon2 work each one does. */
export const WIZARD_STEPS = [
  { step: 'start-registration', hashes: 1 },
  { step: 'send-otp', hashes: 0 },
  { step: 'verify-otp', hashes: 0 },
  { step: 'choose-username', hashes: 0 },
  { step: 'create-password', hashes: 1 },
  { step: 'list-security-images', hashes: 0 },
  { step: 'choose-security-image', hashes: 0 },
  { step: 'update-contact', hashes: 0 },
  { step: 'list-challenge-questions', hashes: 0 },
  { step: 'answer-challenge-questions', hashes: 3 },
  { step: 'choose-second-factor', hashes: 0 },
  { step: 'complete-registration', hashes: 0 },
] as const;

export const CONSUMER = 'send-completion-email';

/** JSON log lines the handlers write, counted (bytes per step) and kept off the report. */
export class LogTap {
  readonly bytes = new Map<string, number>();
  private readonly original = process.stdout.write.bind(process.stdout);

  constructor(private readonly stepOf: () => string | undefined) {
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('{"time"')) return this.original(chunk, ...rest);
      const step = this.stepOf();
      if (step !== undefined) this.bytes.set(step, (this.bytes.get(step) ?? 0) + Buffer.byteLength(text));
      return true;
    }) as typeof process.stdout.write;
  }

  restore(): void {
    process.stdout.write = this.original;
  }
}

/**
 * The SMS codes the local sender appends to its outbox file, read incrementally: /_local/sms answers the whole
 * outbox every time, which would add work that grows with the run to the process being measured.
 */
class SmsCodes {
  private offset = 0;
  private readonly codes = new Map<string, string>();

  constructor(private readonly file: string) {}

  lastCode(phone: string): string {
    if (existsSync(this.file)) {
      const fd = openSync(this.file, 'r');
      try {
        const chunk = Buffer.alloc(1 << 20);
        for (;;) {
          const read = readSync(fd, chunk, 0, chunk.length, this.offset);
          if (read === 0) break;
          const text = chunk.subarray(0, read).toString('utf8');
          const complete = text.lastIndexOf('\n') + 1;
          for (const line of text.slice(0, complete).split('\n').filter(Boolean)) {
            const sms = JSON.parse(line) as { to: string; message: string };
            const code = /\b(\d{6})\b/.exec(sms.message)?.[1];
            if (code) this.codes.set(sms.to, code);
          }
          this.offset += Buffer.byteLength(text.slice(0, complete));
          if (complete === 0) break;
        }
      } finally {
        closeSync(fd);
      }
    }
    const code = this.codes.get(phone);
    if (!code) throw new Error(`no SMS code for ${phone}`);
    return code;
  }
}

/** DynamoDB Local is a Java child of this process; its CPU time is read from /proc. */
export function childCpuSeconds(): number {
  const ticks = 100;
  let total = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

export interface WizardClient {
  api: Api;
  lastCode(phone: string): string;
}

export interface BenchStack extends WizardClient {
  db: DynamoDBDocumentClient;
  tables: Record<TableName, string>;
  dynamodbEndpoint: string;
  meter: CapacityMeter;
  logs: LogTap;
  consumer: DynamoDBStreamHandler;
  stop(): Promise<void>;
}

/** Directory file with one card per customer: each seeded credential costs an argon2 hash at start-up. */
function writeCardFile(customers: GeneratedCustomer[], dir: string): string {
  const file = join(dir, 'customers.json');
  const records = customers.map((c) => ({
    customerId: c.customerId,
    name: `Cliente ${c.customerId}`,
    cedula: c.cedula,
    phone: c.phone,
    email: c.email,
    credentials: [c.card],
  }));
  writeFileSync(file, JSON.stringify({ customers: records }));
  return file;
}

/**
 * Starts DynamoDB Local, the SES emulator and the gateway in this process. The handlers read their
 * configuration at import, so the limits are set in process.env first; startLocalStack runs once per process.
 */
export async function startStack(customers: GeneratedCustomer[]): Promise<BenchStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'registration-bench-'));
  // Every benchmark call comes from 127.0.0.1: the per-address limits would measure themselves. A sliding
  // window keeps one slot per allowed call in one item (limit-store.ts), so the limits are raised to what a
  // run needs (a few hundred a minute), not to millions: a million-slot window costs every call its scan.
  Object.assign(process.env, {
    IDENTIFY_MAX_PER_IP_PER_MINUTE: '500',
    SIGN_IN_MAX_PER_IP_PER_MINUTE: '500',
    OTP_RESEND_COOLDOWN_SECONDS: '1',
    LOG_LEVEL: 'info',
  });
  const { startLocalStack } = await import('../local/stack.ts');
  const quiet = new LogTap(() => undefined);
  const stack = await startLocalStack({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SEED_FILE: writeCardFile(customers, stateDir),
    LOCAL_STATE_DIR: stateDir,
    TABLE_PREFIX: 'bench-',
    // In AWS the outbox stream invokes the consumer; the bench invokes it itself, once per registration.
    OUTBOX_DRAIN_MS: '2000000000',
  });
  quiet.restore();
  // Imported only now: the document client and the consumer read the stack's configuration at import.
  const { db } = await import('../../lambdas/storage.ts');
  const { handler: consumer } = await import('../../lambdas/handlers/send-completion-email.ts');
  const meter = new CapacityMeter();
  meter.attach(db(), 'benchConsumedCapacity');
  const logs = new LogTap(() => meter.step);
  const tables = Object.fromEntries(
    tableNames.map((name) => [name, process.env[tableEnvVar(name)] as string]),
  ) as Record<TableName, string>;
  const sms = new SmsCodes(join(stateDir, 'outbox', 'sms.jsonl'));
  return {
    api: new Api(stack.baseUrl),
    lastCode: (phone) => sms.lastCode(phone),
    db: db(),
    tables,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    meter,
    logs,
    consumer,
    stop: async () => {
      logs.restore();
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Wraps each call of the walk; the latency pass times it, the throughput pass does not. */
export type Around = <T>(step: string, call: () => Promise<T>) => Promise<T>;
export const untimed: Around = (_step, call) => call();

const expectStatus = async (
  step: string,
  around: Around,
  call: () => Promise<{ status: number; body: Record<string, unknown> }>,
  status: number,
) => {
  const result = await around(step, call);
  if (result.status !== status)
    throw new Error(`${step} answered ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
};

/** The username and password `register` gives a customer. */
const onlineCredentials = (customer: GeneratedCustomer) => ({
  username: `cliente.${customer.customerId.slice(-6)}`,
  password: 'Una clave larga de prueba 2026!',
});

/** Sign-in of a customer `register` created: S1 (the image) and S2 (the password, one argon2 verify). */
export async function signIn(
  client: WizardClient,
  customer: GeneratedCustomer,
  around: Around,
): Promise<void> {
  const { username, password } = onlineCredentials(customer);
  const started = await expectStatus(
    'start-sign-in',
    around,
    () => client.api.call('POST', '/v1/sign-ins', { body: { username } }),
    201,
  );
  await expectStatus(
    'sign-in-password',
    around,
    () =>
      client.api.call('POST', `/v1/sign-ins/${started.signInId}/password`, {
        token: started.token as string,
        body: { password },
      }),
    200,
  );
}

/** The eleven screens for one customer, as the web wizard calls them; returns the registration id. */
export async function register(
  client: WizardClient,
  customer: GeneratedCustomer,
  around: Around,
): Promise<string> {
  const { api } = client;
  const started = await expectStatus(
    'start-registration',
    around,
    () => api.call('POST', '/v1/registrations', { body: customer.card }),
    201,
  );
  const id = started.registrationId as string;
  const base = `/v1/registrations/${id}`;
  let token = started.token as string;
  await expectStatus('send-otp', around, () => api.call('POST', `${base}/otp`, { token }), 202);
  const code = client.lastCode(customer.phone);
  const verified = await expectStatus(
    'verify-otp',
    around,
    () => api.call('POST', `${base}/otp/verify`, { token, body: { code } }),
    200,
  );
  token = verified.token as string;
  const { username, password } = onlineCredentials(customer);
  const calls: [string, string, string, unknown][] = [
    ['choose-username', 'PUT', 'username', { username, confirmation: username }],
    ['create-password', 'PUT', 'password', { password, confirmation: password }],
    ['list-security-images', 'GET', 'security-images', undefined],
    ['choose-security-image', 'PUT', 'security-image', { imageId: 'colibri' }],
    ['update-contact', 'PUT', 'contact', { homePhone: '022345678', workPhone: '0991112233' }],
    ['list-challenge-questions', 'GET', 'challenge-questions', undefined],
    [
      'answer-challenge-questions',
      'PUT',
      'challenge-answers',
      {
        answers: [
          { questionId: 'q-first-job', answer: 'Heladería' },
          { questionId: 'q-first-pet', answer: 'Firulais' },
          { questionId: 'q-mother-birth-city', answer: 'Cuenca' },
        ],
        acceptTerms: true,
        termsVersion: '2026-11',
      },
    ],
    ['choose-second-factor', 'PUT', 'second-factor', { hasSmartDevice: true, choice: 'digital-token' }],
  ];
  for (const [step, method, path, body] of calls) {
    await expectStatus(step, around, () => api.call(method, `${base}/${path}`, { token, body }), 200);
  }
  await expectStatus(
    'complete-registration',
    around,
    () => api.call('POST', `${base}/complete`, { token }),
    201,
  );
  return id;
}

/** Runs the stream consumer on every pending outbox message, as the outbox table's stream does in AWS. */
export async function deliverPending(stack: BenchStack, around: Around): Promise<number> {
  const { Items = [] } = await stack.db.send(new ScanCommand({ TableName: stack.tables.outbox }));
  const pending = Items.filter((item) => item.status === 'pending');
  for (const item of pending) {
    const event: DynamoDBStreamEvent = {
      Records: [
        {
          eventName: 'INSERT',
          dynamodb: {
            SequenceNumber: String(item.createdAt),
            NewImage: { messageId: { S: String(item.messageId) }, status: { S: 'pending' } },
          },
        },
      ],
    };
    const result = await around(CONSUMER, async () => stack.consumer(event, {} as never, () => undefined));
    if (result && result.batchItemFailures.length > 0) throw new Error('the completion email was not sent');
  }
  return pending.length;
}
