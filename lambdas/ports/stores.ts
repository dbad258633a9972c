// Storage ports of the wizard. Each write that moves a registration is conditional on its version, so steps
// run in order and two parallel calls of one step give one success.
import type { Registration } from '../registration/registration.ts';
import type { AuditEntry } from './recovery.ts';

/** The conditional write lost: the registration changed since it was read (a parallel call). */
export class ConflictError extends Error {
  constructor(readonly reason: 'version' | 'username' | 'customer' | 'code' | 'idempotency') {
    super(`conflict: ${reason}`);
    this.name = 'ConflictError';
  }
}

export interface NewUser {
  userId: string;
  username: string;
  customerId: string;
  passwordHash: string;
  imageId: string;
  homePhone: string;
  workPhone: string;
  answers: Registration['answers'];
  terms: NonNullable<Registration['terms']>;
  secondFactor: NonNullable<Registration['secondFactor']>;
  createdAt: number;
}

export interface CompletionMessage {
  messageId: string;
  customerId: string;
  username: string;
  secondFactor: 'pending-activation' | 'later';
  createdAt: number;
}

/** The email that tells the customer a digital token was activated (rule 50): the time, never the seed. */
export interface TokenActivatedMessage {
  kind: 'token-activated';
  messageId: string;
  customerId: string;
  username: string;
  activatedAt: number;
  createdAt: number;
}

/** The email that tells the customer their digital-token sign-in was locked after repeated wrong codes. */
export interface TokenLockedMessage {
  kind: 'token-locked';
  messageId: string;
  customerId: string;
  username: string;
  lockedUntil: number;
  createdAt: number;
}

/** The email that tells the customer their access was recovered (new password, maybe the token reset). */
export interface RecoveryCompletedMessage {
  kind: 'recovery-completed';
  messageId: string;
  customerId: string;
  username: string;
  tokenReset: boolean;
  at: number;
  createdAt: number;
}

/** The email that tells the customer what staff changed on their access, and when (never the reason). */
export interface AccessChangedMessage {
  kind: 'access-changed';
  messageId: string;
  customerId: string;
  username?: string;
  action:
    | 'unlock'
    | 'revoke-sessions'
    | 'reset-token'
    | 'disable'
    | 'enable'
    | 'release-hold'
    | 'cancel-hold';
  at: number;
  createdAt: number;
}

/** A recovery that removes the active token waits out its hold: what was asked, when it applies (rule 54). */
export interface RecoveryOnHoldMessage {
  kind: 'recovery-on-hold';
  messageId: string;
  customerId: string;
  username: string;
  until: number;
  createdAt: number;
}

/** A sign-in from a device the user had not used before (rule 56): the device, when, and a coarse place. */
export interface NewDeviceMessage {
  kind: 'new-device';
  messageId: string;
  customerId: string;
  username: string;
  device: string;
  place: string;
  at: number;
  createdAt: number;
}

/** The signed-in customer changed the password (rule 58). */
export interface PasswordChangedMessage {
  kind: 'password-changed';
  messageId: string;
  customerId: string;
  username: string;
  at: number;
  createdAt: number;
}

/** A «No fui yo» report froze the user (rule 55): how to get access back. */
export interface AccessFrozenMessage {
  kind: 'access-frozen';
  messageId: string;
  customerId: string;
  username: string;
  at: number;
  createdAt: number;
}

/** Every message the outbox delivers, told apart by `kind` (a completion message written before kinds had none). */
export type OutboxMessage =
  | (CompletionMessage & { kind?: 'registration-completed' })
  | TokenActivatedMessage
  | TokenLockedMessage
  | RecoveryCompletedMessage
  | AccessChangedMessage
  | RecoveryOnHoldMessage
  | NewDeviceMessage
  | PasswordChangedMessage
  | AccessFrozenMessage;

/** The customer's open registration (or recovery) that a new one closes, as read before the write. */
export interface Superseded<T = Registration> {
  /** The id the customer's pointer named when read (undefined: no pointer yet). */
  pointer?: string;
  /** Its closing write, when it is still open: the closed state, and its username reservation to free. */
  close?: { next: T; expectedVersion: number; usernameKey?: string };
}

export interface RegistrationStore {
  /**
   * In one transaction: the new registration, the customer's pointer to it (if it still names
   * `superseded.pointer`) and the closing of the registration it named (rule 41). ConflictError('version')
   * when a parallel step 1 or step of the old registration moved first. Without `superseded` the pointer is
   * left alone (a store-level set-up; step 1 always passes it).
   */
  create(registration: Registration, superseded?: Superseded): Promise<void>;
  /** The registration id the customer's pointer names (the last one opened), if any. */
  lastOpenedBy(customerId: string): Promise<string | undefined>;
  get(registrationId: string): Promise<Registration | undefined>;
  /** Records activity (idle timeout) without moving the step. */
  touch(registrationId: string, now: number): Promise<void>;
  /** Writes the next state if the stored version is still `expectedVersion`; else ConflictError('version'). */
  save(next: Registration, expectedVersion: number): Promise<void>;
  /**
   * Saves the next state and reserves its username in one transaction, freeing the previous reservation.
   * `takeOverFrom` names a dead registration whose stale reservation may be replaced.
   * ConflictError('username') when someone else holds it.
   */
  saveWithUsername(
    next: Registration,
    expectedVersion: number,
    reservation: { key: string; previousKey?: string; takeOverFrom?: string; expiresAt: number },
  ): Promise<void>;
  /** Marks the code used and saves the next state in one transaction; ConflictError('code') on replay. */
  saveWithCodeUsed(next: Registration, expectedVersion: number, codeHmac: string): Promise<void>;
  /**
   * In one transaction: the user, the permanent username, the customer-to-user link, the completed
   * registration, the completion email in the outbox and the audit entry staff see. ConflictError('customer') when the customer has a
   * user already, ('username') when the reservation was lost.
   */
  complete(
    next: Registration,
    expectedVersion: number,
    user: NewUser,
    message: CompletionMessage,
    audit: AuditEntry,
  ): Promise<void>;
  /** Cancels and frees the username reservation in one transaction. */
  cancel(next: Registration, expectedVersion: number, usernameKey?: string): Promise<void>;
}

export type UsernameHolder =
  | { kind: 'user' }
  | { kind: 'reservation'; registrationId: string; expiresAt: number };

export interface UserStore {
  usernameHolder(usernameKey: string): Promise<UsernameHolder | undefined>;
  customerHasUser(customerId: string): Promise<boolean>;
}

export interface CodeRecord {
  registrationId: string;
  codeHmac: string;
  expiresAt: number;
  attempts: number;
  sends: number;
  lastSentAt: number;
  used: boolean;
}

export interface CodeStore {
  get(registrationId: string): Promise<CodeRecord | undefined>;
  /**
   * Replaces the code if the registration may send another (fewer than `maxSends`, cooldown over), checked
   * in the write itself. Returns the replaced record for `restore`, or the reason it was refused.
   */
  issue(
    next: Omit<CodeRecord, 'attempts' | 'sends' | 'used'>,
    rules: { maxSends: number; cooldownMs: number },
  ): Promise<{ issued: true; previous?: CodeRecord } | { issued: false }>;
  /** Undoes `issue` after the SMS failed, if the code is still the one issued. */
  restore(registrationId: string, issuedHmac: string, previous?: CodeRecord): Promise<void>;
  /**
   * Counts one attempt before the comparison, in one conditional update that only passes while the code is
   * unused, unexpired and has attempts left. Returns the counted record, or undefined when refused.
   */
  countAttempt(registrationId: string, now: number, maxAttempts: number): Promise<CodeRecord | undefined>;
}

/** A counted hit (its id takes it back), or a refusal with the time the oldest counted hit leaves. */
export type WindowHit = { allowed: true; hitId: string } | { allowed: false; retryAt: number };

export interface LimitStore {
  /**
   * Counts one hit on `key` if fewer than `max` hits are counted in the sliding window (now - windowMs, now]:
   * exact over every window of that length (rule 42), atomic under parallel callers. A refusal counts
   * nothing. Throws DependencyError when it cannot count for sure (rule 44).
   */
  hit(key: string, max: number, windowMs: number, now: number): Promise<WindowHit>;
  /** Takes back a hit whose request was then refused (a refused request counts toward no limit). */
  refund(key: string, hitId: string): Promise<void>;
  /** The hits counted on `key` in (now - windowMs, now], of at most `max`. */
  count(key: string, max: number, windowMs: number, now: number): Promise<number>;
  /** When `max` hits are counted in the window: the time the oldest leaves it; otherwise undefined. */
  fullUntil(key: string, max: number, windowMs: number, now: number): Promise<number | undefined>;
  /** Forgets every count and lock on `key` (a window, a PIN-style count): a whole success, or staff unlock. */
  clear(key: string): Promise<void>;
  /**
   * Counts a PIN try before the PIN is checked: refused ('locked') while a lock is on or when `max` tries are
   * already counted. An expired lock starts a new count. Throws DependencyError when contended (rule 44).
   */
  pinTry(
    key: string,
    now: number,
    max: number,
    lockSeconds: number,
  ): Promise<{ locked: true; until: number } | { locked: false; tries: number }>;
  /**
   * When `pinTry` with this `max` would refuse `key` until (a read: staff see it): its lock, or the end of a
   * count already at `max` without one; undefined when a try would be counted now.
   */
  lockedUntil(key: string, now: number, max: number): Promise<number | undefined>;
  /** Locks the identifier (after the try that reached the limit failed). */
  pinLock(key: string, until: number): Promise<void>;
  /** Locks every identifier in one transaction: all of them or none (throws DependencyError on failure). */
  pinLockAll(keys: string[], until: number): Promise<void>;
  /** A right PIN resets the count. */
  pinReset(key: string): Promise<void>;
  /** Takes back a counted try whose PIN could not be checked (the directory failed): it was no wrong PIN. */
  pinRelease(key: string): Promise<void>;
}

/**
 * The durable outbox of customer emails: written in the same transaction as what they tell (the user, an
 * activated token), delivered from the stream or a drain.
 */
export interface Outbox {
  /** Takes a pending (or abandoned) message for delivery; undefined when another delivery has it or it is sent. */
  claim(messageId: string, now: number, leaseMs: number): Promise<OutboxMessage | undefined>;
  markSent(messageId: string, now: number): Promise<void>;
  /** Gives a message back after a failed delivery, counting the attempt. */
  release(messageId: string, now: number): Promise<void>;
  /**
   * Every message not sent yet, oldest first: `due` when it can be claimed now (pending, or its lease ended).
   * The scheduled sweep (and the local drain) deliver the due ones and report the age of the oldest.
   */
  unsent(now: number): Promise<UnsentMessage[]>;
}

export interface UnsentMessage {
  messageId: string;
  createdAt: number;
  due: boolean;
}
