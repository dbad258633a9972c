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
  /** S1 presented this known device's token (its SHA-256): S2 counts on the device, not the username. */
  deviceHash?: string;
  /** Where the sign-in comes from, as the customer will see it: the browser and a coarse place. */
  client?: ClientLabel;
  createdAt: number;
  lastSeenAt: number;
}

/** A client as the customer is shown it: a label from the User-Agent and a coarse network, never the address. */
export interface ClientLabel {
  device: string;
  place: string;
}

/** A signed-in session; the item is keyed by the hash of its bearer token, which is never stored. */
export interface SignedInSession {
  sessionId: string;
  tokenHash: string;
  userPk: string;
  /** The user's session epoch when the session opened: raising the user's epoch ends every session. */
  epoch?: number;
  /** The browser and coarse place it was opened from (absent on sessions from before they were recorded). */
  client?: ClientLabel;
  createdAt: number;
  lastSeenAt: number;
}

/** A session as its customer lists it (GET /v1/me/sessions): never its token or hash. */
export interface UserSession {
  sessionId: string;
  /** The item's key: what ending it deletes. */
  tokenHash: string;
  epoch: number;
  client?: ClientLabel;
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
  /**
   * Ends the attempt (from `from` to done), opens the session and writes its entry in the customer's activity
   * (the audit trail), and for a new device adds it to the user's list and queues its email, all in one
   * transaction; false when it lost.
   */
  openSession(
    signInId: string,
    from: SignInStatus,
    session: SignedInSession,
    activity: AuditEntry,
    device?: NewDevice,
  ): Promise<boolean>;
  getSession(tokenHash: string): Promise<SignedInSession | undefined>;
  touchSession(tokenHash: string, now: number): Promise<void>;
  endSession(tokenHash: string): Promise<void>;
  /** The user's session items that still exist (at most 50, newest first); the caller judges which live. */
  sessionsOf(userPk: string): Promise<UserSession[]>;
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
  /** Who disabled it (the staff member's IAM identity, or `customer` for a «No fui yo» report). */
  disabledBy?: string;
  /** A recovery's token reset waiting out its hold (rule 54). */
  heldReset?: HeldReset;
  /** The devices the user signed in from, by the SHA-256 of their device token (rule 57). */
  devices: Record<string, KnownDevice>;
  /** The three challenge questions and their answers' hashes: only staff's identity check reads them. */
  answers?: ChallengeAnswer[];
}

/** What a held recovery applies when its hold ends: the new password, the token off, every session ended. */
export interface HeldReset {
  recoveryId: string;
  /** The argon2id hash of the password the recovery chose. */
  passwordHash: string;
  requestedAt: number;
  until: number;
}

/** A device a session opens on (rule 56): remembered with the session, the oldest beyond the cap forgotten. */
export interface NewDevice {
  /** SHA-256 of its device token. */
  hash: string;
  known: KnownDevice;
  forget: string[];
  /** The "Nuevo inicio de sesión" email. */
  message: OutboxMessage;
}

/** A browser the user signed in from; its device token is held only by that browser. */
export interface KnownDevice {
  device: string;
  firstSeen: number;
  lastSeen: number;
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
  /** Marks a known device seen now (a sign-in from it). */
  seeDevice(userPk: string, hash: string, now: number): Promise<void>;
  /** Forgets a device (its token reached its own password lock): its token is dead. */
  forgetDevice(userPk: string, hash: string): Promise<void>;
}
