// Self-service recovery over HTTP against the local stack: a forgotten password and a lost phone. The
// customer proves the card with its PIN (the same counters as registration step 1), the phone with an SMS
// code, sets a new password; every session and open sign-in ends, the locks clear, the token resets when
// asked, an email tells the customer, and the new password signs in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Api,
  activateToken,
  credentials,
  phones,
  registerUser,
  signIn as signInWith,
  totpAt,
} from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;

const OLD_PASSWORD = 'Mi clave de prueba 2026!';
const NEW_PASSWORD = 'Otra clave nueva y larga 2026';

beforeAll(async () => {
  stack = await startLocalStack({
    SIGN_IN_MAX_PER_IP_PER_MINUTE: '500',
    IDENTIFY_MAX_PER_IP_PER_MINUTE: '500',
    OTP_MAX_SENDS_PER_PHONE_PER_HOUR: '50',
    OTP_RESEND_COOLDOWN_SECONDS: '1',
    // A held token reset (rule 54) ends within the test; test/e2e/takeover.test.ts keeps the 12 hours.
    TOKEN_RESET_HOLD_SECONDS: '2',
  });
  api = new Api(stack.baseUrl);
}, 60_000);
afterAll(() => stack?.stop());

const register = (credential: object, phone: string, username: string) =>
  registerUser(api, credential, phone, username);
const signIn = (username: string, password: string) => signInWith(api, username, password);

/** R1 to R3: returns the recovery id and the token R3 issued, with R3's answer. */
async function proveIdentity(credential: object, phone: string) {
  const started = await api.call('POST', '/v1/recoveries', { body: credential });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = started.body.recoveryId as string;
  expect((await api.call('POST', `/v1/recoveries/${id}/otp`, { token: started.body.token })).status).toBe(
    202,
  );
  const verified = await api.call('POST', `/v1/recoveries/${id}/otp/verify`, {
    token: started.body.token,
    body: { code: await api.lastCode(phone) },
  });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  return { id, token: verified.body.token as string, verified, started };
}

describe('recovery of a forgotten password', () => {
  const USERNAME = 'Tomas.Olvido';

  it('R1 to R4 replace the password, end every session and open sign-in, clear the password lock, and email the customer', async () => {
    await register(credentials.card, phones.tomas, USERNAME);
    const session = (await signIn(USERNAME, OLD_PASSWORD)).answer.body.session.token as string;
    const openSignIn = await api.call('POST', '/v1/sign-ins', { body: { username: USERNAME } });
    // The customer forgot the password: five wrong ones lock the username.
    for (let i = 0; i < 5; i++) await signIn(USERNAME, `No es mi clave ${i} 2026`);
    expect((await signIn(USERNAME, OLD_PASSWORD)).answer.status).toBe(423);

    // R1: the step-1 body; the masked contact, not yet the username.
    const started = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      step: 'verify-contact',
      contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
    });
    expect(started.body).not.toHaveProperty('username');
    const id = started.body.recoveryId as string;
    const first = started.body.token as string;
    // R2: the SMS says what the code is for.
    const sent = await api.call('POST', `/v1/recoveries/${id}/otp`, { token: first });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ step: 'enter-otp', sendsLeft: 2 });
    const sms = (await api.sms()).filter((m) => m.to === phones.tomas).at(-1);
    expect(sms?.message).toMatch(/^Produbanco: tu clave temporal para recuperar tu acceso es \d{6}\./);
    // R3: a wrong code counts; the right one rotates the token and names the user.
    const code = await api.lastCode(phones.tomas);
    const wrong = await api.call('POST', `/v1/recoveries/${id}/otp/verify`, {
      token: first,
      body: { code: String((Number(code) + 1) % 1_000_000).padStart(6, '0') },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'otp_invalid', attemptsLeft: 2 });
    const verified = await api.call('POST', `/v1/recoveries/${id}/otp/verify`, {
      token: first,
      body: { code },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({
      step: 'new-password',
      username: USERNAME,
      secondFactor: 'pending-activation',
    });
    const token = verified.body.token as string;
    expect((await api.call('GET', `/v1/recoveries/${id}`, { token: first })).status).toBe(401);
    const resumed = await api.call('GET', `/v1/recoveries/${id}`, { token });
    expect(resumed.body).toMatchObject({ step: 'new-password', username: USERNAME });

    // R4: the step-5 policy, per field.
    const weak = await api.call('PUT', `/v1/recoveries/${id}/password`, {
      token,
      body: { password: 'corta', confirmation: 'corta', digitalToken: 'keep' },
    });
    expect(weak.status).toBe(422);
    expect(weak.body.errors.map((e: { field: string }) => e.field)).toContain('password');
    const body = { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, digitalToken: 'keep' };
    const done = await api.call('PUT', `/v1/recoveries/${id}/password`, { token, body });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ step: 'completed', username: USERNAME, secondFactor: 'pending-activation' });
    // Idempotent: the same answer, nothing done twice (one email below).
    const again = await api.call('PUT', `/v1/recoveries/${id}/password`, { token, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(done.body);

    // Every session and open sign-in ended; the old password is gone; the lock is cleared.
    expect((await api.call('GET', '/v1/me', { token: session })).status).toBe(401);
    const stale = await api.call('POST', `/v1/sign-ins/${openSignIn.body.signInId}/password`, {
      token: openSignIn.body.token,
      body: { password: NEW_PASSWORD },
    });
    expect(stale.status).toBe(401);
    expect((await signIn(USERNAME, OLD_PASSWORD)).answer.status).toBe(401);
    const fresh = await signIn(USERNAME, NEW_PASSWORD);
    expect(fresh.answer.status).toBe(200);
    expect(fresh.answer.body.step).toBe('signed-in');

    const mails = await api.waitForEmail('tmateos@example.com', 15_000, 'Recuperaste');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain(USERNAME);
    expect(mails[0]?.text).not.toContain(NEW_PASSWORD);
  });
});

describe('recovery after a lost phone', () => {
  const USERNAME = 'Ana.Perdida';
  it('"reset" of an active token is held, then applied by the sweep: the next sign-in asks no token code, and the token can be activated again', async () => {
    await register(credentials.company, phones.ana, USERNAME);
    const session = (await signIn(USERNAME, OLD_PASSWORD)).answer.body.session.token as string;
    const uri = await activateToken(api, session, phones.ana);
    // A sign-in waiting for a token code when the phone is lost.
    const waiting = await signIn(USERNAME, OLD_PASSWORD);
    expect(waiting.answer.body).toEqual({ step: 'digital-token' });

    const { id, token, verified } = await proveIdentity(credentials.company, phones.ana);
    expect(verified.body.secondFactor).toBe('active');
    const done = await api.call('PUT', `/v1/recoveries/${id}/password`, {
      token,
      body: { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, digitalToken: 'reset' },
    });
    expect(done.status).toBe(202);
    expect(done.body).toMatchObject({ step: 'on-hold', username: USERNAME });
    // A reload of the recovery's last screen shows the hold again.
    const resumed = await api.call('GET', `/v1/recoveries/${id}`, { token });
    expect(resumed.body).toMatchObject({ step: 'on-hold', until: done.body.until });
    // The hold (2 s here) ends and the local sweep applies it: the new password signs in without a token.
    const deadline = Date.now() + 15_000;
    while ((await signIn(USERNAME, NEW_PASSWORD)).answer.status !== 200) {
      if (Date.now() > deadline) throw new Error('the held reset was not applied');
      await new Promise((r) => setTimeout(r, 250));
    }

    const stale = await api.call('POST', `/v1/sign-ins/${waiting.started.body.signInId}/digital-token`, {
      token: waiting.started.body.token,
      body: { code: totpAt(uri, Date.now()) },
    });
    expect(stale.status).toBe(401);
    const fresh = await signIn(USERNAME, NEW_PASSWORD);
    expect(fresh.answer.body).toMatchObject({ step: 'signed-in', secondFactor: 'pending-activation' });
    const again = await api.call('POST', '/v1/me/digital-token/activation', {
      token: fresh.answer.body.session.token,
    });
    expect(again.status).toBe(202);
    const [mail] = await api.waitForEmail('ana.ruiz@example.ec', 15_000, 'Recuperaste');
    expect(mail?.text).toContain('Desactivamos tu Token digital');
  });
});

describe('recovery refusals', () => {
  it('a customer without an online user gets 409 not_registered', async () => {
    const answer = await api.call('POST', '/v1/recoveries', { body: credentials.companyMain });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('not_registered');
    expect(answer.body.detail).toMatch(/Regístrate/);
  });

  it("a customer whose user the bank's core system holds gets the registration's advice (409 already_registered)", async () => {
    const answer = await api.call('POST', '/v1/recoveries', { body: credentials.registeredCard });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('already_registered');
    expect(answer.body.detail).toMatch(/agencia/);
  });

  it('wrong PINs count on the same counter as registration step 1: two there and one here lock both', async () => {
    const wrongPin = { ...credentials.otherCard, pin: '0000' };
    expect((await api.call('POST', '/v1/registrations', { body: wrongPin })).status).toBe(401);
    expect((await api.call('POST', '/v1/registrations', { body: wrongPin })).status).toBe(401);
    const locking = await api.call('POST', '/v1/recoveries', { body: wrongPin });
    expect(locking.status).toBe(423);
    expect(locking.headers.get('retry-after')).toBe('86400');
    const right = await api.call('POST', '/v1/registrations', { body: credentials.otherCard });
    expect(right.status).toBe(423);
  });

  it('a recovery token answers 401 on registration routes and the other way round', async () => {
    const started = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect(started.status).toBe(201);
    const asRegistration = await api.call('GET', `/v1/registrations/${started.body.recoveryId}`, {
      token: started.body.token,
    });
    expect(asRegistration.status).toBe(401);
    expect(
      (await api.call('DELETE', `/v1/recoveries/${started.body.recoveryId}`, { token: started.body.token }))
        .status,
    ).toBe(204);
    const after = await api.call('GET', `/v1/recoveries/${started.body.recoveryId}`, {
      token: started.body.token,
    });
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/recuperación/);

    // The other way round: a live registration's token on the recovery routes of its own id.
    const registration = await api.call('POST', '/v1/registrations', { body: credentials.companyMain });
    expect(registration.status).toBe(201);
    const { registrationId, token } = registration.body;
    expect((await api.call('GET', `/v1/registrations/${registrationId}`, { token })).status).toBe(200);
    const asRecovery = await api.call('GET', `/v1/recoveries/${registrationId}`, { token });
    expect(asRecovery.status).toBe(401);
    expect(asRecovery.body.code).toBe('session_invalid');
    expect((await api.call('POST', `/v1/recoveries/${registrationId}/otp`, { token })).status).toBe(401);
    expect((await api.call('DELETE', `/v1/recoveries/${registrationId}`, { token })).status).toBe(401);
    expect((await api.call('GET', `/v1/registrations/${registrationId}`, { token })).status).toBe(200);
  });

  it("R1 closes the customer's other open recovery: the older token answers 401 (third audit, finding 16)", async () => {
    const first = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    const second = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect([first.status, second.status]).toEqual([201, 201]);
    const older = await api.call('GET', `/v1/recoveries/${first.body.recoveryId}`, {
      token: first.body.token,
    });
    expect(older.status).toBe(401);
    const newer = await api.call('GET', `/v1/recoveries/${second.body.recoveryId}`, {
      token: second.body.token,
    });
    expect(newer.status).toBe(200);
    await api.call('DELETE', `/v1/recoveries/${second.body.recoveryId}`, { token: second.body.token });
  });

  it(`at most three recoveries per customer a day: the fourth R1 gets 429 recoveries_per_customer`, async () => {
    // Tomás recovered once above; two more complete, then R1 is refused before any SMS.
    for (let i = 0; i < 2; i++) {
      const { id, token } = await proveIdentity(credentials.card, phones.tomas);
      const password = `${NEW_PASSWORD} v${i}`;
      const done = await api.call('PUT', `/v1/recoveries/${id}/password`, {
        token,
        body: { password, confirmation: password, digitalToken: 'keep' },
      });
      expect(done.status).toBe(200);
    }
    const refused = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect(refused.status).toBe(429);
    expect(refused.body.reason).toBe('recoveries_per_customer');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(80_000);
  });
});
