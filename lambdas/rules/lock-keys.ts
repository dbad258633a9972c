// The limits-table keys of every lock and failure counter, in one place: the journeys that count failures
// (registration, recovery, sign-in, token activation) and the ones that clear them (recovery, assisted
// service, privacy erasure) name the same items.
import type { Keyed } from '../ports/system.ts';

/** A credential's PIN tries and lock (rule 3), per keyed digest of the credential. */
export const pinKey = (credentialDigest: string): string => `pin#${credentialDigest}`;

/** A customer's wrong SMS codes across registrations and recoveries (rule 40). */
export const customerFailureKey = (customerId: string): string => `otpfail#${customerId}`;

/** A username's wrong passwords and lock (rule 48), per keyed hash of the lower-cased username. */
export const passwordLockKey = (keyed: Keyed, usernameKey: string): string =>
  `pwd#${keyed.digest('username', usernameKey)}`;

/** A user's wrong digital-token codes across sign-ins (sliding window). */
export const tokenFailureKey = (userId: string): string => `tokfail#${userId}`;

/** A user's digital-token sign-in lock, written when the wrong codes reach their bound. */
export const tokenLockKey = (userId: string): string => `toklock#${userId}`;

/** A customer's wrong token-activation SMS codes (T2) across sessions. */
export const activationFailureKey = (customerId: string): string => `actfail#${customerId}`;

/** The sign-in locks and counters of one user: what a recovery or an agent's unlock clears. */
export const signInLockKeys = (keyed: Keyed, user: { username: string; userId: string }): string[] => [
  passwordLockKey(keyed, user.username.toLowerCase()),
  tokenFailureKey(user.userId),
  tokenLockKey(user.userId),
];
