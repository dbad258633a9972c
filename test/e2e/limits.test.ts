// Limits that need their own configuration over HTTP: the per-address step-1 limit, the code lifetime,
// sends per registration and per phone. The stack runs with short limits, as API.md's variables allow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api } from '../support/api-client.ts';
import { generateCustomers, writeCustomerFile } from '../support/customers.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;
const customers = generateCustomers(8, 500);

beforeAll(async () => {
  stack = await startLocalStack({
    SEED_FILE: writeCustomerFile(customers),
    IDENTIFY_MAX_PER_IP_PER_MINUTE: '12',
    OTP_TTL_SECONDS: '2',
    OTP_RESEND_COOLDOWN_SECONDS: '1',
    OTP_MAX_SENDS: '3',
  });
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

const start = async (index: number) => {
  const result = await api.call('POST', '/v1/registrations', { body: customers[index]?.card });
  expect(result.status).toBe(201);
  return { id: result.body.registrationId as string, token: result.body.token as string };
};
const sendCode = (s: { id: string; token: string }) =>
  api.call('POST', `/v1/registrations/${s.id}/otp`, { token: s.token });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('limits', () => {
  it('410 otp_expired once the code outlives OTP_TTL_SECONDS', async () => {
    const session = await start(0);
    expect((await sendCode(session)).status).toBe(202);
    const code = await api.lastCode(customers[0]?.phone as string);
    await pause(2_200);
    const late = await api.call('POST', `/v1/registrations/${session.id}/otp/verify`, {
      token: session.token,
      body: { code },
    });
    expect(late.status).toBe(410);
    expect(late.body.code).toBe('otp_expired');
  });

  it('OTP_MAX_SENDS codes per registration, then 429; at most 5 per phone per hour across registrations', async () => {
    const phone = customers[1]?.phone as string;
    const first = await start(1);
    for (let i = 0; i < 3; i++) {
      expect((await sendCode(first)).status).toBe(202);
      await pause(1_100);
    }
    const fourth = await sendCode(first);
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('retry-after')).toBeTruthy();
    const second = await start(1);
    expect((await sendCode(second)).status).toBe(202);
    await pause(1_100);
    expect((await sendCode(second)).status).toBe(202);
    await pause(1_100);
    const sixth = await sendCode(second);
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('rate_limited');
    expect((await api.sms()).filter((m) => m.to === phone)).toHaveLength(5);
  });

  it('a burst across a minute boundary gets no more than IDENTIFY_MAX_PER_IP_PER_MINUTE through (sliding window)', async () => {
    // Start 8 s before a minute boundary of the stack's clock (the wall clock on this machine) and call until
    // 8 s after it. The whole burst lies inside one minute, so however it falls, at most 12 calls may pass;
    // a fixed window let up to 12 through on each side of the boundary. Malformed calls count too.
    const untilBoundary = 60_000 - (Date.now() % 60_000);
    if (untilBoundary < 8_000) await pause(untilBoundary + 100);
    await pause(Math.max(0, 60_000 - (Date.now() % 60_000) - 8_000));
    const boundary = Date.now() + (60_000 - (Date.now() % 60_000));
    const answers: { status: number; at: number; retryAfter: number; reason?: string }[] = [];
    while (Date.now() < boundary + 8_000) {
      const result = await api.call('POST', '/v1/registrations', { body: { type: 'card' } });
      answers.push({
        status: result.status,
        at: Date.now(),
        retryAfter: Number(result.headers.get('retry-after') ?? 0),
        reason: result.body?.reason,
      });
      await pause(250);
    }

    const passed = answers.filter((a) => a.status !== 429);
    const refused = answers.filter((a) => a.status === 429);
    expect(answers.some((a) => a.at < boundary) && answers.some((a) => a.at > boundary)).toBe(true);
    expect(passed.length).toBeLessThanOrEqual(12);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.at > boundary && a.status !== 429).length).toBeLessThanOrEqual(
      12 - answers.filter((a) => a.at <= boundary && a.status !== 429).length,
    );
    for (const r of refused) {
      expect(r.reason).toBe('per_address');
      expect(r.retryAfter).toBeGreaterThan(0);
      expect(r.retryAfter).toBeLessThanOrEqual(60);
    }
  });
});
