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

/** A customer's wrong token-activation SMS codes (T2) across sessions. */
export const activationFailureKey = (customerId: string): string => `actfail#${customerId}`;

/** A customer's completed self-service recoveries (a sliding day). */
export const recoveryCountKey = (customerId: string): string => `recovered#${customerId}`;

/**
 * A known device's wrong passwords (rule 57), per hash of its device token: a sign-in from a known device
 * counts here instead of on the username, so nobody can lock the customer out of their own devices.
 */
export const deviceLockKey = (deviceHash: string): string => `pwddev#${deviceHash}`;
