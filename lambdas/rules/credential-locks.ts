// PIN-try counters and locks are kept per credential identifier (its keyed digest). A customer's wrong SMS
// codes across registrations are bounded too (rule 40): reaching the bound writes the same lock on every
// credential of the customer, in one transaction, so step 1 answers 423 before any PIN check, even for
// the right PIN; and a code check of that customer is refused before any comparison while the bound holds.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { type ErrorExtras, fail, retryAfterSeconds } from './errors.ts';
import { boundReachedUntil, countFailure, type FailureBound } from './failure-window.ts';
import { customerFailureKey, pinKey } from './lock-keys.ts';

export interface CustomerLockDeps {
  clock: Clock;
  limits: LimitStore;
  directory: CustomerDirectory;
  events: EventLog;
  otp: { maxFailuresPerCustomer: number };
  pin: { lockSeconds: number };
}

/** A customer's wrong SMS codes: OTP_MAX_FAILURES_PER_CUSTOMER within PIN_LOCK_SECONDS. */
export const customerBound = (
  deps: Pick<CustomerLockDeps, 'otp' | 'pin'>,
  customerId: string,
): FailureBound => ({
  key: customerFailureKey(customerId),
  max: deps.otp.maxFailuresPerCustomer,
  windowMs: deps.pin.lockSeconds * 1000,
});

/**
 * Locks every credential of the customer until `until`, all of them or none (one transaction): a failure
 * throws (503) with nothing locked, and the customer's full failure window keeps refusing every code.
 */
export async function lockCustomerCredentials(deps: CustomerLockDeps, customerId: string, until: number) {
  const credentials = await deps.directory.credentialKeys(customerId);
  await deps.limits.pinLockAll(
    credentials.map((digest) => pinKey(digest)),
    until,
  );
  deps.events.record({ event: 'credential_locked', phase: 'otp_failures', credentials: credentials.length });
}

/**
 * Counts one wrong SMS code of the customer in a sliding window of PIN_LOCK_SECONDS. Returns the end of the
 * lock (PIN_LOCK_SECONDS from now) when this failure reached OTP_MAX_FAILURES_PER_CUSTOMER, else undefined;
 * the caller closes what the code was for, then calls `lockCustomerCredentials`.
 */
export async function countCustomerFailure(
  deps: CustomerLockDeps,
  customerId: string,
): Promise<number | undefined> {
  const bound = customerBound(deps, customerId);
  const reached = await countFailure(deps, bound);
  return reached === undefined ? undefined : deps.clock.now() + bound.windowMs;
}

/** Before a code of the customer is compared: when the customer's bound is reached, the time it frees. */
export const customerLockedUntil = (
  deps: CustomerLockDeps,
  customerId: string,
): Promise<number | undefined> => boundReachedUntil(deps, customerBound(deps, customerId));

/**
 * Before a customer's SMS code is compared (registration step 3, recovery R3): 423 credential_locked while
 * the customer's bound holds, so even the right code is refused (rule 40, finding 4 of the second audit).
 */
export async function refuseLockedCustomer(
  deps: CustomerLockDeps,
  customerId: string,
  events: Record<string, string>,
  extras: ErrorExtras = {},
): Promise<void> {
  const lockedUntil = await customerLockedUntil(deps, customerId);
  if (lockedUntil === undefined) return;
  deps.events.record({ event: 'otp_failure', ...events, reason: 'customer_locked' });
  fail('credential_locked', {
    ...extras,
    retryAfterSeconds: retryAfterSeconds(lockedUntil, deps.clock.now()),
  });
}

/**
 * The `onWrongCode` of a customer's SMS code: counts the failure across every registration and recovery of
 * the customer; the one that reaches the bound closes the journey's session first (`close`), then locks every
 * credential in one transaction (all or none), and answers 423.
 */
export const countWrongCustomerCode =
  (deps: CustomerLockDeps, customerId: string, close: () => Promise<void>, extras: ErrorExtras = {}) =>
  async (): Promise<void> => {
    const until = await countCustomerFailure(deps, customerId);
    if (until === undefined) return;
    await close();
    await lockCustomerCredentials(deps, customerId, until);
    fail('credential_locked', { ...extras, retryAfterSeconds: retryAfterSeconds(until, deps.clock.now()) });
  };
