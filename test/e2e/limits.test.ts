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

  it('more than IDENTIFY_MAX_PER_IP_PER_MINUTE step-1 calls from one address get 429 with Retry-After', async () => {
    // Earlier tests in this file made 3 calls; malformed calls count too.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const result = await api.call('POST', '/v1/registrations', { body: { type: 'card' } });
      statuses.push(result.status);
      if (result.status === 429) {
        expect(Number(result.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(Number(result.headers.get('retry-after'))).toBeLessThanOrEqual(60);
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(12);
  });
});
