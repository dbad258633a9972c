// In-memory fakes of the ports for use-case unit tests. Each honours its port's contract (lambdas/ports):
// conditional writes fail with the ConflictError the DynamoDB adapters raise, and transactions are
// all-or-nothing. Every fake can be told to fail its next call with a DependencyError (rule 29).
import { createHash } from 'node:crypto';
import { aesGcmBox } from '../../lambdas/adapters/aes-gcm.ts';
import { hmacKeyed } from '../../lambdas/adapters/primitives.ts';
import {
  type Credential,
  type CredentialSummary,
  type Customer,
  type CustomerDirectory,
  credentialIdentifier,
} from '../../lambdas/ports/customer-directory.ts';
import type { Email, EmailSender, SmsSender } from '../../lambdas/ports/notifications.ts';
import type {
  AccessChange,
  AccessStore,
  AuditEntry,
  ReportLink,
  ReportLinkStore,
} from '../../lambdas/ports/recovery.ts';
import {
  ABSENT_USER_PK,
  type AccountStore,
  type DigitalToken,
  type NewDevice,
  type OnlineUser,
  type PendingToken,
  type SignedInSession,
  type SignInAttempt,
  type SignInStatus,
  type SignInStore,
  type UserSession,
} from '../../lambdas/ports/sign-in.ts';
import {
  type CodeRecord,
  type CodeStore,
  type CompletionMessage,
  ConflictError,
  type LimitStore,
  type NewUser,
  type OutboxMessage,
  type RegistrationStore,
  type Superseded,
  type UsernameHolder,
  type UserStore,
  type WindowHit,
} from '../../lambdas/ports/stores.ts';
import type { Clock, EventLog, Hasher, RandomSource, SecurityEvent } from '../../lambdas/ports/system.ts';
import { chooseUsername } from '../../lambdas/registration/choose-username.ts';
import { createPassword } from '../../lambdas/registration/create-password.ts';
import {
  cancelRegistration,
  completeRegistration,
  getRegistration,
} from '../../lambdas/registration/finish.ts';
import {
  answerChallengeQuestions,
  chooseSecondFactor,
  chooseSecurityImage,
  updateContact,
} from '../../lambdas/registration/profile-steps.ts';
import type { Registration } from '../../lambdas/registration/registration.ts';
import { sendOtp } from '../../lambdas/registration/send-otp.ts';
import { startRegistration } from '../../lambdas/registration/start-registration.ts';
import { verifyOtp } from '../../lambdas/registration/verify-otp.ts';
import { terms } from '../../lambdas/rules/catalog.ts';
import { DependencyError, RegistrationError } from '../../lambdas/rules/errors.ts';

/** A macrotask turn: lets parallel calls interleave the way they do against a real store. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const copy = <T>(value: T): T => structuredClone(value);

/** Arms one-shot failures by operation name, e.g. `faults.failNext('registrations.save')`. */
export class Faults {
  private readonly armed = new Map<string, number>();

  failNext(operation: string, times = 1): void {
    this.armed.set(operation, (this.armed.get(operation) ?? 0) + times);
  }

  check(operation: string): void {
    const left = this.armed.get(operation) ?? 0;
    if (left <= 0) return;
    this.armed.set(operation, left - 1);
    throw new DependencyError(`injected failure of ${operation}`, { cause: new Error('ECONNRESET') });
  }
}

export class FakeClock implements Clock {
  constructor(private current = Date.parse('2026-06-15T10:00:00.000Z')) {}

  now(): number {
    return this.current;
  }

  advanceMs(ms: number): void {
    this.current += ms;
  }

  advanceSeconds(seconds: number): void {
    this.current += seconds * 1000;
  }

  set(iso: string): void {
    this.current = Date.parse(iso);
  }
}

/** Integers come from a script (then 0, 1, 2...); bytes and uuids are distinct on every call. */
export class ScriptedRandom implements RandomSource {
  readonly intCalls: number[] = [];
  private readonly script: number[] = [];
  private counter = 0;

  constructor(ints: number[] = []) {
    this.script.push(...ints);
  }

  queue(...ints: number[]): void {
    this.script.push(...ints);
  }

  int(max: number): number {
    this.intCalls.push(max);
    const value = this.script.length > 0 ? (this.script.shift() as number) : this.counter++ % max;
    if (!Number.isInteger(value) || value < 0 || value >= max)
      throw new Error(`scripted ${value} not in [0, ${max})`);
    return value;
  }

  bytes(length: number): Buffer {
    this.counter++;
    const out = Buffer.alloc(length);
    let block = Buffer.alloc(0);
    for (let i = 0; block.length < length; i++) {
      block = Buffer.concat([block, createHash('sha256').update(`bytes:${this.counter}:${i}`).digest()]);
    }
    block.copy(out, 0, 0, length);
    return out;
  }

  uuid(): string {
    this.counter++;
    const hex = createHash('sha256').update(`uuid:${this.counter}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** A fast stand-in for argon2id: salted SHA-256, verified by recomputation. Counts its calls. */
export class FakeHasher implements Hasher {
  hashes = 0;
  verifications = 0;
  private salt = 0;

  private digest(salt: string, plain: string): string {
    return createHash('sha256').update(`${salt}\0${plain}`).digest('base64url');
  }

  async hash(plain: string): Promise<string> {
    this.hashes++;
    const salt = `s${++this.salt}`;
    return `fake$${salt}$${this.digest(salt, plain)}`;
  }

  async verify(hash: string, plain: string): Promise<boolean> {
    this.verifications++;
    const [kind, salt, digest] = hash.split('$');
    return kind === 'fake' && salt !== undefined && digest === this.digest(salt, plain);
  }
}

export class RecordingEventLog implements EventLog {
  readonly events: SecurityEvent[] = [];

  record(event: SecurityEvent): void {
    this.events.push({ ...event });
  }

  kinds(): string[] {
    return this.events.map((e) => e.event);
  }

  of(kind: SecurityEvent['event']): SecurityEvent[] {
    return this.events.filter((e) => e.event === kind);
  }
}

export class FakeSmsSender implements SmsSender {
  readonly sent: { to: string; message: string }[] = [];
  constructor(private readonly faults = new Faults()) {}

  async send(to: string, message: string): Promise<void> {
    await turn();
    this.faults.check('sms.send');
    this.sent.push({ to, message });
  }

  failNext(): void {
    this.faults.failNext('sms.send');
  }
}

export class FakeEmailSender implements EmailSender {
  readonly sent: Email[] = [];
  constructor(private readonly faults = new Faults()) {}

  async send(email: Email): Promise<void> {
    await turn();
    this.faults.check('email.send');
    this.sent.push(copy(email));
  }
}

/** A customer as a test writes it: the credentials carry clear PINs (only this fake ever sees them). */
export interface FakeCustomer extends Customer {
  credentials: (Credential & { status?: 'active' | 'blocked' })[];
}

/**
 * The directory: every failure (unknown, expiry mismatch, wrong PIN, blocked) is `undefined`, as the port
 * says. It counts its calls so that tests can show that validation comes before any lookup.
 */
export class FakeCustomerDirectory implements CustomerDirectory {
  readonly customers = new Map<string, FakeCustomer>();
  authenticateCalls = 0;
  getCustomerCalls = 0;
  constructor(private readonly faults = new Faults()) {}

  add(customer: FakeCustomer): FakeCustomer {
    this.customers.set(customer.customerId, copy(customer));
    return customer;
  }

  async authenticate(credential: Credential): Promise<Customer | undefined> {
    this.authenticateCalls++;
    await turn();
    this.faults.check('directory.authenticate');
    const wanted = credentialIdentifier(credential);
    for (const customer of this.customers.values()) {
      const held = customer.credentials.find((c) => credentialIdentifier(c) === wanted);
      if (!held) continue;
      if (held.pin !== credential.pin || (held.status ?? 'active') !== 'active') return undefined;
      if (
        held.type === 'card' &&
        credential.type === 'card' &&
        (held.expiryMonth !== credential.expiryMonth || held.expiryYear !== credential.expiryYear)
      ) {
        return undefined;
      }
      return this.view(customer);
    }
    return undefined;
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    this.getCustomerCalls++;
    await turn();
    this.faults.check('directory.getCustomer');
    const customer = this.customers.get(customerId);
    return customer ? this.view(customer) : undefined;
  }

  async credentialKeys(customerId: string): Promise<string[]> {
    await turn();
    this.faults.check('directory.credentialKeys');
    const keyed = hmacKeyed(HMAC_TEST_KEY);
    return (this.customers.get(customerId)?.credentials ?? []).map((c) =>
      keyed.digest('credential', credentialIdentifier(c)),
    );
  }

  async credentials(customerId: string): Promise<CredentialSummary[]> {
    const digests = await this.credentialKeys(customerId);
    return (this.customers.get(customerId)?.credentials ?? []).map((c, index) => ({
      digest: digests[index] as string,
      type: c.type,
      ...(c.type === 'card' ? { last4: c.cardNumber.slice(-4) } : {}),
    }));
  }

  async findByIdentityNumber(identityNumber: string): Promise<string[]> {
    await turn();
    return [...this.customers.values()]
      .filter((c) => c.identityNumbers.includes(identityNumber))
      .map((c) => c.customerId);
  }

  private view({ credentials: _c, ...customer }: FakeCustomer): Customer {
    return copy(customer);
  }
}

type UsernameEntry =
  | { kind: 'user'; username: string; userId: string; registrationId?: string }
  | { kind: 'reservation'; username?: string; registrationId: string; expiresAt: number };

/** The users table: usernames (reserved or permanent), customer links and users. */
export class FakeUserStore implements UserStore {
  readonly usernames = new Map<string, UsernameEntry>();
  readonly customerLinks = new Map<string, string>();
  readonly users = new Map<string, NewUser>();
  constructor(private readonly faults = new Faults()) {}

  /** An online user that exists already (another customer's, or this customer's from an earlier time). */
  seedUser(username: string, customerId: string): void {
    const userId = `seed-${customerId}`;
    this.usernames.set(username.toLowerCase(), { kind: 'user', username, userId });
    this.customerLinks.set(customerId, userId);
  }

  async usernameHolder(usernameKey: string): Promise<UsernameHolder | undefined> {
    await turn();
    this.faults.check('users.usernameHolder');
    const entry = this.usernames.get(usernameKey);
    if (!entry) return undefined;
    if (entry.kind === 'user') return { kind: 'user' };
    return { kind: 'reservation', registrationId: entry.registrationId, expiresAt: entry.expiresAt };
  }

  async customerHasUser(customerId: string): Promise<boolean> {
    await turn();
    this.faults.check('users.customerHasUser');
    return this.customerLinks.has(customerId);
  }
}

/** Codes, one record per registration. `history` keeps every record ever written, for leak scans. */
export class FakeCodeStore implements CodeStore {
  readonly records = new Map<string, CodeRecord>();
  readonly history: CodeRecord[] = [];
  constructor(private readonly faults = new Faults()) {}

  write(record: CodeRecord): void {
    this.records.set(record.registrationId, copy(record));
    this.history.push(copy(record));
  }

  async get(registrationId: string): Promise<CodeRecord | undefined> {
    await turn();
    this.faults.check('codes.get');
    const record = this.records.get(registrationId);
    return record ? copy(record) : undefined;
  }

  async issue(
    next: Omit<CodeRecord, 'attempts' | 'sends' | 'used'>,
    rules: { maxSends: number; cooldownMs: number },
  ): Promise<{ issued: true; previous?: CodeRecord } | { issued: false }> {
    await turn();
    this.faults.check('codes.issue');
    const previous = this.records.get(next.registrationId);
    if (
      previous &&
      !(previous.sends < rules.maxSends && previous.lastSentAt <= next.lastSentAt - rules.cooldownMs)
    ) {
      return { issued: false };
    }
    this.write({ ...next, attempts: 0, used: false, sends: (previous?.sends ?? 0) + 1 });
    return previous ? { issued: true, previous: copy(previous) } : { issued: true };
  }

  async restore(registrationId: string, issuedHmac: string, previous?: CodeRecord): Promise<void> {
    await turn();
    this.faults.check('codes.restore');
    if (this.records.get(registrationId)?.codeHmac !== issuedHmac) return;
    if (previous) this.write(previous);
    else this.records.delete(registrationId);
  }

  async countAttempt(
    registrationId: string,
    now: number,
    maxAttempts: number,
  ): Promise<CodeRecord | undefined> {
    await turn();
    this.faults.check('codes.countAttempt');
    const record = this.records.get(registrationId);
    if (!record || record.used || record.expiresAt <= now || record.attempts >= maxAttempts) return undefined;
    this.write({ ...record, attempts: record.attempts + 1 });
    return copy(this.records.get(registrationId) as CodeRecord);
  }
}

interface PinItem {
  tries: number;
  /** When the count ends without a lock (DynamoDB's TTL of the item). */
  expiresAt: number;
  lockedUntil?: number;
}

/** Sliding-window hits and PIN locks, with the semantics of the DynamoDB adapter. */
export class FakeLimitStore implements LimitStore {
  /** The counted hits of each key: time and id. */
  readonly hits = new Map<string, { at: number; hitId: string }[]>();
  readonly pins = new Map<string, PinItem>();
  pinTryCalls = 0;
  private nextId = 0;
  constructor(private readonly faults = new Faults()) {}

  /** The hits counted on keys that start with `prefix` (e.g. 'sms#', 'ip#'), whatever their time. */
  counted(prefix: string): number {
    let sum = 0;
    for (const [key, hits] of this.hits) if (key.startsWith(prefix)) sum += hits.length;
    return sum;
  }

  private inWindow(key: string, windowMs: number, now: number) {
    return (this.hits.get(key) ?? []).filter((h) => h.at > now - windowMs);
  }

  async hit(key: string, max: number, windowMs: number, now: number): Promise<WindowHit> {
    await turn();
    this.faults.check('limits.hit');
    const inside = this.inWindow(key, windowMs, now);
    if (inside.length >= max)
      return { allowed: false, retryAt: Math.min(...inside.map((h) => h.at)) + windowMs };
    const hitId = `hit-${this.nextId++}`;
    this.hits.set(key, [...(this.hits.get(key) ?? []), { at: now, hitId }]);
    return { allowed: true, hitId };
  }

  async refund(key: string, hitId: string): Promise<void> {
    await turn();
    this.faults.check('limits.refund');
    this.hits.set(
      key,
      (this.hits.get(key) ?? []).filter((h) => h.hitId !== hitId),
    );
  }

  async count(key: string, max: number, windowMs: number, now: number): Promise<number> {
    await turn();
    this.faults.check('limits.count');
    return Math.min(max, this.inWindow(key, windowMs, now).length);
  }

  async fullUntil(key: string, max: number, windowMs: number, now: number): Promise<number | undefined> {
    await turn();
    this.faults.check('limits.count');
    const inside = this.inWindow(key, windowMs, now);
    return inside.length >= max ? Math.min(...inside.map((h) => h.at)) + windowMs : undefined;
  }

  async clear(key: string): Promise<void> {
    await turn();
    this.faults.check('limits.clear');
    this.hits.delete(key);
    this.pins.delete(key);
  }

  async pinLockAll(keys: string[], until: number): Promise<void> {
    await turn();
    // One transaction: a fault leaves every key as it was.
    this.faults.check('limits.pinLockAll');
    for (const key of keys) {
      const item = this.pins.get(key);
      this.pins.set(key, { tries: item?.tries ?? 0, expiresAt: until, lockedUntil: until });
    }
  }

  async pinTry(
    key: string,
    now: number,
    max: number,
    lockSeconds: number,
  ): Promise<{ locked: true; until: number } | { locked: false; tries: number }> {
    this.pinTryCalls++;
    await turn();
    this.faults.check('limits.pinTry');
    const count = (): number | undefined => {
      const item = this.pins.get(key);
      if (item && (item.lockedUntil !== undefined || item.tries >= max)) return undefined;
      const tries = (item?.tries ?? 0) + 1;
      this.pins.set(key, { tries, expiresAt: now + lockSeconds * 1000 });
      return tries;
    };
    const counted = count();
    if (counted !== undefined) return { locked: false, tries: counted };
    const item = this.pins.get(key) as PinItem;
    const lockedUntil = item.lockedUntil ?? item.expiresAt;
    if (lockedUntil <= now) {
      this.pins.delete(key);
      return { locked: false, tries: count() as number };
    }
    return { locked: true, until: lockedUntil };
  }

  async lockedUntil(key: string, now: number, max: number): Promise<number | undefined> {
    const item = this.pins.get(key);
    const until = item?.lockedUntil ?? (item && item.tries >= max ? item.expiresAt : undefined);
    return until !== undefined && until > now ? until : undefined;
  }

  async pinLock(key: string, until: number): Promise<void> {
    await turn();
    this.faults.check('limits.pinLock');
    const item = this.pins.get(key);
    this.pins.set(key, { tries: item?.tries ?? 0, expiresAt: until, lockedUntil: until });
  }

  async pinReset(key: string): Promise<void> {
    await turn();
    this.faults.check('limits.pinReset');
    if (this.pins.get(key)?.lockedUntil === undefined) this.pins.delete(key);
  }

  async pinRelease(key: string): Promise<void> {
    await turn();
    this.faults.check('limits.pinRelease');
    const item = this.pins.get(key);
    if (item && item.lockedUntil === undefined && item.tries > 0)
      this.pins.set(key, { ...item, tries: item.tries - 1 });
  }
}

/**
 * Registrations, with the transactions that also touch the users table (username reservations, the user
 * and its link), the codes table (code used) and the outbox. A transaction checks every condition before
 * it writes anything.
 */
export class FakeRegistrationStore implements RegistrationStore {
  readonly registrations = new Map<string, Registration>();
  readonly outbox = new Map<string, CompletionMessage>();
  /** Every registration state ever written, for leak scans. */
  readonly history: Registration[] = [];

  constructor(
    private readonly users: FakeUserStore,
    private readonly codes: FakeCodeStore,
    private readonly faults = new Faults(),
  ) {}

  private write(registration: Registration): void {
    this.registrations.set(registration.registrationId, copy(registration));
    this.history.push(copy(registration));
  }

  private checkVersion(next: Registration, expectedVersion: number): void {
    const stored = this.registrations.get(next.registrationId);
    if (!stored || stored.version !== expectedVersion || stored.status !== 'open') {
      throw new ConflictError('version');
    }
  }

  private mayRelease(key: string, registrationId: string): boolean {
    const entry = this.users.usernames.get(key);
    return entry?.kind === 'reservation' && entry.registrationId === registrationId;
  }

  /** Each customer's pointer to the registration its last step 1 opened. */
  readonly pointers = new Map<string, string>();

  async create(registration: Registration, superseded?: Superseded): Promise<void> {
    await turn();
    this.faults.check('registrations.create');
    if (this.registrations.has(registration.registrationId)) {
      throw new DependencyError('registration id exists already');
    }
    if (superseded) {
      if (this.pointers.get(registration.customerId) !== superseded.pointer)
        throw new ConflictError('version');
      const close = superseded.close;
      if (close) {
        this.checkVersion(close.next, close.expectedVersion);
        if (close.usernameKey && !this.mayRelease(close.usernameKey, close.next.registrationId)) {
          throw new ConflictError('version');
        }
        this.write(close.next);
        if (close.usernameKey) this.users.usernames.delete(close.usernameKey);
      }
      this.pointers.set(registration.customerId, registration.registrationId);
    }
    this.write(registration);
  }

  async lastOpenedBy(customerId: string): Promise<string | undefined> {
    await turn();
    this.faults.check('registrations.lastOpenedBy');
    return this.pointers.get(customerId);
  }

  async get(registrationId: string): Promise<Registration | undefined> {
    await turn();
    this.faults.check('registrations.get');
    const registration = this.registrations.get(registrationId);
    return registration ? copy(registration) : undefined;
  }

  async touch(registrationId: string, now: number): Promise<void> {
    await turn();
    this.faults.check('registrations.touch');
    const stored = this.registrations.get(registrationId);
    if (stored && stored.status === 'open' && stored.lastSeenAt < now) {
      this.write({ ...stored, lastSeenAt: now });
    }
  }

  async save(next: Registration, expectedVersion: number): Promise<void> {
    await turn();
    this.faults.check('registrations.save');
    this.checkVersion(next, expectedVersion);
    this.write(next);
  }

  async saveWithUsername(
    next: Registration,
    expectedVersion: number,
    reservation: { key: string; previousKey?: string; takeOverFrom?: string; expiresAt: number },
  ): Promise<void> {
    await turn();
    this.faults.check('registrations.saveWithUsername');
    this.checkVersion(next, expectedVersion);
    const holder = this.users.usernames.get(reservation.key);
    const allowed = reservation.takeOverFrom
      ? holder?.kind === 'reservation' && holder.registrationId === reservation.takeOverFrom
      : !holder || (holder.kind === 'reservation' && holder.registrationId === next.registrationId);
    if (!allowed) throw new ConflictError('username');
    if (reservation.previousKey && !this.mayRelease(reservation.previousKey, next.registrationId)) {
      throw new ConflictError('version');
    }
    this.write(next);
    this.users.usernames.set(reservation.key, {
      kind: 'reservation',
      username: next.username,
      registrationId: next.registrationId,
      expiresAt: reservation.expiresAt,
    });
    if (reservation.previousKey) this.users.usernames.delete(reservation.previousKey);
  }

  async saveWithCodeUsed(next: Registration, expectedVersion: number, codeHmac: string): Promise<void> {
    await turn();
    this.faults.check('registrations.saveWithCodeUsed');
    this.checkVersion(next, expectedVersion);
    const code = this.codes.records.get(next.registrationId);
    if (!code || code.codeHmac !== codeHmac || code.used) throw new ConflictError('code');
    this.write(next);
    this.codes.write({ ...code, used: true });
  }

  async complete(
    next: Registration,
    expectedVersion: number,
    user: NewUser,
    message: CompletionMessage,
  ): Promise<void> {
    await turn();
    this.faults.check('registrations.complete');
    this.checkVersion(next, expectedVersion);
    if (this.users.customerLinks.has(user.customerId)) throw new ConflictError('customer');
    const key = user.username.toLowerCase();
    if (!this.mayRelease(key, next.registrationId)) throw new ConflictError('username');
    if (this.users.users.has(user.userId) || this.outbox.has(message.messageId)) {
      throw new ConflictError('version');
    }
    this.write(next);
    this.users.customerLinks.set(user.customerId, user.userId);
    this.users.usernames.set(key, {
      kind: 'user',
      username: user.username,
      userId: user.userId,
      registrationId: next.registrationId,
    });
    this.users.users.set(user.userId, copy(user));
    this.outbox.set(message.messageId, copy(message));
  }

  async cancel(next: Registration, expectedVersion: number, usernameKey?: string): Promise<void> {
    await turn();
    this.faults.check('registrations.cancel');
    this.checkVersion(next, expectedVersion);
    if (usernameKey && !this.mayRelease(usernameKey, next.registrationId)) throw new ConflictError('version');
    this.write(next);
    if (usernameKey) this.users.usernames.delete(usernameKey);
  }
}

/** The production defaults of API.md's configuration table. */
export const defaultRules = {
  otp: { ttlSeconds: 300, maxAttempts: 3, maxSends: 3, cooldownSeconds: 30, perPhonePerHour: 5 },
  session: { idleSeconds: 300, maxSeconds: 1200 },
  pin: { maxAttempts: 3, lockSeconds: 86400 },
  identifyPerIpPerMinute: 10,
  usernameMaxTries: 10,
  otpMaxFailuresPerCustomer: 10,
};

export const HMAC_TEST_KEY = Buffer.from('unit-test-hmac-key-0123456789abcdef');

/** A customer with a card, a virtual key and a company key (main user), as in API.md's sample file. */
export const tomas: FakeCustomer = {
  customerId: 'CUST-001',
  cedula: '1710034065',
  identityNumbers: ['1710034065', '1790011674001'],
  phone: '+593991234190',
  email: 'tmateos@gmail.com',
  registered: false,
  credentials: [
    { type: 'card', cardNumber: '4111111111111111', expiryMonth: 12, expiryYear: 2030, pin: '1234' },
    { type: 'virtual-key', cedula: '1710034065', pin: '5678' },
    { type: 'company', ruc: '1790011674001', pin: '4321' },
  ],
};

export const ana: FakeCustomer = {
  customerId: 'CUST-002',
  cedula: '0926687856',
  identityNumbers: ['0926687856'],
  phone: '+593987654321',
  email: 'ana.ruiz@example.ec',
  registered: false,
  credentials: [
    { type: 'card', cardNumber: '5555555555554444', expiryMonth: 1, expiryYear: 2031, pin: '2468' },
    {
      type: 'card',
      cardNumber: '378282246310005',
      expiryMonth: 3,
      expiryYear: 2029,
      pin: '1357',
      status: 'blocked',
    },
  ],
};

export const registered: FakeCustomer = {
  customerId: 'CUST-003',
  cedula: '0912345675',
  identityNumbers: ['0912345675'],
  phone: '+593912345678',
  email: 'luis@example.ec',
  registered: true,
  credentials: [{ type: 'virtual-key', cedula: '0912345675', pin: '1111' }],
};

/** All the fakes of one test, wired into the dependencies of every use case. */
export function createWorld(options: { rules?: typeof defaultRules; ints?: number[] } = {}) {
  const rules = options.rules ?? defaultRules;
  const faults = new Faults();
  const clock = new FakeClock();
  const random = new ScriptedRandom(options.ints);
  const keyed = hmacKeyed(HMAC_TEST_KEY);
  const events = new RecordingEventLog();
  const hasher = new FakeHasher();
  const directory = new FakeCustomerDirectory(faults);
  const users = new FakeUserStore(faults);
  const codes = new FakeCodeStore(faults);
  const limits = new FakeLimitStore(faults);
  const registrations = new FakeRegistrationStore(users, codes, faults);
  const sms = new FakeSmsSender(faults);
  const email = new FakeEmailSender(faults);
  directory.add(tomas);
  directory.add(ana);
  directory.add(registered);
  const session = { clock, registrations, events, session: rules.session };
  const deps = {
    start: {
      clock,
      random,
      keyed,
      events,
      directory,
      registrations,
      users,
      limits,
      rules: { session: rules.session, pin: rules.pin, identifyPerIpPerMinute: rules.identifyPerIpPerMinute },
    },
    session,
    sendOtp: { ...session, random, keyed, codes, limits, directory, sms, otp: rules.otp },
    verifyOtp: {
      ...session,
      random,
      keyed,
      codes,
      limits,
      directory,
      otp: { ...rules.otp, maxFailuresPerCustomer: rules.otpMaxFailuresPerCustomer },
      pin: rules.pin,
    },
    username: { ...session, users, directory, limits, usernameMaxTries: rules.usernameMaxTries },
    password: { ...session, directory, hasher },
    answers: { ...session, hasher },
    complete: { ...session, random },
    email: {
      directory,
      email,
      events,
      clock,
      random,
      reportLinks: new FakeReportLinkStore(),
      reports: testReports,
    },
  };
  return {
    rules,
    faults,
    clock,
    random,
    keyed,
    events,
    hasher,
    directory,
    users,
    codes,
    limits,
    registrations,
    sms,
    email,
    deps,
  };
}

export type World = ReturnType<typeof createWorld>;

export const cardOf = (customer: FakeCustomer) =>
  customer.credentials.find((c) => c.type === 'card') as Extract<Credential, { type: 'card' }>;

export const goodAnswers = [
  { questionId: 'q-first-pet', answer: 'Firulais' },
  { questionId: 'q-first-school', answer: 'Escuela La Salle' },
  { questionId: 'q-mother-birth-city', answer: 'Cuenca' },
];

/** Drives one registration through the use cases, keeping its id and current token. */
export class Wizard {
  registrationId = '';
  token = '';

  constructor(
    readonly world: World,
    readonly credential: Record<string, unknown> = { ...cardOf(tomas) },
    readonly sourceIp = '203.0.113.7',
  ) {}

  get input() {
    return { registrationId: this.registrationId, token: this.token };
  }

  with(body: unknown) {
    return { ...this.input, readBody: () => body };
  }

  async start() {
    const result = await startRegistration(this.world.deps.start, {
      readBody: () => this.credential,
      sourceIp: this.sourceIp,
    });
    this.registrationId = result.registrationId;
    this.token = result.token;
    return result;
  }

  sendOtp() {
    return sendOtp(this.world.deps.sendOtp, this.input);
  }

  async verify(code: string) {
    const result = await verifyOtp(this.world.deps.verifyOtp, this.with({ code }));
    this.token = result.token;
    return result;
  }

  /** The clear code of the last SMS (the fake SMS sender is the customer's phone). */
  lastCode(): string {
    const message = this.world.sms.sent.at(-1)?.message ?? '';
    return /\b(\d{6})\b/.exec(message)?.[1] ?? '';
  }

  username(username: string, confirmation = username) {
    return chooseUsername(this.world.deps.username, this.with({ username, confirmation }));
  }

  password(password: string, confirmation = password) {
    return createPassword(this.world.deps.password, this.with({ password, confirmation }));
  }

  image(imageId = 'colibri') {
    return chooseSecurityImage(this.world.deps.session, this.with({ imageId }));
  }

  contact(homePhone = '022345678', workPhone = '0991112233') {
    return updateContact(this.world.deps.session, this.with({ homePhone, workPhone }));
  }

  answers(answers = goodAnswers, termsVersion: string = terms.version) {
    return answerChallengeQuestions(
      this.world.deps.answers,
      this.with({ answers, acceptTerms: true, termsVersion }),
    );
  }

  secondFactor(hasSmartDevice = true, choice: 'digital-token' | 'later' = 'digital-token') {
    return chooseSecondFactor(this.world.deps.session, this.with({ hasSmartDevice, choice }));
  }

  complete() {
    return completeRegistration(this.world.deps.complete, this.input);
  }

  get() {
    return getRegistration(this.world.deps.session, this.input);
  }

  cancel() {
    return cancelRegistration(this.world.deps.session, this.input);
  }

  stored(): Registration {
    return this.world.registrations.registrations.get(this.registrationId) as Registration;
  }

  /** Step 1 and the OTP: the registration is at choose-username. */
  async toUsername() {
    await this.start();
    await this.sendOtp();
    await this.verify(this.lastCode());
  }

  /** Every step up to finish, with valid answers. */
  async toFinish(username = 'tomas.mateos', password = 'Un paseo por el Cotopaxi 2026') {
    await this.toUsername();
    await this.username(username);
    await this.password(password);
    await this.image();
    await this.contact();
    await this.answers();
    await this.secondFactor();
  }
}

/** The RegistrationError a call fails with; fails the test when the call succeeds or fails otherwise. */
export async function refusal(call: Promise<unknown>): Promise<RegistrationError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RegistrationError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** Sign-in attempts and sessions, with the conditions of the DynamoDB adapter. */
export class FakeSignInStore implements SignInStore {
  readonly attempts = new Map<string, SignInAttempt>();
  readonly sessions = new Map<string, SignedInSession>();
  constructor(private readonly faults = new Faults()) {}

  async createAttempt(attempt: SignInAttempt): Promise<void> {
    await turn();
    this.faults.check('signIns.createAttempt');
    this.attempts.set(attempt.signInId, copy(attempt));
  }

  async getAttempt(signInId: string): Promise<SignInAttempt | undefined> {
    await turn();
    const attempt = this.attempts.get(signInId);
    return attempt ? copy(attempt) : undefined;
  }

  async advance(signInId: string, from: SignInStatus, to: SignInStatus, now: number): Promise<boolean> {
    await turn();
    const attempt = this.attempts.get(signInId);
    if (attempt?.status !== from) return false;
    this.attempts.set(signInId, { ...attempt, status: to, lastSeenAt: now });
    return true;
  }

  async countTokenAttempt(signInId: string, max: number): Promise<number | undefined> {
    await turn();
    const attempt = this.attempts.get(signInId);
    if (attempt?.status !== 'digital-token' || attempt.tokenAttempts >= max) return undefined;
    attempt.tokenAttempts++;
    return attempt.tokenAttempts;
  }

  /** The activity entries the opened sessions wrote. */
  readonly activity: AuditEntry[] = [];

  /** Where a new device goes with the session (the account store's users, as the adapter writes them). */
  remember?: (userPk: string, device: NewDevice) => void;

  async openSession(
    signInId: string,
    from: SignInStatus,
    session: SignedInSession,
    activity: AuditEntry,
    device?: NewDevice,
  ): Promise<boolean> {
    await turn();
    const attempt = this.attempts.get(signInId);
    if (attempt?.status !== from) return false;
    attempt.status = 'done';
    this.sessions.set(session.tokenHash, copy(session));
    this.activity.push(copy(activity));
    if (device) this.remember?.(session.userPk, device);
    return true;
  }

  async getSession(tokenHash: string): Promise<SignedInSession | undefined> {
    await turn();
    const session = this.sessions.get(tokenHash);
    return session ? copy(session) : undefined;
  }

  async touchSession(tokenHash: string, now: number): Promise<void> {
    await turn();
    const session = this.sessions.get(tokenHash);
    if (session && session.lastSeenAt < now) session.lastSeenAt = now;
  }

  async endSession(tokenHash: string): Promise<void> {
    await turn();
    this.sessions.delete(tokenHash);
  }

  async sessionsOf(userPk: string): Promise<UserSession[]> {
    await turn();
    return [...this.sessions.values()]
      .filter((session) => session.userPk === userPk)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((session) => ({ ...copy(session), epoch: session.epoch ?? 0 }));
  }
}

/** Online users by username, with the digital-token writes of the DynamoDB adapter (code and outbox too). */
export class FakeAccountStore implements AccountStore {
  readonly users = new Map<string, OnlineUser>();
  readonly usernames = new Map<string, string>();
  readonly outbox: OutboxMessage[] = [];
  findCalls = 0;
  /** The user keys read, in order (S2 timing: unknown names read a key too). */
  readonly getCalls: string[] = [];

  constructor(private readonly codes: FakeCodeStore) {}

  add(user: OnlineUser): OnlineUser {
    this.users.set(user.userPk, copy(user));
    this.usernames.set(user.username.toLowerCase(), user.userPk);
    return user;
  }

  async findByUsername(usernameKey: string): Promise<OnlineUser | undefined> {
    await turn();
    this.findCalls++;
    // Like the adapter: an unknown name still reads a user key (one that no user has).
    return this.getUser(this.usernames.get(usernameKey) ?? ABSENT_USER_PK);
  }

  async getUser(userPk: string): Promise<OnlineUser | undefined> {
    await turn();
    this.getCalls.push(userPk);
    const user = this.users.get(userPk);
    return user ? copy(user) : undefined;
  }

  async startActivation(userPk: string, pending: PendingToken, code: { key: string; codeHmac: string }) {
    await turn();
    const record = this.codes.records.get(code.key);
    const user = this.users.get(userPk);
    if (
      !record ||
      record.used ||
      record.codeHmac !== code.codeHmac ||
      !user ||
      user.digitalToken ||
      (user.sessionEpoch ?? 0) !== pending.epoch
    ) {
      throw new ConflictError('code');
    }
    this.codes.write({ ...record, used: true });
    user.pendingToken = copy(pending);
  }

  async countActivationAttempt(userPk: string, sealedSecret: string, max: number) {
    await turn();
    const pending = this.users.get(userPk)?.pendingToken;
    if (pending?.sealedSecret !== sealedSecret || pending.attempts >= max) return undefined;
    pending.attempts++;
    return pending.attempts;
  }

  async activate(userPk: string, token: DigitalToken, message: OutboxMessage): Promise<void> {
    await turn();
    const user = this.users.get(userPk);
    if (
      !user ||
      user.digitalToken ||
      user.pendingToken?.sealedSecret !== token.sealedSecret ||
      user.pendingToken.epoch !== (user.sessionEpoch ?? 0)
    ) {
      throw new ConflictError('code');
    }
    user.digitalToken = copy(token);
    user.pendingToken = undefined;
    this.outbox.push(copy(message));
  }

  async acceptStep(userPk: string, step: number): Promise<boolean> {
    await turn();
    const token = this.users.get(userPk)?.digitalToken;
    if (!token || token.lastStep >= step) return false;
    token.lastStep = step;
    return true;
  }

  /** The audit entries the lock notices wrote, with their emails (one per message id). */
  readonly audit: AuditEntry[] = [];

  async notify(message: OutboxMessage, audit: AuditEntry): Promise<void> {
    await turn();
    if (this.outbox.some((m) => m.messageId === message.messageId)) return;
    this.outbox.push(copy(message));
    this.audit.push(copy(audit));
  }

  /** A new device as the sign-in store's transaction adds it (FakeSignInStore.remember). */
  rememberDevice(userPk: string, device: NewDevice): void {
    const user = this.users.get(userPk);
    if (!user) throw new ConflictError('customer');
    for (const hash of device.forget) delete user.devices[hash];
    user.devices[device.hash] = copy(device.known);
    this.outbox.push(copy(device.message));
  }

  async seeDevice(userPk: string, hash: string, now: number): Promise<void> {
    await turn();
    const known = this.users.get(userPk)?.devices[hash];
    if (known) known.lastSeen = now;
  }

  async forgetDevice(userPk: string, hash: string): Promise<void> {
    await turn();
    const user = this.users.get(userPk);
    if (user) delete user.devices[hash];
  }
}

/** Where the test emails' «No fui yo» links point, and how long they live (the production default). */
export const testReports = { ttlSeconds: 604_800, webBaseUrl: 'http://localhost:3000' };

/** «No fui yo» links by hash, as the DynamoDB adapter keeps them. */
export class FakeReportLinkStore implements ReportLinkStore {
  readonly links = new Map<string, ReportLink>();

  async create(link: ReportLink): Promise<void> {
    await turn();
    if (this.links.has(link.hash)) throw new ConflictError('code');
    this.links.set(link.hash, copy(link));
  }

  async get(hash: string): Promise<ReportLink | undefined> {
    await turn();
    const link = this.links.get(hash);
    return link ? copy(link) : undefined;
  }
}

/**
 * The access changes of held resets (recovery/hold.ts) as sign-in applies them: recorded, and the user's
 * password, token, epoch and hold changed the way the DynamoDB adapter's transaction changes them.
 */
export class FakeAccessStore implements Pick<AccessStore, 'apply'> {
  readonly changes: AccessChange[] = [];
  constructor(private readonly accounts: FakeAccountStore) {}

  async apply(change: AccessChange): Promise<void> {
    await turn();
    const user = change.userPk ? this.accounts.users.get(change.userPk) : undefined;
    if (change.userPk && !user) throw new ConflictError('customer');
    if (user && change.heldReset && user.heldReset?.recoveryId !== change.heldReset.recoveryId) {
      throw new ConflictError('customer');
    }
    this.changes.push(copy(change));
    if (!user) return;
    if (change.passwordHash) user.passwordHash = change.passwordHash;
    if (change.resetToken) user.digitalToken = undefined;
    if (change.endSessions) user.sessionEpoch += 1;
    if (change.heldReset) user.heldReset = undefined;
  }
}

/** The production defaults of the sign-in variables (API.md). */
export const signInRules = {
  perIpPerMinute: 20,
  passwordMaxAttempts: 5,
  passwordLockSeconds: 1800,
  tokenMaxAttempts: 3,
  tokenMaxFailuresPerUser: 10,
  idleSeconds: 300,
  maxSeconds: 1800,
};

export const SIGN_IN_PASSWORD = 'Una clave larga y mía 2026';

/** A registered user (Tomás, image colibri, chose the digital token) and every dependency of sign-in. */
export async function createSignInWorld() {
  const world = createWorld();
  const signIns = new FakeSignInStore(world.faults);
  const accounts = new FakeAccountStore(world.codes);
  signIns.remember = (userPk, device) => accounts.rememberDevice(userPk, device);
  const box = aesGcmBox(Buffer.from('unit-test-token-key-0123456789abcdef'));
  const user = accounts.add({
    userPk: `CUSTOMER#${tomas.customerId}`,
    userId: 'user-tomas',
    username: 'Tomas.Mateos',
    customerId: tomas.customerId,
    passwordHash: await world.hasher.hash(SIGN_IN_PASSWORD.normalize('NFKC')),
    imageId: 'colibri',
    choice: 'digital-token',
    sessionEpoch: 0,
    devices: {},
  });
  const signedIn = { clock: world.clock, events: world.events, signIns, accounts, rules: signInRules };
  const access = new FakeAccessStore(accounts);
  const deps = {
    start: { ...signedIn, random: world.random, keyed: world.keyed, limits: world.limits, access },
    password: {
      ...signedIn,
      random: world.random,
      keyed: world.keyed,
      hasher: world.hasher,
      limits: world.limits,
      access,
    },
    token: { ...signedIn, random: world.random, box, keyed: world.keyed, limits: world.limits },
    me: { ...signedIn, directory: world.directory },
    signedIn,
    sendCode: {
      ...signedIn,
      random: world.random,
      keyed: world.keyed,
      codes: world.codes,
      limits: world.limits,
      sms: world.sms,
      directory: world.directory,
      otp: world.rules.otp,
    },
    verifyCode: {
      ...signedIn,
      random: world.random,
      keyed: world.keyed,
      codes: world.codes,
      limits: world.limits,
      otp: { ...world.rules.otp, maxFailuresPerCustomer: world.rules.otpMaxFailuresPerCustomer },
      pin: world.rules.pin,
      box,
      qrSvg: async (text: string) => `<svg data-uri="${text.length}"/>`,
    },
    confirm: { ...signedIn, random: world.random, box },
  };
  return { ...world, signIns, accounts, box, user, deps };
}
