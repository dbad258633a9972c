// The per-client-address limit of the unauthenticated entry points (step 1, sign-in): one implementation.
// An IPv6 client is counted twice: per /64 (a subscriber's line) and per /48 (a whole allocation, which a
// tunnel broker hands out for free) with a larger limit, so one /48 cannot pose as 65,536 clients (rule 66).
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed } from '../ports/system.ts';
import { fail, retryAfterSeconds } from './errors.ts';

const MINUTE = 60_000;

/**
 * How many /64 clients' worth one /48 may make: a household or office with several lines, not thousands.
 * The regional WAF's /48 rules use the same factor (lib/web-acl.ts).
 */
export const SITE_LIMIT_FACTOR = 5;
/** A window keeps one slot per allowed call in one item: the /48 bucket never exceeds MAX_LIMIT (config.ts). */
const MAX_SLOTS = 500;

/**
 * The /48 of an IPv6 client key as `clientKey` writes it (`2001:db8:1:2::/64` gives `2001:db8:1::/48`), the
 * second per-client bucket; undefined for an IPv4 client.
 */
export function siteKey(clientKey: string): string | undefined {
  if (!clientKey.endsWith('::/64')) return undefined;
  const groups = clientKey.slice(0, -'::/64'.length).split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}

export interface AddressLimitDeps {
  clock: Clock;
  keyed: Keyed;
  limits: LimitStore;
  events: EventLog;
}

/**
 * Counts one call of `scope` from a client address in a sliding one-minute window, before anything else;
 * over `perMinute` (or, for the client's IPv6 /48, over SITE_LIMIT_FACTOR times it) the call answers 429
 * `per_address` (rules 4, 42 and 66). The address is keyed, never stored. A call the /48 refuses is taken
 * back from the /64's count.
 */
export async function countAddress(
  deps: AddressLimitDeps,
  scope: 'identify' | 'sign_in' | 'security_report',
  sourceIp: string,
  perMinute: number,
): Promise<void> {
  const now = deps.clock.now();
  const prefix = scope === 'identify' ? 'ip' : `ip-${scope}`;
  const key = (address: string) => `${prefix}#${deps.keyed.digest('address', address)}`;
  const refuse = (retryAt: number, bucket: '64' | '48'): never => {
    deps.events.record({
      event: 'rate_limited',
      limit: 'per_address',
      ...(scope === 'identify' ? {} : { scope }),
      ...(bucket === '48' ? { bucket } : {}),
    });
    return fail('rate_limited', {
      reason: 'per_address',
      retryAfterSeconds: retryAfterSeconds(retryAt, now),
    });
  };
  const client = key(sourceIp);
  const hit = await deps.limits.hit(client, perMinute, MINUTE, now);
  if (!hit.allowed) return refuse(hit.retryAt, '64');
  const site = siteKey(sourceIp);
  if (site === undefined) return;
  const siteHit = await deps.limits.hit(
    key(site),
    Math.min(perMinute * SITE_LIMIT_FACTOR, MAX_SLOTS),
    MINUTE,
    now,
  );
  if (!siteHit.allowed) {
    await deps.limits.refund(client, hit.hitId);
    refuse(siteHit.retryAt, '48');
  }
}
