// Wiring for the integration tests: tables of their own in the run's DynamoDB Local, the real DynamoDB
// adapters, fast fakes of the outside world where a test needs them, a wizard driver and a fault injector.
import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createTables } from '../../bin/local/tables.ts';
import { argon2Hasher } from '../../lambdas/adapters/argon2.ts';
import { DynamoReportLinkStore } from '../../lambdas/adapters/dynamodb/access-store.ts';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.ts';
import { DynamoCodeStore } from '../../lambdas/adapters/dynamodb/code-store.ts';
import {
  type DirectoryRecord,
  DynamoCustomerDirectory,
  writeDirectory,
} from '../../lambdas/adapters/dynamodb/customer-directory.ts';
import { DynamoLimitStore } from '../../lambdas/adapters/dynamodb/limit-store.ts';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.ts';
import { DynamoRegistrationStore } from '../../lambdas/adapters/dynamodb/registration-store.ts';
import { DynamoUserStore } from '../../lambdas/adapters/dynamodb/user-store.ts';
import { cryptoRandom, hmacKeyed } from '../../lambdas/adapters/primitives.ts';
import type { Credential, CustomerDirectory } from '../../lambdas/ports/customer-directory.ts';
import type { Email, EmailSender, SmsSender } from '../../lambdas/ports/notifications.ts';
import type {
  Clock,
  EventLog,
  Hasher,
  Keyed,
  RandomSource,
  SecurityEvent,
} from '../../lambdas/ports/system.ts';
import { chooseUsername } from '../../lambdas/registration/choose-username.ts';
import { deliverCompletionMessage } from '../../lambdas/registration/completion-email.ts';
import { createPassword } from '../../lambdas/registration/create-password.ts';
import { cancelRegistration, completeRegistration } from '../../lambdas/registration/finish.ts';
import {
  answerChallengeQuestions,
  chooseSecondFactor,
  chooseSecurityImage,
  updateContact,
} from '../../lambdas/registration/profile-steps.ts';
import { sendOtp } from '../../lambdas/registration/send-otp.ts';
import type { SessionDeps, SessionInput } from '../../lambdas/registration/session.ts';
import { startRegistration } from '../../lambdas/registration/start-registration.ts';
import { verifyOtp } from '../../lambdas/registration/verify-otp.ts';
import { terms } from '../../lambdas/rules/catalog.ts';
import { RegistrationError } from '../../lambdas/rules/errors.ts';
import type { SmsCodeRules as OtpRules } from '../../lambdas/rules/sms-code.ts';
import { type TableName, tableDefinitions } from '../../lambdas/tables.ts';
import { cedulaDigit, luhnDigit } from './customers.ts';

// ---------------------------------------------------------------------------------------------- storage

/** A control-plane client (tables, TTL, streams) for the run's DynamoDB Local. */
export function adminClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: inject('dynamodbEndpoint'),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export interface TestTables {
  db: DynamoDBDocumentClient;
  admin: DynamoDBClient;
  prefix: string;
  names: Record<TableName, string>;
}

/** Creates every table of the service under a prefix no other file uses. */
export async function freshTables(label: string): Promise<TestTables> {
  const admin = adminClient();
  const prefix = `it-${label}-${randomUUID().slice(0, 8)}-`;
  const names = await createTables(admin, prefix);
  return { db: createDocumentClient({ endpoint: inject('dynamodbEndpoint') }), admin, prefix, names };
}

/** A document client of its own, so that faults injected into it touch nothing else. */
export const newDocumentClient = (): DynamoDBDocumentClient =>
  createDocumentClient({ endpoint: inject('dynamodbEndpoint') });

export async function scanAll(db: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function getItem(
  db: DynamoDBDocumentClient,
  table: string,
  key: Record<string, string>,
): Promise<Record<string, unknown> | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

const SLOT = /^[sh]\d+$/;

/**
 * The limits table as what counts: a sliding-window item becomes its live hit times (a refunded slot holds
 * time 0, which no window contains), and an item with none is as good as absent. PIN items stay as stored.
 */
export function liveLimits(items: Record<string, unknown>[]): Record<string, unknown>[] {
  return items.flatMap((item) => {
    if (!Object.keys(item).some((k) => SLOT.test(k))) return [item];
    const hits = Object.entries(item)
      .filter(([k, v]) => /^s\d+$/.test(k) && (v as number) > 0)
      .map(([, v]) => v as number)
      .sort((a, b) => a - b);
    return hits.length ? [{ pk: item.pk, hits }] : [];
  });
}

/** Every table's items, for before/after comparisons ("nothing half-written"). */
export async function snapshot(tables: TestTables): Promise<Record<TableName, Record<string, unknown>[]>> {
  const entries = await Promise.all(
    (Object.keys(tables.names) as TableName[]).map(async (name) => {
      const items = await scanAll(tables.db, tables.names[name]);
      const { partitionKey, sortKey } = tableDefinitions[name];
      const order = (item: Record<string, unknown>) =>
        `${String(item[partitionKey])}#${sortKey ? String(item[sortKey]) : ''}`;
      items.sort((a, b) => order(a).localeCompare(order(b)));
      return [name, name === 'limits' ? liveLimits(items) : items] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<TableName, Record<string, unknown>[]>;
}

// ------------------------------------------------------------------------------------------------- faults

export interface FaultSpec {
  /** The low-level command, e.g. 'TransactWriteItemsCommand', 'PutItemCommand', 'UpdateItemCommand'. */
  command: string;
  /** Only calls on this table (for transactions: any item on it). */
  table?: string;
  /** Fail the nth matching call (1-based); default the first. */
  nth?: number;
  /** How many matching calls fail from the nth on; default 1. */
  times?: number;
  error?: 'throughput' | 'timeout';
  /** Let the call reach DynamoDB and lose only the answer (a timeout after the write happened). */
  afterSend?: boolean;
}

export interface Fault {
  /** Matching calls seen so far. */
  readonly seen: number;
  readonly injected: number;
  remove(): void;
}

const tablesOf = (input: Record<string, unknown>): string[] => {
  if (typeof input.TableName === 'string') return [input.TableName];
  const items = (input.TransactItems ?? []) as Record<string, { TableName?: string }>[];
  return items.flatMap((item) => Object.values(item).map((op) => op.TableName ?? ''));
};

const faultError = (kind: FaultSpec['error']): Error => {
  if (kind === 'timeout') {
    const error = new Error('Connection timed out after 1000 ms (injected)');
    error.name = 'TimeoutError';
    return error;
  }
  return new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded (injected)',
    $metadata: { httpStatusCode: 400 },
  });
};

let faultIds = 0;

/**
 * Fails chosen DynamoDB calls of one document client through its middleware stack, at the `initialize`
 * step, i.e. after the SDK's own retries would have given up: the adapter sees the final error.
 */
export function injectFault(db: DynamoDBDocumentClient, spec: FaultSpec): Fault {
  const name = `injected-fault-${++faultIds}`;
  const first = spec.nth ?? 1;
  const last = first + (spec.times ?? 1) - 1;
  const state = { seen: 0, injected: 0 };
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const matches =
        context.commandName === spec.command && (!spec.table || tablesOf(input).includes(spec.table));
      if (!matches) return next(args);
      state.seen += 1;
      if (state.seen < first || state.seen > last) return next(args);
      state.injected += 1;
      if (spec.afterSend) await next(args);
      throw faultError(spec.error);
    },
    { step: 'initialize', name, override: true },
  );
  return {
    get seen() {
      return state.seen;
    },
    get injected() {
      return state.injected;
    },
    remove: () => {
      db.middlewareStack.remove(name);
    },
  };
}

/**
 * Holds the first matching call of one document client until `release` is called, so that a test can run
 * another caller in between: a race with a chosen interleaving. `reached` resolves when the call is held.
 */
export function holdCall(
  db: DynamoDBDocumentClient,
  spec: { command: string; table?: string },
): { reached: Promise<void>; release: () => void; remove: () => void } {
  const name = `held-call-${++faultIds}`;
  let release = () => {};
  let reach = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  let held = false;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const matches =
        context.commandName === spec.command && (!spec.table || tablesOf(input).includes(spec.table));
      if (matches && !held) {
        held = true;
        reach();
        await released;
      }
      return next(args);
    },
    { step: 'initialize', name, override: true },
  );
  return { reached, release, remove: () => db.middlewareStack.remove(name) };
}

// -------------------------------------------------------------------------------------------- the world

/**
 * The tests' "now": fixed, and years ahead of the wall clock, because DynamoDB Local deletes items whose TTL
 * attribute lies in the real past (as DynamoDB does) and would make such tests flaky.
 */
export const TEST_NOW = Date.UTC(2030, 0, 15, 12, 0, 0);

export class FakeClock implements Clock {
  constructor(public time = TEST_NOW) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export const testKeyed: Keyed = hmacKeyed(Buffer.alloc(32, 7));

/** The real argon2id at the production floor (m=19 MiB, t=2, p=1). */
export const realHasher = (): Hasher => argon2Hasher(Buffer.alloc(32, 9), { memoryKiB: 19456, timeCost: 2 });

/** Where argon2's time would dominate a test: a salted SHA-256 that keeps the verify contract. */
export const fastHasher: Hasher = {
  hash: async (plain) => {
    const salt = randomUUID();
    return `fake$${salt}$${createHash('sha256').update(`${salt}:${plain}`).digest('base64url')}`;
  },
  verify: async (hash, plain) => {
    const [, salt, digest] = hash.split('$');
    return createHash('sha256').update(`${salt}:${plain}`).digest('base64url') === digest;
  },
};

export class RecordingEvents implements EventLog {
  readonly events: SecurityEvent[] = [];
  record(event: SecurityEvent): void {
    this.events.push(event);
  }
}

export class RecordingSms implements SmsSender {
  readonly sent: { to: string; message: string }[] = [];
  async send(to: string, message: string): Promise<void> {
    this.sent.push({ to, message });
  }
}

export class RecordingEmail implements EmailSender {
  readonly sent: Email[] = [];
  async send(email: Email): Promise<void> {
    this.sent.push(email);
  }
}

/** The CSPRNG, except that the codes drawn are the given ones, in order (then random again). */
export function scriptedCodes(codes: number[]): RandomSource {
  const queue = [...codes];
  return { ...cryptoRandom, int: (max) => queue.shift() ?? cryptoRandom.int(max) };
}

/** The six-digit code of an SMS text. */
export function codeOf(message: string): string {
  const code = /\b(\d{6})\b/.exec(message)?.[1];
  if (!code) throw new Error(`no code in SMS: ${message}`);
  return code;
}

// ---------------------------------------------------------------------------------------------- customers

const cedulaCheck = (nine: string): string => `${nine}${cedulaDigit(nine)}`;
const luhnCheck = (body: string): string => `${body}${luhnDigit(body)}`;

export interface TestCustomer {
  record: DirectoryRecord;
  card: Extract<Credential, { type: 'card' }>;
  virtualKey: Extract<Credential, { type: 'virtual-key' }>;
}

/** A customer with a Luhn-valid card and a virtual key on a valid cédula, distinct per `n`. */
export function testCustomer(n: number, tag = randomUUID().slice(0, 6)): TestCustomer {
  const digits = String(n).padStart(6, '0');
  const cedula = cedulaCheck(`171${digits}`);
  const card = {
    type: 'card' as const,
    cardNumber: luhnCheck(`45${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}${digits}`),
    expiryMonth: 12,
    expiryYear: 2031,
    pin: String(1000 + ((n * 37) % 9000)),
  };
  const virtualKey = { type: 'virtual-key' as const, cedula, pin: String(1000 + ((n * 53 + 11) % 9000)) };
  return {
    card,
    virtualKey,
    record: {
      customer: {
        customerId: `C-${tag}-${digits}`,
        name: `Cliente ${n}`,
        cedula,
        identityNumbers: [cedula],
        phone: `+59399${digits}1`,
        email: `cliente${digits}@example.ec`,
        registered: false,
      },
      credentials: [card, virtualKey],
    },
  };
}

// ------------------------------------------------------------------------------------------------- wiring

export interface Rules {
  session: { idleSeconds: number; maxSeconds: number };
  otp: OtpRules;
  pin: { maxAttempts: number; lockSeconds: number };
  identifyPerIpPerMinute: number;
  usernameMaxTries: number;
}

/** The production defaults of API.md, except where a test would trip a limit it does not test. */
export const defaultRules = (): Rules => ({
  session: { idleSeconds: 300, maxSeconds: 1200 },
  otp: { ttlSeconds: 300, maxAttempts: 3, maxSends: 3, cooldownSeconds: 30, perPhonePerHour: 5 },
  pin: { maxAttempts: 3, lockSeconds: 86_400 },
  identifyPerIpPerMinute: 10,
  usernameMaxTries: 10,
});

export interface Services {
  tables: TestTables;
  db: DynamoDBDocumentClient;
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  hasher: Hasher;
  events: RecordingEvents;
  sms: SmsSender;
  email: EmailSender;
  rules: Rules;
  registrations: DynamoRegistrationStore;
  codes: DynamoCodeStore;
  limits: DynamoLimitStore;
  users: DynamoUserStore;
  directory: CustomerDirectory;
  outbox: DynamoOutbox;
}

/** The real DynamoDB adapters on `db` (default: the tables' client) and the given outside world. */
export function wire(
  tables: TestTables,
  options: Partial<Omit<Services, 'tables' | 'registrations' | 'codes' | 'limits' | 'users' | 'outbox'>> = {},
): Services {
  const db = options.db ?? tables.db;
  const keyed = options.keyed ?? testKeyed;
  const hasher = options.hasher ?? fastHasher;
  const rules = options.rules ?? defaultRules();
  const { names } = tables;
  return {
    tables,
    db,
    clock: options.clock ?? new FakeClock(),
    random: options.random ?? cryptoRandom,
    keyed,
    hasher,
    events: options.events ?? new RecordingEvents(),
    sms: options.sms ?? new RecordingSms(),
    email: options.email ?? new RecordingEmail(),
    rules,
    registrations: new DynamoRegistrationStore(
      db,
      {
        registrations: names.registrations,
        users: names.users,
        codes: names.codes,
        outbox: names.outbox,
        audit: names.audit,
      },
      rules.session.maxSeconds * 1000,
    ),
    codes: new DynamoCodeStore(db, names.codes),
    limits: new DynamoLimitStore(db, names.limits),
    users: new DynamoUserStore(db, names.users),
    directory:
      options.directory ??
      new DynamoCustomerDirectory(db, names.customers, {
        keyed: async () => keyed,
        hasher: async () => hasher,
      }),
    outbox: new DynamoOutbox(db, names.outbox),
  };
}

export async function seed(services: Services, customers: TestCustomer[]): Promise<void> {
  await writeDirectory(
    services.tables.db,
    services.tables.names.customers,
    services.keyed,
    services.hasher,
    customers.map((c) => c.record),
  );
}

export const sessionDeps = (s: Services): SessionDeps => ({
  clock: s.clock,
  registrations: s.registrations,
  events: s.events,
  session: s.rules.session,
});

/** The dependencies of every use case, as the handlers wire them. */
export const useCaseDeps = (s: Services) => ({
  start: {
    clock: s.clock,
    random: s.random,
    keyed: s.keyed,
    events: s.events,
    directory: s.directory,
    registrations: s.registrations,
    users: s.users,
    limits: s.limits,
    rules: {
      session: s.rules.session,
      pin: s.rules.pin,
      identifyPerIpPerMinute: s.rules.identifyPerIpPerMinute,
    },
  },
  sendOtp: {
    ...sessionDeps(s),
    random: s.random,
    keyed: s.keyed,
    codes: s.codes,
    limits: s.limits,
    directory: s.directory,
    sms: s.sms,
    otp: s.rules.otp,
  },
  verifyOtp: {
    ...sessionDeps(s),
    random: s.random,
    keyed: s.keyed,
    codes: s.codes,
    limits: s.limits,
    directory: s.directory,
    otp: { ...s.rules.otp, maxFailuresPerCustomer: 10 },
    pin: s.rules.pin,
  },
  chooseUsername: {
    ...sessionDeps(s),
    users: s.users,
    directory: s.directory,
    limits: s.limits,
    usernameMaxTries: s.rules.usernameMaxTries,
  },
  createPassword: { ...sessionDeps(s), directory: s.directory, hasher: s.hasher },
  answers: { ...sessionDeps(s), hasher: s.hasher },
  session: sessionDeps(s),
  complete: { ...sessionDeps(s), random: s.random },
  deliver: deliverDeps(s),
});

/** The error code a use case failed with, or 'ok'; anything but a RegistrationError is rethrown. */
export async function outcome<T>(call: Promise<T>): Promise<T | string> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof RegistrationError) return error.code;
    throw error;
  }
}

export const body =
  <T>(value: T) =>
  (): T =>
    value;

export type Session = SessionInput & { token: string };

/** Drives registrations through the real use cases, step by step. */
export class Wizard {
  readonly deps: ReturnType<typeof useCaseDeps>;
  private ips = 0;

  constructor(readonly services: Services) {
    this.deps = useCaseDeps(services);
  }

  async start(
    credential: Credential,
    sourceIp = `10.0.${++this.ips % 250}.${this.ips % 250}`,
  ): Promise<Session> {
    const started = await startRegistration(this.deps.start, { readBody: body(credential), sourceIp });
    return { registrationId: started.registrationId, token: started.token };
  }

  sendOtp(session: Session) {
    return sendOtp(this.deps.sendOtp, session);
  }

  /** The code of the last SMS sent to `phone` through a RecordingSms. */
  lastCode(phone: string): string {
    const sms = this.services.sms as RecordingSms;
    const last = sms.sent.filter((m) => m.to === phone).at(-1);
    if (!last) throw new Error(`no SMS to ${phone}`);
    return codeOf(last.message);
  }

  /** Verifies and rotates the session's token. */
  async verify(session: Session, code: string): Promise<void> {
    const { token } = await verifyOtp(this.deps.verifyOtp, { ...session, readBody: body({ code }) });
    session.token = token;
  }

  /** Step 1 to 3: a registration at choose-username. */
  async verified(customer: TestCustomer, credential: Credential = customer.card): Promise<Session> {
    const session = await this.start(credential);
    await this.sendOtp(session);
    await this.verify(session, this.lastCode(customer.record.customer.phone));
    return session;
  }

  username(session: Session, username: string) {
    return chooseUsername(this.deps.chooseUsername, {
      ...session,
      readBody: body({ username, confirmation: username }),
    });
  }

  password(session: Session, password = 'cielo azul de quito 2026') {
    return createPassword(this.deps.createPassword, {
      ...session,
      readBody: body({ password, confirmation: password }),
    });
  }

  image(session: Session, imageId = 'colibri') {
    return chooseSecurityImage(this.deps.session, { ...session, readBody: body({ imageId }) });
  }

  contact(session: Session) {
    return updateContact(this.deps.session, {
      ...session,
      readBody: body({ homePhone: '022345678', workPhone: '0991234567' }),
    });
  }

  answers(session: Session) {
    return answerChallengeQuestions(this.deps.answers, {
      ...session,
      readBody: body({
        answers: [
          { questionId: 'q-first-pet', answer: 'Firulais' },
          { questionId: 'q-first-school', answer: 'La Salle' },
          { questionId: 'q-first-job', answer: 'Panadería' },
        ],
        acceptTerms: true,
        termsVersion: terms.version,
      }),
    });
  }

  secondFactor(session: Session) {
    return chooseSecondFactor(this.deps.session, {
      ...session,
      readBody: body({ hasSmartDevice: true, choice: 'digital-token' }),
    });
  }

  /** Step 1 to 10: a registration at finish with `username` reserved. */
  async atFinish(customer: TestCustomer, username: string, credential?: Credential): Promise<Session> {
    const session = await this.verified(customer, credential);
    await this.username(session, username);
    await this.password(session);
    await this.image(session);
    await this.contact(session);
    await this.answers(session);
    await this.secondFactor(session);
    return session;
  }

  complete(session: Session) {
    return completeRegistration(this.deps.complete, session);
  }

  cancel(session: Session) {
    return cancelRegistration(this.deps.session, session);
  }

  deliver(messageId: string) {
    return deliverCompletionMessage(this.deps.deliver, messageId);
  }
}

/** The email delivery on the real tables: the outbox, the «No fui yo» links, the given sender. */
export const deliverDeps = (s: Services) => ({
  outbox: s.outbox,
  clock: s.clock,
  random: s.random,
  directory: s.directory,
  email: s.email,
  events: s.events,
  reportLinks: new DynamoReportLinkStore(s.db, s.tables.names.users),
  reports: { ttlSeconds: 604_800, webBaseUrl: 'http://localhost:3000' },
});
