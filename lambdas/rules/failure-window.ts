// A bound on one kind of failure per subject across sessions, in a sliding window: a customer's wrong SMS
// codes across registrations (rule 40) and token activations, a user's wrong digital-token codes across
// sign-ins. New sessions do not reset it; only a whole success (or staff, or the window) does.
import type { LimitStore } from '../ports/stores.ts';
import type { Clock } from '../ports/system.ts';

export interface FailureBound {
  /** The limits-table key (rules/lock-keys.ts). */
  key: string;
  max: number;
  windowMs: number;
}

export interface FailureWindowDeps {
  clock: Clock;
  limits: LimitStore;
}

/** When the bound is reached: the time its oldest counted failure leaves the window; else undefined. */
export const boundReachedUntil = (
  deps: FailureWindowDeps,
  bound: FailureBound,
): Promise<number | undefined> =>
  deps.limits.fullUntil(bound.key, bound.max, bound.windowMs, deps.clock.now());

/**
 * Counts one try before its check, so parallel guesses cannot pass the bound: 'locked' (with the time a
 * try is allowed again) when `max` are counted in the window. A right answer clears the count with
 * `clearFailures`, so only wrong tries stay counted.
 */
export async function countTry(
  deps: FailureWindowDeps,
  bound: FailureBound,
): Promise<{ outcome: 'counted' } | { outcome: 'locked'; until: number }> {
  const hit = await deps.limits.hit(bound.key, bound.max, bound.windowMs, deps.clock.now());
  return hit.allowed ? { outcome: 'counted' } : { outcome: 'locked', until: hit.retryAt };
}

/** Counts one failure after its check; the lock's end when this failure reached the bound, else undefined. */
export async function countFailure(
  deps: FailureWindowDeps,
  bound: FailureBound,
): Promise<number | undefined> {
  const hit = await deps.limits.hit(bound.key, bound.max, bound.windowMs, deps.clock.now());
  if (!hit.allowed) return hit.retryAt;
  // Read again after counting: of parallel failures that reach the bound together, each sees it.
  return boundReachedUntil(deps, bound);
}

/** A whole success: the subject's failures are forgotten. */
export const clearFailures = (deps: FailureWindowDeps, bound: FailureBound): Promise<void> =>
  deps.limits.clear(bound.key);
