// The consecutive-failure lock of a secret checked against an identifier (a PIN per credential, rule 3; a
// password per username, rule 48): one implementation. The try is counted before the check, so parallel
// guesses cannot pass the limit; identifiers that do not exist are counted and locked the same way.
import type { LimitStore } from '../ports/stores.ts';
import type { Clock } from '../ports/system.ts';
import { retryAfterSeconds } from './errors.ts';

export interface LockRules {
  maxAttempts: number;
  lockSeconds: number;
  /**
   * Whether a passed check resets the count (default true). A password followed by a second factor keeps
   * its count until the whole sign-in succeeds, so a stolen password cannot be retried without end.
   */
  resetOnPass?: boolean;
}

export type LockedCheck<T> =
  | { outcome: 'locked'; retryAfterSeconds: number }
  | { outcome: 'failed'; tries: number; lockedNow: boolean }
  | { outcome: 'passed'; value: T };

/**
 * Counts a try on `key`, runs `check` unless a lock is on, then locks on the failure that reaches the limit
 * or resets the count on success. A check that throws (an outage) gives the try back: it proved nothing.
 */
export async function lockedCheck<T>(
  deps: { clock: Clock; limits: LimitStore },
  key: string,
  rules: LockRules,
  check: () => Promise<T | undefined>,
): Promise<LockedCheck<T>> {
  const tried = await deps.limits.pinTry(key, deps.clock.now(), rules.maxAttempts, rules.lockSeconds);
  if (tried.locked) {
    return {
      outcome: 'locked',
      retryAfterSeconds: retryAfterSeconds(tried.until, deps.clock.now()),
    };
  }
  let value: T | undefined;
  try {
    value = await check();
  } catch (error) {
    await deps.limits.pinRelease(key).catch(() => undefined);
    throw error;
  }
  if (value === undefined) {
    const lockedNow = tried.tries >= rules.maxAttempts;
    if (lockedNow) await deps.limits.pinLock(key, deps.clock.now() + rules.lockSeconds * 1000);
    return { outcome: 'failed', tries: tried.tries, lockedNow };
  }
  if (rules.resetOnPass !== false) await deps.limits.pinReset(key);
  return { outcome: 'passed', value };
}
