// Rule 66: an IPv6 client is counted per /64 and per /48, the /48 with SITE_LIMIT_FACTOR times the limit, so
// that one allocation (65,536 /64s, free from a tunnel broker) cannot pose as as many clients.
import { describe, expect, it } from 'vitest';
import { hmacKeyed } from '../../lambdas/adapters/primitives.ts';
import { clientKey } from '../../lambdas/http/client-address.ts';
import { countAddress, SITE_LIMIT_FACTOR, siteKey } from '../../lambdas/rules/address-limit.ts';
import type { RegistrationError } from '../../lambdas/rules/errors.ts';
import { FakeClock, FakeLimitStore, HMAC_TEST_KEY, RecordingEventLog } from '../support/fakes.ts';

const PER_MINUTE = 2;

function world() {
  const deps = {
    clock: new FakeClock(),
    keyed: hmacKeyed(HMAC_TEST_KEY),
    limits: new FakeLimitStore(),
    events: new RecordingEventLog(),
  };
  const call = (address: string) =>
    countAddress(deps, 'identify', clientKey(address) as string, PER_MINUTE).then(
      () => 'allowed',
      (error: RegistrationError) => error.extras.reason,
    );
  return { deps, call };
}

describe('rule 66: per-address limits by /64 and by /48', () => {
  it('derives the /48 of an IPv6 client key, and none for IPv4', () => {
    expect(siteKey(clientKey('2001:db8:1:2:3:4:5:6') as string)).toBe('2001:db8:1::/48');
    expect(siteKey(clientKey('2001:db8::1') as string)).toBe('2001:db8:0::/48');
    expect(siteKey(clientKey('203.0.113.7') as string)).toBeUndefined();
  });

  it('one /48 gets SITE_LIMIT_FACTOR times the limit across its /64s; the next /64 in it is refused', async () => {
    const { deps, call } = world();
    const allowed = [];
    // Each /64 of the /48 stays within its own limit: one call each.
    for (let i = 0; i < PER_MINUTE * SITE_LIMIT_FACTOR; i++)
      allowed.push(await call(`2001:db8:1:${i.toString(16)}::1`));
    const refused = await call('2001:db8:1:ffff::1');

    expect(allowed.every((outcome) => outcome === 'allowed')).toBe(true);
    expect(refused).toBe('per_address');
    expect(deps.events.of('rate_limited')).toEqual([
      expect.objectContaining({ limit: 'per_address', bucket: '48' }),
    ]);
    // Another /48 is another client; an IPv4 client has no /48 bucket.
    expect(await call('2001:db8:2:1::1')).toBe('allowed');
    expect(await call('203.0.113.7')).toBe('allowed');
  });

  it('a call the /48 refuses is taken back from its /64: it counts toward no limit', async () => {
    const { deps, call } = world();
    for (let i = 0; i < PER_MINUTE * SITE_LIMIT_FACTOR; i++) await call(`2001:db8:1:${i.toString(16)}::1`);
    const own = `ip#${deps.keyed.digest('address', '2001:db8:1:ffff::/64')}`;

    expect(await call('2001:db8:1:ffff::1')).toBe('per_address');

    expect(await deps.limits.count(own, PER_MINUTE, 60_000, deps.clock.now())).toBe(0);
  });
});
