// Storage ports of sign-in and the digital token: sign-in attempts, signed-in sessions, and the online users
// the registration created (read by username, and their digital-token state).
import type { ChallengeAnswer } from '../registration/registration.ts';
import type { AuditEntry } from './recovery.ts';
import type { OutboxMessage } from './stores.ts';

export type SignInStatus = 'password' | 'digital-token' | 'done';

/** A user's second factor as the customer sees it. */
export type SecondFactorState = 'active' | 'pending-activation' | 'later';

/** One pass through the sign-in screens, bearer of S2 and S3. Unknown usernames get one too (no `userPk`). */
export interface SignInAttempt {
  signInId: string;
  tokenHash: string;
  usernameKey: string;
  /** The user item's key; absent for a username that does not exist. */
  userPk?: string;
  status: SignInStatus;
  /** Digital-token codes tried in this sign-in (TOKEN_MAX_ATTEMPTS). */
  tokenAttempts: number;
  /** The user's session epoch when the attempt started: a recovery or staff revocation since ends it. */
  epoch?: number;
  createdAt: number;
  lastSeenAt: number;
}

/** A signed-in session; the item is keyed by the hash of its bearer token, which is never stored. */
export interface SignedInSession {
  sessionId: string;
  tokenHash: string;
  userPk: string;
  /** The user's session epoch when the session opened: raising the user's epoch ends every session. */
  epoch?: number;
  createdAt: number;
  lastSeenAt: number;
}

export interface SignInStore {
  createAttempt(attempt: SignInAttempt): Promise<void>;
  getAttempt(signInId: string): Promise<SignInAttempt | undefined>;
  /** Moves the attempt on if it is still at `from`; false when a parallel call moved it first. */
  advance(signInId: string, from: SignInStatus, to: SignInStatus, now: number): Promise<boolean>;
  /**
   * Counts one digital-token code before it is compared, only while fewer than `max` were counted and the
   * attempt waits for a code. Returns the count, or undefined when refused.
   */
  countTokenAttempt(signInId: string, max: number): Promise<number | undefined>;
  /** Ends the attempt (from `from` to done) and opens the session in one transaction; false when it lost. */
  openSession(signInId: string, from: SignInStatus, session: SignedInSession): Promise<boolean>;
  getSession(tokenHash: string): Promise<SignedInSession | undefined>;
  touchSession(tokenHash: string, now: number): Promise<void>;
  endSession(tokenHash: string): Promise<void>;
}

/** A digital-token seed as stored: sealed (AES-256-GCM, the user id as AAD), never in clear. */
export interface DigitalToken {
  sealedSecret: string;
  /** The last RFC 6238 time step accepted: a step is accepted once. */
  lastStep: number;
  activatedAt: number;
}

/** A seed shown in T2 and waiting for its first code (T3). */
export interface PendingToken {
  sealedSecret: string;
  /** The signed-in session that saw the seed: only it may confirm it. */
  sessionId: string;
  createdAt: number;
  attempts: number;
  /**
   * The user's session epoch when T2 showed the seed: T2 and T3 write only while it is still the user's, so
   * a session a recovery or staff ended meanwhile cannot bind a token.
   */
  epoch: number;
}

export interface OnlineUser {
  userPk: string;
  userId: string;
  username: string;
  customerId: string;
  passwordHash: string;
  imageId: string;
  /** What the customer chose at registration. */
  choice: 'digital-token' | 'later';
  digitalToken?: DigitalToken;
  pendingToken?: PendingToken;
  /**
   * Raised by a recovery and by staff (revoke sessions, disable): every attempt and session opened under a
   * lower epoch is dead. Absent on a new user: 0.
   */
  sessionEpoch: number;
  /** Staff disabled the user: a right password is refused (403 user_disabled) until they enable it. */
  disabledAt?: number;
  /** Who disabled it (the staff member's IAM identity). */
  disabledBy?: string;
  /** The three challenge questions and their answers' hashes: only staff's identity check reads them. */
  answers?: ChallengeAnswer[];
}

/** A user key no user item has: reading it costs what reading a real user costs (rule 47, S2 timing). */
export const ABSENT_USER_PK = 'CUSTOMER#\u0000absent';

export interface AccountStore {
  /**
   * The user holding a (lower-cased) username, or undefined. Costs the same reads whether or not the name
   * exists, so timing does not tell (rule 47).
   */
  findByUsername(usernameKey: string): Promise<OnlineUser | undefined>;
  getUser(userPk: string): Promise<OnlineUser | undefined>;
  /**
   * T2: uses the SMS code (`codeKey` is its key in the code store) and stores the pending seed in one
   * transaction; ConflictError('code') when the code was used meanwhile.
   */
  startActivation(
    userPk: string,
    pending: PendingToken,
    code: { key: string; codeHmac: string },
  ): Promise<void>;
  /** Counts one first-code try of the pending seed; undefined when none is pending or `max` were counted. */
  countActivationAttempt(userPk: string, sealedSecret: string, max: number): Promise<number | undefined>;
  /**
   * T3: makes the pending seed the active token and queues the activation email, in one transaction;
   * ConflictError('code') when the seed is no longer the pending one.
   */
  activate(userPk: string, token: DigitalToken, message: OutboxMessage, audit: AuditEntry): Promise<void>;
  /** Accepts a time step if it is later than the last accepted one; false on replay. */
  acceptStep(userPk: string, step: number): Promise<boolean>;
  /**
   * Queues a customer email that tells of a state kept elsewhere (a lock in the limits table), with its entry
   * in the audit trail in the same transaction; written once per `messageId`, so parallel callers that
   * engaged the same lock queue one email and one entry.
   */
  notify(message: OutboxMessage, audit: AuditEntry): Promise<void>;
}
