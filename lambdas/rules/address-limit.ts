// The per-client-address limit of the unauthenticated entry points (step 1, sign-in): one implementation.
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed } from '../ports/system.ts';
import { fail, retryAfterSeconds } from './errors.ts';

const MINUTE = 60_000;

export interface AddressLimitDeps {
  clock: Clock;
  keyed: Keyed;
  limits: LimitStore;
  events: EventLog;
}

/**
 * Counts one call of `scope` from a client address in a sliding one-minute window, before anything else;
 * over `perMinute` the call answers 429 `per_address` (rules 4 and 42). The address is keyed, never stored.
 */
export async function countAddress(
  deps: AddressLimitDeps,
  scope: 'identify' | 'sign_in' | 'security_report',
  sourceIp: string,
  perMinute: number,
): Promise<void> {
  const now = deps.clock.now();
  const prefix = scope === 'identify' ? 'ip' : `ip-${scope}`;
  const key = `${prefix}#${deps.keyed.digest('address', sourceIp)}`;
  const hit = await deps.limits.hit(key, perMinute, MINUTE, now);
  if (!hit.allowed) {
    deps.events.record({
      event: 'rate_limited',
      limit: 'per_address',
      ...(scope === 'identify' ? {} : { scope }),
    });
    fail('rate_limited', {
      reason: 'per_address',
      retryAfterSeconds: retryAfterSeconds(hit.retryAt, now),
    });
  }
}
