// The limits-table keys of every lock and failure counter, in one place: the journeys that count failures
// (registration, sign-in, token activation) and the tools that export or erase them (privacy) name the
// same items.
import type { Keyed } from '../ports/system.ts';

/** A credential's PIN tries and lock (rule 3), per keyed digest of the credential. */
export const pinKey = (credentialDigest: string): string => `pin#${credentialDigest}`;

/** A customer's wrong SMS codes across registrations (rule 40). */
export const customerFailureKey = (customerId: string): string => `otpfail#${customerId}`;

/** A username's wrong passwords and lock (rule 48), per keyed hash of the lower-cased username. */
export const passwordLockKey = (keyed: Keyed, usernameKey: string): string =>
  `pwd#${keyed.digest('username', usernameKey)}`;

/** A user's wrong digital-token codes across sign-ins (a sliding window; full, it is the token-step lock). */
export const tokenFailureKey = (userId: string): string => `tokfail#${userId}`;

/**
 * When the user's token lock was last engaged, plus the failure window: a lock engaged again before then
 * continues it, and the customer is not told again.
 */
export const tokenLockNoticeKey = (userId: string): string => `toklocked#${userId}`;

/** A customer's wrong token-activation SMS codes (T2) across sessions. */
export const activationFailureKey = (customerId: string): string => `actfail#${customerId}`;

/** A customer's completed self-service recoveries (a sliding day). */
export const recoveryCountKey = (customerId: string): string => `recovered#${customerId}`;

/**
 * A known device's wrong passwords (rule 57), per hash of its device token: a sign-in from a known device
 * counts here instead of on the username, so nobody can lock the customer out of their own devices.
 */
export const deviceLockKey = (deviceHash: string): string => `pwddev#${deviceHash}`;
/** A staff change's Idempotency-Key, bound to the request it was first used for (rule 61). */
export const staffRequestKey = (idempotencyKey: string): string => `staffreq#${idempotencyKey}`;

/** A staff member's changes in the last hour (a sliding window), per IAM identity. */
export const staffChangesKey = (actor: string): string => `staffchanges#${actor}`;

/** The identity checks by challenge answer made on a customer in the last day (rule 59). */
export const identityCheckKey = (customerId: string): string => `idcheck#${customerId}`;
