// Storage ports of self-service recovery and of the changes staff make: the recovery session, and the one
// transaction that changes a user's access (password, token, sessions, locks) with its email and audit entry.
import type { CredentialType } from '../registration/registration.ts';
import type { AssistedAction } from '../routes.ts';
import type { ClientLabel, HeldReset, SecondFactorState } from './sign-in.ts';
import type { OutboxMessage, Superseded } from './stores.ts';

export type RecoveryStep = 'verify-contact' | 'enter-otp' | 'new-password' | 'on-hold' | 'completed';

/** One pass through the recovery screens: the server-side state, like a registration's. */
export interface Recovery {
  recoveryId: string;
  customerId: string;
  credentialType: CredentialType;
  /** SHA-256 of the current bearer token. */
  tokenHash: string;
  step: RecoveryStep;
  status: 'open' | 'completed' | 'cancelled';
  /** Bumped by every step: each step is one conditional write on it. */
  version: number;
  createdAt: number;
  lastSeenAt: number;
  /** Masked phone and email on file. */
  contact: { phone: string; email: string };
  /** The customer's cédula and RUCs: the new password may not contain them. */
  identityNumbers: string[];
  /** The user being recovered; its name is shown only after the SMS code (R3). */
  userPk: string;
  username: string;
  /** The second factor as it stood at R3, and as it stands after completion. */
  secondFactor?: SecondFactorState;
  /** A token reset put on hold (rule 54): when it applies. */
  holdUntil?: number;
}

export interface RecoveryStore {
  /**
   * In one transaction: the recovery, the customer's pointer to it (if it still names `superseded.pointer`)
   * and the closing of the open recovery it named; ConflictError('version') when a parallel R1 or step of
   * the old one moved first. Without `superseded` the pointer is left unchecked (a store-level set-up).
   */
  create(recovery: Recovery, superseded?: Superseded<Recovery>): Promise<void>;
  /** The id of the customer's last opened recovery, if any. */
  lastOpenedBy(customerId: string): Promise<string | undefined>;
  get(recoveryId: string): Promise<Recovery | undefined>;
  /** Records activity (idle timeout) without moving the step. */
  touch(recoveryId: string, now: number): Promise<void>;
  /** Writes the next state if the stored version is still `expectedVersion`; else ConflictError('version'). */
  save(next: Recovery, expectedVersion: number): Promise<void>;
  /** Marks the code used and saves the next state in one transaction; ConflictError('code') on replay. */
  saveWithCodeUsed(next: Recovery, expectedVersion: number, codeHmac: string): Promise<void>;
}

/** An entry of the append-only audit trail: who changed a customer's access, when, and why. */
export interface AuditEntry {
  customerId: string;
  /** Sorts by time: `<ISO time>#<random>`. */
  eventId: string;
  at: number;
  kind: AuditKind;
  /** `customer` for a self-service recovery; the caller's IAM identity (ARN) for staff; `system` for a lock. */
  actor: string;
  action?: AssistedAction;
  reason?: string;
  /** Facts of the change (never a secret): `tokenReset`, `locksCleared`. */
  details?: Record<string, string | number | boolean>;
  /** Where a customer's own action came from (a sign-in, a password change): browser and coarse place. */
  client?: ClientLabel;
}

export type AuditKind =
  | 'recovery-completed'
  | 'recovery-on-hold'
  | 'hold-cancelled'
  | 'staff-change'
  | 'token-locked'
  | 'sign-in'
  | 'password-changed'
  | 'customer-report'
  | 'identity-check'
  | 'registration-completed'
  | 'token-activated';

/** What one change of a user's access does; every part is applied in one transaction, or none. */
export interface AccessChange {
  customerId: string;
  /** The user item changed; absent for a customer without an online user (a staff unlock of PIN locks). */
  userPk?: string;
  /** The new argon2id password hash. */
  passwordHash?: string;
  /** Deactivate the digital token (and any activation in progress). */
  resetToken?: boolean;
  /** Raise the session epoch: every session and open sign-in of the user ends. */
  endSessions?: boolean;
  /** With endSessions: this session (the caller's) moves to the new epoch and lives on. */
  keepSession?: { tokenHash: string; epoch: number };
  /** Put a recovery's token reset on hold (rule 54); refused while another is held. */
  hold?: HeldReset;
  /** Consume the held reset of this recovery (apply it or cancel it); with `dueBy`, only once it has ended. */
  heldReset?: { recoveryId: string; dueBy?: number };
  /** A «No fui yo» link used by this change: single use, and only before it expires (`at`). */
  reportLink?: { hash: string; at: number };
  /** Only a user not disabled yet (ConflictError('customer') otherwise). */
  disable?: { at: number; by: string };
  /** Only a disabled user (ConflictError('customer') otherwise). */
  enable?: boolean;
  /** Limits-table keys (locks, failure windows) deleted. */
  clearKeys: string[];
  message: OutboxMessage;
  audit: AuditEntry;
  /** The recovery it completes (conditional on its version). */
  recovery?: { next: Recovery; expectedVersion: number };
  /** A staff change's Idempotency-Key, bound to its request: written once, with the answer a retry gets. */
  idempotency?: PriorChange & { key: string; expiresAt: number };
}

/** What a staff change's Idempotency-Key was first used for: the request's fingerprint and its answer. */
export interface PriorChange {
  /** A keyed digest of (actor, customer, action, reason): the same request retried has the same one. */
  fingerprint: string;
  answer: { customerId: string; action: AssistedAction; at: string };
}

/** A sign-in attempt or a signed-in session of a user, as staff see it (no token, no hash). */
export interface UserSessionSummary {
  kind: 'session' | 'sign-in';
  createdAt: number;
  lastSeenAt: number;
  epoch: number;
}

export interface AccessStore {
  /**
   * ConflictError('version') when the recovery moved meanwhile, ('customer') when the user is gone, ('code')
   * when the change's email (its message id) was written already: the same change applied before,
   * ('idempotency') when its Idempotency-Key was used meanwhile.
   */
  apply(change: AccessChange): Promise<void>;
  /** Writes one audit entry on its own (a staff identity check: nothing else changes). */
  record(entry: AuditEntry): Promise<void>;
  /** The change an Idempotency-Key was used for, while it is remembered. */
  priorChange(idempotencyKey: string): Promise<PriorChange | undefined>;
  /** The customer's latest audit entries, newest first. */
  recent(customerId: string, limit: number): Promise<AuditEntry[]>;
  /** The user's attempts and sessions whose items still exist (the caller judges which are alive). */
  sessionsOf(userPk: string): Promise<UserSessionSummary[]>;
  /** Users whose held reset ended by `now`, oldest first (the scheduled sweep applies them). */
  dueHolds(now: number, limit: number): Promise<string[]>;
}

/** A «No fui yo» link as stored: the SHA-256 of its token, never the token. */
export interface ReportLink {
  hash: string;
  customerId: string;
  userPk: string;
  createdAt: number;
  expiresAt: number;
}

export interface ReportLinkStore {
  create(link: ReportLink): Promise<void>;
  /** The unused link with this hash, if any (expiry is the caller's to judge). */
  get(hash: string): Promise<ReportLink | undefined>;
}
