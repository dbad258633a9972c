// Client addresses over HTTP (rules 38, 4): the per-address step-1 limit keys on the TCP peer the gateway
// sees, as it keys on CloudFront's viewer address in AWS; headers the client writes change nothing.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

const LIMIT = 4;
let stack: RunningStack;

beforeAll(async () => {
  stack = await startLocalStack({ IDENTIFY_MAX_PER_IP_PER_MINUTE: String(LIMIT) });
  // The limit is a sliding one-minute window (rule 42): no window edge can reset a count mid-test.
}, 90_000);
afterAll(() => stack?.stop());

/** A malformed step-1 call (it counts toward the limit all the same) from a chosen loopback address. */
function stepOne(localAddress: string, headers: Record<string, string> = {}): Promise<number> {
  const url = new URL('/v1/registrations', stack.baseUrl);
  return new Promise((done, reject) => {
    const call = request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: { 'Content-Type': 'application/json', ...headers },
        agent: false,
      },
      (response) => {
        response.resume();
        response.on('end', () => done(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end('{"type":"card"}');
  });
}

describe('one client is one address, whatever its headers say', () => {
  it('forged x-viewer-ip, X-Forwarded-For and CloudFront-Viewer-Address headers do not make one host many clients', async () => {
    // Act
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) {
      statuses.push(
        await stepOne('127.0.0.7', {
          'X-Forwarded-For': `203.0.113.${i + 1}`,
          'CloudFront-Viewer-Address': `198.51.100.${i + 1}:${40000 + i}`,
          'x-viewer-ip': `192.0.2.${i + 1}`,
          Forwarded: `for=192.0.2.${i + 1}`,
        }),
      );
    }

    // Assess
    expect(statuses.slice(0, LIMIT).every((status) => status !== 429)).toBe(true);
    expect(statuses[LIMIT]).toBe(429);
  });

  it('two real addresses are two clients', async () => {
    // Prepare: 127.0.0.7 used its quota in the test above (same minute).
    expect(await stepOne('127.0.0.7')).toBe(429);

    // Act
    const other = await stepOne('127.0.0.8');

    // Assess
    expect(other).not.toBe(429);
    expect(other).toBeGreaterThanOrEqual(400);
  });
});
