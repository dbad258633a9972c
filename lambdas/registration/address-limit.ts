// The per-client-address limit of the unauthenticated entry points (step 1, sign-in): one implementation.
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed } from '../ports/system.ts';
import { fail } from './errors.ts';

const MINUTE = 60_000;

export interface AddressLimitDeps {
  clock: Clock;
  keyed: Keyed;
  limits: LimitStore;
  events: EventLog;
}

/**
 * Counts one call of `scope` from a client address in a fixed one-minute window, before anything else; over
 * `perMinute` the call answers 429 (rule 4). The address is keyed, never stored.
 */
export async function countAddress(
  deps: AddressLimitDeps,
  scope: 'identify' | 'sign_in',
  sourceIp: string,
  perMinute: number,
): Promise<void> {
  const now = deps.clock.now();
  const windowEnd = (Math.floor(now / MINUTE) + 1) * MINUTE;
  // Step 1 kept its key as it was, so counters in flight at a deploy still count.
  const prefix = scope === 'identify' ? 'ip' : `ip-${scope}`;
  const key = `${prefix}#${deps.keyed.digest('address', sourceIp)}#${windowEnd}`;
  if (!(await deps.limits.hit(key, perMinute, windowEnd))) {
    deps.events.record({ event: 'rate_limited', limit: `${scope}_per_address` });
    fail('rate_limited', {
      reason: 'per_address',
      retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)),
    });
  }
}
