// PIN-try counters and locks are kept per credential identifier (its keyed digest). A customer's wrong SMS
// codes across registrations are bounded too (rule 40): reaching the bound writes the same lock on every
// credential of the customer, so step 1 answers 423 before any PIN check, even for the right PIN.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { customerFailureKey, pinKey } from './lock-keys.ts';

export interface CustomerLockDeps {
  clock: Clock;
  limits: LimitStore;
  directory: CustomerDirectory;
  events: EventLog;
  otp: { maxFailuresPerCustomer: number };
  pin: { lockSeconds: number };
}

/**
 * Counts one wrong SMS code of the customer in a sliding window of PIN_LOCK_SECONDS. Returns the lock's end
 * when this failure reached OTP_MAX_FAILURES_PER_CUSTOMER (every credential is then locked), else undefined.
 */
export async function countCustomerFailure(
  deps: CustomerLockDeps,
  customerId: string,
): Promise<number | undefined> {
  const now = deps.clock.now();
  const windowMs = deps.pin.lockSeconds * 1000;
  const max = deps.otp.maxFailuresPerCustomer;
  const key = customerFailureKey(customerId);
  const hit = await deps.limits.hit(key, max, windowMs, now);
  // Read again after counting: of parallel failures that reach the bound together, each sees it.
  if (hit.allowed && (await deps.limits.count(key, max, windowMs, now)) < max) return undefined;
  const until = now + windowMs;
  const credentials = await deps.directory.credentialKeys(customerId);
  await Promise.all(credentials.map((digest) => deps.limits.pinLock(pinKey(digest), until)));
  deps.events.record({ event: 'credential_locked', phase: 'otp_failures', credentials: credentials.length });
  return until;
}
