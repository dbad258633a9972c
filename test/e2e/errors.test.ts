// The negative paths of API.md over HTTP: every error code, malformed and oversized bodies, steps out of
// order, token rotation, cancellation, and parallel claims and completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, credentials, fillProfile, identifyAndVerify } from '../support/api-client.ts';
import { type GeneratedCustomer, generateCustomers, writeCustomerFile } from '../support/customers.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;
const customers = generateCustomers(20, 100);
const demo = JSON.parse(
  (await import('node:fs')).readFileSync(
    new URL('../../bin/local/demo-customers.json', import.meta.url),
    'utf8',
  ),
).customers;
let next = 0;
const customer = (): GeneratedCustomer => customers[next++] as GeneratedCustomer;

beforeAll(async () => {
  stack = await startLocalStack({ SEED_FILE: writeCustomerFile(customers, demo) });
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

const expectProblem = (
  result: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
) => {
  expect(result.status).toBe(status);
  expect(result.body.code).toBe(code);
  expect(result.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(result.headers.get('cache-control')).toBe('no-store');
  expect(result.body.requestId).toBe(result.headers.get('x-request-id'));
  expect(result.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
};

describe('bad requests', () => {
  it('400 malformed_request for a body that is not JSON or not declared as JSON', async () => {
    expectProblem(
      await api.call('POST', '/v1/registrations', {
        raw: '{"type":',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'malformed_request',
    );
    expectProblem(
      await api.call('POST', '/v1/registrations', {
        raw: JSON.stringify(credentials.card),
        headers: { 'Content-Type': 'text/plain' },
      }),
      400,
      'malformed_request',
    );
  });

  it('413 payload_too_large over 16 KiB', async () => {
    const raw = JSON.stringify({ ...credentials.card, padding: 'x'.repeat(17 * 1024) });
    expectProblem(
      await api.call('POST', '/v1/registrations', { raw, headers: { 'Content-Type': 'application/json' } }),
      413,
      'payload_too_large',
    );
  });

  it('422 validation_failed lists each field with a Spanish message, before any lookup', async () => {
    const result = await api.call('POST', '/v1/registrations', {
      body: { type: 'card', cardNumber: '4111111111111112', expiryMonth: 13, expiryYear: 2030, pin: '12a4' },
    });
    expectProblem(result, 422, 'validation_failed');
    const fields = result.body.errors.map((e: any) => `${e.field}:${e.code}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'cardNumber:card_number_checksum',
        'expiryMonth:expiry_month_format',
        'pin:pin_format',
      ]),
    );
    expect(result.body.errors[0].message).toMatch(/[a-z]/);
  });

  it('422 for an expiry already in the past, an invalid cédula or RUC', async () => {
    expectProblem(
      await api.call('POST', '/v1/registrations', { body: { ...credentials.card, expiryYear: 2020 } }),
      422,
      'validation_failed',
    );
    expectProblem(
      await api.call('POST', '/v1/registrations', {
        body: { type: 'virtual-key', cedula: '1710034066', pin: '1234' },
      }),
      422,
      'validation_failed',
    );
    expectProblem(
      await api.call('POST', '/v1/registrations', {
        body: { type: 'company', ruc: '1790011675001', pin: '1234' },
      }),
      422,
      'validation_failed',
    );
  });

  it('404 and 405 as problem details', async () => {
    expectProblem(await api.call('GET', '/v1/nothing-here'), 404, 'not_found');
    expectProblem(await api.call('PATCH', '/v1/registrations'), 405, 'method_not_allowed');
  });
});

describe('step 1', () => {
  it('401 invalid_credentials with the same body for every failure kind', async () => {
    const someone = customer();
    const failures = [
      { ...someone.card, pin: '0000' },
      { ...someone.card, expiryMonth: 11 },
      { ...someone.card, cardNumber: '4012888888881881' },
      credentials.blockedCard,
      { type: 'company', ruc: '0992345675001', pin: '1234' },
      { type: 'virtual-key', cedula: '1709876542', pin: '1234' },
    ];
    const bodies = [];
    for (const body of failures) {
      const result = await api.call('POST', '/v1/registrations', { body });
      expectProblem(result, 401, 'invalid_credentials');
      const { requestId: _r, ...rest } = result.body;
      bodies.push(rest);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('423 credential_locked on the third wrong PIN (with its wait) and after, even with the right PIN; unknown cards lock the same', async () => {
    const someone = customer();
    for (let i = 0; i < 2; i++) {
      expectProblem(
        await api.call('POST', '/v1/registrations', { body: { ...someone.card, pin: '9999' } }),
        401,
        'invalid_credentials',
      );
    }
    const locking = await api.call('POST', '/v1/registrations', { body: { ...someone.card, pin: '9999' } });
    expectProblem(locking, 423, 'credential_locked');
    expect(locking.headers.get('retry-after')).toBe('86400');
    expectProblem(
      await api.call('POST', '/v1/registrations', { body: someone.card }),
      423,
      'credential_locked',
    );
    const unknown = { ...someone.card, cardNumber: '4242424242424242' };
    for (let i = 0; i < 3; i++) await api.call('POST', '/v1/registrations', { body: unknown });
    expectProblem(await api.call('POST', '/v1/registrations', { body: unknown }), 423, 'credential_locked');
  });

  it('409 already_registered for a customer who has an online user', async () => {
    expectProblem(
      await api.call('POST', '/v1/registrations', { body: credentials.registeredCard }),
      409,
      'already_registered',
    );
  });
});

describe('session and order', () => {
  it("401 session_invalid without a token, with a wrong one, or with another registration's", async () => {
    const a = await api.call('POST', '/v1/registrations', { body: customer().card });
    const b = await api.call('POST', '/v1/registrations', { body: customer().card });
    const id = a.body.registrationId;
    expectProblem(await api.call('GET', `/v1/registrations/${id}`), 401, 'session_invalid');
    expectProblem(
      await api.call('GET', `/v1/registrations/${id}`, { token: 'A'.repeat(43) }),
      401,
      'session_invalid',
    );
    expectProblem(
      await api.call('GET', `/v1/registrations/${id}`, { token: b.body.token }),
      401,
      'session_invalid',
    );
    expect((await api.call('GET', `/v1/registrations/${id}`, { token: a.body.token })).body.step).toBe(
      'verify-contact',
    );
  });

  it('409 step_out_of_order names the current step, also for otp/verify before any code', async () => {
    const started = await api.call('POST', '/v1/registrations', { body: customer().card });
    const { registrationId: id, token } = started.body;
    const early = await api.call('POST', `/v1/registrations/${id}/otp/verify`, {
      token,
      body: { code: '123456' },
    });
    expectProblem(early, 409, 'step_out_of_order');
    expect(early.body.currentStep).toBe('verify-contact');
    const jump = await api.call('PUT', `/v1/registrations/${id}/password`, {
      token,
      body: { password: 'x', confirmation: 'x' },
    });
    expectProblem(jump, 409, 'step_out_of_order');
  });

  it('repeating an earlier step replaces its answer and keeps the current step', async () => {
    const someone = customer();
    const { id, token } = await identifyAndVerify(api, someone.card, someone.phone);
    const base = `/v1/registrations/${id}`;
    await api.call('PUT', `${base}/username`, {
      token,
      body: { username: 'primero1', confirmation: 'primero1' },
    });
    const password = { password: 'Otra clave muy larga', confirmation: 'Otra clave muy larga' };
    await api.call('PUT', `${base}/password`, { token, body: password });
    await api.call('PUT', `${base}/security-image`, { token, body: { imageId: 'sol' } });
    const again = await api.call('PUT', `${base}/password`, { token, body: password });
    expect(again.body).toEqual({ step: 'update-contact' });
    // A new username voids the password (it may contain the new name): the wizard goes back to it
    const renamed = await api.call('PUT', `${base}/username`, {
      token,
      body: { username: 'segundo2', confirmation: 'segundo2' },
    });
    expect(renamed.body).toEqual({ step: 'create-password' });
    // The first name is free again
    const other = customer();
    const second = await identifyAndVerify(api, other.card, other.phone);
    const claim = await api.call('PUT', `/v1/registrations/${second.id}/username`, {
      token: second.token,
      body: { username: 'PRIMERO1', confirmation: 'PRIMERO1' },
    });
    expect(claim.status).toBe(200);
  });

  it('DELETE cancels: 204, the token dies and the username is free', async () => {
    const someone = customer();
    const { id, token } = await identifyAndVerify(api, someone.card, someone.phone);
    await api.call('PUT', `/v1/registrations/${id}/username`, {
      token,
      body: { username: 'cancelado', confirmation: 'cancelado' },
    });
    expect((await api.call('DELETE', `/v1/registrations/${id}`, { token })).status).toBe(204);
    expectProblem(await api.call('GET', `/v1/registrations/${id}`, { token }), 401, 'session_invalid');
    const other = customer();
    const second = await identifyAndVerify(api, other.card, other.phone);
    const claim = await api.call('PUT', `/v1/registrations/${second.id}/username`, {
      token: second.token,
      body: { username: 'Cancelado', confirmation: 'Cancelado' },
    });
    expect(claim.status).toBe(200);
  });
});

describe('SMS code', () => {
  it('401 otp_invalid with attemptsLeft, the last wrong try and then even the right code 423 otp_locked', async () => {
    const someone = customer();
    const started = await api.call('POST', '/v1/registrations', { body: someone.virtualKey });
    const { registrationId: id, token } = started.body;
    await api.call('POST', `/v1/registrations/${id}/otp`, { token });
    const code = await api.lastCode(someone.phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const first = await api.call('POST', `/v1/registrations/${id}/otp/verify`, {
      token,
      body: { code: wrong },
    });
    expectProblem(first, 401, 'otp_invalid');
    expect(first.body.attemptsLeft).toBe(2);
    await api.call('POST', `/v1/registrations/${id}/otp/verify`, { token, body: { code: wrong } });
    const third = await api.call('POST', `/v1/registrations/${id}/otp/verify`, {
      token,
      body: { code: wrong },
    });
    expectProblem(third, 423, 'otp_locked');
    expectProblem(
      await api.call('POST', `/v1/registrations/${id}/otp/verify`, { token, body: { code } }),
      423,
      'otp_locked',
    );
  });

  it('429 rate_limited with Retry-After for a resend inside the cooldown', async () => {
    const someone = customer();
    const started = await api.call('POST', '/v1/registrations', { body: someone.card });
    const { registrationId: id, token } = started.body;
    expect((await api.call('POST', `/v1/registrations/${id}/otp`, { token })).status).toBe(202);
    const again = await api.call('POST', `/v1/registrations/${id}/otp`, { token });
    expectProblem(again, 429, 'rate_limited');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(30);
  });

  it('a used code fails on replay: the old token is dead after the rotation', async () => {
    const someone = customer();
    const { id, firstToken } = await identifyAndVerify(api, someone.card, someone.phone);
    const code = await api.lastCode(someone.phone);
    expectProblem(
      await api.call('POST', `/v1/registrations/${id}/otp/verify`, { token: firstToken, body: { code } }),
      401,
      'session_invalid',
    );
  });
});

describe('races over HTTP', () => {
  it('parallel claims of one username in different cases: exactly one wins', async () => {
    const people = [customer(), customer(), customer(), customer(), customer()];
    const sessions = await Promise.all(people.map((p) => identifyAndVerify(api, p.card, p.phone)));
    const names = ['carrera.1', 'CARRERA.1', 'Carrera.1', 'cArrera.1', 'carrerA.1'];
    const results = await Promise.all(
      sessions.map((s, i) =>
        api.call('PUT', `/v1/registrations/${s.id}/username`, {
          token: s.token,
          body: { username: names[i], confirmation: names[i] },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectProblem(r, 409, 'username_taken');
  });

  it('two registrations of one customer: the second step 1 closes the first, which cannot complete; one user', async () => {
    const someone = customer();
    const first = await identifyAndVerify(api, someone.card, someone.phone);
    await fillProfile(api, first.id, first.token, 'paralelo.uno');
    await new Promise((r) => setTimeout(r, 50));
    const second = await identifyAndVerify(api, someone.virtualKey, someone.phone);
    await fillProfile(api, second.id, second.token, 'paralelo.uno');
    const results = await Promise.all([
      api.call('POST', `/v1/registrations/${first.id}/complete`, { token: first.token }),
      api.call('POST', `/v1/registrations/${second.id}/complete`, { token: second.token }),
    ]);
    expect(results.map((r) => r.status)).toEqual([401, 201]);
    expectProblem(results[0] as any, 401, 'session_invalid');
    const mails = await api.waitForEmail(someone.email);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await api.emails()).filter((m) => m.to === someone.email)).toHaveLength(mails.length);
    expect(mails).toHaveLength(1);
  });
});
