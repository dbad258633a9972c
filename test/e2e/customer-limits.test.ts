// The per-customer rules of issue 9 over HTTP against the local stack: one open registration per customer,
// USERNAME_MAX_TRIES, OTP_MAX_FAILURES_PER_CUSTOMER locking every credential, and an idempotent complete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResult, fillProfile } from '../support/api-client.ts';
import { generateCustomers, writeCustomerFile } from '../support/customers.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;
const customers = generateCustomers(4, 700);

beforeAll(async () => {
  stack = await startLocalStack({ SEED_FILE: writeCustomerFile(customers) });
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

type Customer = (typeof customers)[number];
const who = (i: number) => customers[i] as Customer;

async function start(credential: object) {
  const result = await api.call('POST', '/v1/registrations', { body: credential });
  expect(result.status).toBe(201);
  return { id: result.body.registrationId as string, token: result.body.token as string };
}

async function verified(customer: Customer, credential: object) {
  const s = await start(credential);
  expect((await api.call('POST', `/v1/registrations/${s.id}/otp`, { token: s.token })).status).toBe(202);
  const code = await api.lastCode(customer.phone);
  const result = await api.call('POST', `/v1/registrations/${s.id}/otp/verify`, {
    token: s.token,
    body: { code },
  });
  expect(result.status).toBe(200);
  return { id: s.id, token: result.body.token as string };
}

describe('per-customer rules (issue 9)', () => {
  it('a new step 1 kills the older registration token and frees its username', async () => {
    const customer = who(0);
    const first = await verified(customer, customer.card);
    const name = `Cliente.S${Date.now() % 1000}`;
    const reserved = await api.call('PUT', `/v1/registrations/${first.id}/username`, {
      token: first.token,
      body: { username: name, confirmation: name },
    });
    expect(reserved.status).toBe(200);

    const second = await verified(customer, customer.virtualKey);
    const old = await api.call('GET', `/v1/registrations/${first.id}`, { token: first.token });
    const again = await api.call('PUT', `/v1/registrations/${second.id}/username`, {
      token: second.token,
      body: { username: name, confirmation: name },
    });

    expect(old.status).toBe(401);
    expect(old.body.code).toBe('session_invalid');
    expect(again.status).toBe(200);
  });

  it('the 11th username call answers 429 username_tries', async () => {
    const customer = who(1);
    const s = await verified(customer, customer.card);
    const statuses: number[] = [];
    let last: ApiResult<Record<string, any>> | undefined;
    for (let i = 0; i < 11; i++) {
      const name = `Nombre.Prueba${i}x`;
      last = await api.call('PUT', `/v1/registrations/${s.id}/username`, {
        token: s.token,
        body: { username: name, confirmation: name },
      });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(last?.body.reason).toBe('username_tries');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('wrong codes spread over several registrations lock every credential: 423 before any PIN check', async () => {
    const customer = who(2);
    const answers: number[] = [];
    // 3 wrong codes in each of 4 registrations (4 SMS, under the 5 an hour of one phone): the 10th locks.
    for (let r = 0; r < 4 && answers.length < 11; r++) {
      const s = await start(r % 2 === 0 ? customer.card : customer.virtualKey);
      expect((await api.call('POST', `/v1/registrations/${s.id}/otp`, { token: s.token })).status).toBe(202);
      const code = await api.lastCode(customer.phone);
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 3 && answers.length < 11; i++) {
        const result = await api.call('POST', `/v1/registrations/${s.id}/otp/verify`, {
          token: s.token,
          body: { code: wrong },
        });
        answers.push(result.status);
        if (result.body.code === 'credential_locked') break;
      }
      if (answers.at(-1) === 423 && answers.length >= 10) break;
    }
    const rightPin = await api.call('POST', '/v1/registrations', { body: customer.card });
    const otherCredential = await api.call('POST', '/v1/registrations', { body: customer.virtualKey });
    const wrongPin = await api.call('POST', '/v1/registrations', { body: { ...customer.card, pin: '0000' } });

    expect(answers).toHaveLength(10);
    expect(answers.at(-1)).toBe(423);
    for (const refused of [rightPin, otherCredential, wrongPin]) {
      expect(refused.status).toBe(423);
      expect(refused.body.code).toBe('credential_locked');
    }
  });

  it('a repeated complete answers the same 201 and no second email goes out', async () => {
    const customer = who(3);
    const s = await verified(customer, customer.card);
    await fillProfile(api, s.id, s.token, 'Cliente.Siete3');
    const first = await api.call('POST', `/v1/registrations/${s.id}/complete`, { token: s.token });
    const again = await api.call('POST', `/v1/registrations/${s.id}/complete`, { token: s.token });
    const other = await api.call('GET', `/v1/registrations/${s.id}`, { token: s.token });
    await api.waitForEmail(customer.email);
    await new Promise((r) => setTimeout(r, 2_000));

    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(other.status).toBe(401);
    expect((await api.emails()).filter((e) => e.to === customer.email)).toHaveLength(1);
  });
});
