// Sign-in and the digital token over HTTP against the local stack, for a customer registered through the
// wizard: the security image, the decoy, the password lock, activation with the SMS code and a TOTP computed
// from the returned secret, the activation email, sign-out, and sign-in with the token.
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Api,
  activateToken,
  credentials,
  fillProfile,
  identifyAndVerify,
  phones,
} from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;

const USERNAME = 'Tomas.Ingreso';
const PASSWORD = 'Mi clave de prueba 2026!';

beforeAll(async () => {
  stack = await startLocalStack({ SIGN_IN_MAX_PER_IP_PER_MINUTE: '500' });
  api = new Api(stack.baseUrl);
  const { id, token } = await identifyAndVerify(api, credentials.card, phones.tomas);
  await fillProfile(api, id, token, USERNAME);
  const done = await api.call('POST', `/v1/registrations/${id}/complete`, { token });
  expect(done.status).toBe(201);
}, 60_000);
afterAll(() => stack?.stop());

const startSignIn = (username: string) => api.call('POST', '/v1/sign-ins', { body: { username } });

async function signInWithPassword(username: string, password: string) {
  const started = await startSignIn(username);
  expect(started.status).toBe(201);
  const answer = await api.call('POST', `/v1/sign-ins/${started.body.signInId}/password`, {
    token: started.body.token,
    body: { password },
  });
  return { started, answer };
}

describe('sign-in with username and password', () => {
  it('S1 shows the image the customer chose, whatever the case of the username', async () => {
    const started = await startSignIn(USERNAME.toLowerCase());
    expect(started.status).toBe(201);
    expect(started.headers.get('cache-control')).toBe('no-store');
    expect(started.body).toMatchObject({
      step: 'password',
      image: { id: 'colibri', url: '/images/security/colibri.svg', label: 'Colibrí' },
    });
    expect(started.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('S1 gives an unknown username a decoy of the same shape, the same on every call', async () => {
    const first = await startSignIn('nadie.existe');
    const second = await startSignIn('NADIE.existe');
    expect(first.status).toBe(201);
    expect(Object.keys(first.body).sort()).toEqual(['image', 'signInId', 'step', 'token']);
    expect(second.body.image).toEqual(first.body.image);
    expect(first.body.image.url).toBe(`/images/security/${first.body.image.id}.svg`);
  });

  it('the right password signs in; M1 shows the user masked; sign-out kills the session', async () => {
    const { answer } = await signInWithPassword(USERNAME, PASSWORD);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ step: 'signed-in', secondFactor: 'pending-activation' });
    const session = answer.body.session.token;
    expect(Date.parse(answer.body.session.expiresAt)).toBeGreaterThan(Date.now());

    const me = await api.call('GET', '/v1/me', { token: session });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      username: USERNAME,
      contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
      secondFactor: 'pending-activation',
      image: { id: 'colibri', url: '/images/security/colibri.svg', label: 'Colibrí' },
    });

    expect((await api.call('DELETE', '/v1/me/session', { token: session })).status).toBe(204);
    const after = await api.call('GET', '/v1/me', { token: session });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('session_invalid');
  });

  it('a sign-in token is dead once it produced a session', async () => {
    const { started, answer } = await signInWithPassword(USERNAME, PASSWORD);
    expect(answer.status).toBe(200);
    const again = await api.call('POST', `/v1/sign-ins/${started.body.signInId}/password`, {
      token: started.body.token,
      body: { password: PASSWORD },
    });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('session_invalid');
  });

  it('an unknown username fails at S2 with the same body as a wrong password', async () => {
    const wrong = await signInWithPassword(USERNAME, 'No es mi clave 2026');
    const unknown = await signInWithPassword('otro.usuario', PASSWORD);
    expect(wrong.answer.status).toBe(401);
    expect(unknown.answer.status).toBe(401);
    const { requestId: _a, ...wrongBody } = wrong.answer.body;
    const { requestId: _b, ...unknownBody } = unknown.answer.body;
    expect(unknownBody).toEqual(wrongBody);
    expect(wrongBody.code).toBe('invalid_credentials');
    // A right password resets the count, so the wrong one above does not bring the next test's lock closer.
    expect((await signInWithPassword(USERNAME, PASSWORD)).answer.status).toBe(200);
  });
});

describe('the password lock', () => {
  for (const name of ['lucia.locked', 'nadie.bloqueado']) {
    it(`PASSWORD_MAX_ATTEMPTS wrong passwords lock "${name}", and then even the right one gets 423`, async () => {
      const lockedUser = name === 'lucia.locked';
      if (lockedUser) {
        const { id, token } = await identifyAndVerify(api, credentials.otherKey, phones.lucia);
        await fillProfile(api, id, token, name);
        expect((await api.call('POST', `/v1/registrations/${id}/complete`, { token })).status).toBe(201);
      }
      for (let i = 1; i <= 5; i++) {
        const { answer } = await signInWithPassword(name, `Clave equivocada ${i}x`);
        expect(answer.status).toBe(401);
      }
      const { answer } = await signInWithPassword(name, PASSWORD);
      expect(answer.status).toBe(423);
      expect(answer.body.code).toBe('credential_locked');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(1700);
      // S1 still answers as usual during the lock.
      expect((await startSignIn(name)).status).toBe(201);
    });
  }
});

describe('the digital token', () => {
  const code = (uri: string, offsetSteps = 0, at = Date.now()) => {
    const totp = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
    return totp.generate({ timestamp: at + offsetSteps * 30_000 });
  };

  it('T1-T3 activate it with the SMS code and a TOTP from the shown secret; an email tells the customer', async () => {
    const { answer } = await signInWithPassword(USERNAME, PASSWORD);
    const session = answer.body.session.token;

    const early = await api.call('POST', '/v1/me/digital-token/activation/confirm', {
      token: session,
      body: { code: '123456' },
    });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('step_out_of_order');

    const sent = await api.call('POST', '/v1/me/digital-token/activation', { token: session });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ step: 'enter-otp', sendsLeft: 2 });
    const smsCode = await api.lastCode(phones.tomas);

    const verified = await api.call('POST', '/v1/me/digital-token/activation/verify', {
      token: session,
      body: { code: smsCode },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.step).toBe('scan');
    expect(verified.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(verified.body.otpauthUri).toBe(
      `otpauth://totp/Produbanco:${USERNAME}?secret=${verified.body.secret}&issuer=Produbanco&algorithm=SHA1&digits=6&period=30`,
    );
    expect(verified.body.qrSvg).toMatch(/^<svg /);

    // Codes are fixed to the activation's instant, so a 30-second boundary during the test changes nothing.
    const activatedAt = Date.now();
    const activationCode = code(verified.body.otpauthUri, 0, activatedAt);
    const nextCode = code(verified.body.otpauthUri, 1, activatedAt);
    const wrong = await api.call('POST', '/v1/me/digital-token/activation/confirm', {
      token: session,
      body: { code: String((Number(activationCode) + 1) % 1_000_000).padStart(6, '0') },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'otp_invalid', attemptsLeft: 2 });

    const confirmed = await api.call('POST', '/v1/me/digital-token/activation/confirm', {
      token: session,
      body: { code: activationCode },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ secondFactor: 'active' });
    expect((await api.call('GET', '/v1/me', { token: session })).body.secondFactor).toBe('active');

    const again = await api.call('POST', '/v1/me/digital-token/activation', { token: session });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('token_already_active');

    const mails = await api.waitForEmail('tmateos@example.com');
    const mail = await (async () => {
      for (let i = 0; i < 75; i++) {
        const found = (await api.emails()).find((e) => e.subject.includes('Token digital'));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no activation email among ${mails.length}`);
    })();
    expect(mail.text).toContain(USERNAME);
    expect(mail.text).not.toContain(verified.body.secret);
    expect(mail.html).not.toContain(verified.body.secret);
    expect((await api.call('DELETE', '/v1/me/session', { token: session })).status).toBe(204);

    // The next sign-in asks for a token code; the code the activation used is refused (its step was taken).
    const next = await signInWithPassword(USERNAME, PASSWORD);
    expect(next.answer.status).toBe(200);
    expect(next.answer.body).toEqual({ step: 'digital-token' });
    const tokenStep = (body: object) =>
      api.call('POST', `/v1/sign-ins/${next.started.body.signInId}/digital-token`, {
        token: next.started.body.token,
        body,
      });
    const used = activationCode;
    const replay = await tokenStep({ code: used });
    expect(replay.status).toBe(401);
    // A right code of a step already taken says so, and uses up no attempt (issue 23 item 8).
    expect(replay.body).toMatchObject({
      code: 'otp_already_used',
      detail: 'Este código ya se usó. Espera el siguiente código de tu aplicación de autenticación.',
    });
    expect(replay.body.attemptsLeft).toBeUndefined();
    // The next step's code (one step of drift) signs in.
    const signedIn = await tokenStep({ code: nextCode });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ step: 'signed-in', secondFactor: 'active' });

    // And that code is refused in a new sign-in: each step is accepted once.
    const third = await signInWithPassword(USERNAME, PASSWORD);
    const reused = await api.call('POST', `/v1/sign-ins/${third.started.body.signInId}/digital-token`, {
      token: third.started.body.token,
      body: { code: nextCode },
    });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('otp_already_used');
    // TOKEN_MAX_ATTEMPTS wrong codes (the reused one took none): the last answers 423 and the sign-in must
    // start again.
    for (const expected of [401, 401, 423, 423]) {
      const wrongCode = await api.call('POST', `/v1/sign-ins/${third.started.body.signInId}/digital-token`, {
        token: third.started.body.token,
        body: { code: '000000' },
      });
      expect(wrongCode.status).toBe(expected);
    }
  });
});

describe('second audit, finding 1: token codes are bounded per user across sign-ins', () => {
  const ANA = 'Ana.Token';
  const totpAt = (uri: string, at: number) =>
    (OTPAuth.URI.parse(uri) as OTPAuth.TOTP).generate({ timestamp: at });

  it('ten wrong codes over four sign-ins lock the token step with 423 and Retry-After, refuse the right code, and email the customer', async () => {
    // Arrange: Ana registers, signs in and activates a token.
    const { id, token } = await identifyAndVerify(api, credentials.company, phones.ana);
    await fillProfile(api, id, token, ANA);
    expect((await api.call('POST', `/v1/registrations/${id}/complete`, { token })).status).toBe(201);
    const session = (await signInWithPassword(ANA, PASSWORD)).answer.body.session.token;
    const uri = await activateToken(api, session, phones.ana);
    const wrong = () => totpAt(uri, Date.now() + 3_600_000);
    const tokenTry = (started: { body: Record<string, string> }, code: string) =>
      api.call('POST', `/v1/sign-ins/${started.body.signInId}/digital-token`, {
        token: started.body.token,
        body: { code },
      });

    // Act: three sign-ins of three wrong codes each (each sign-in ends at TOKEN_MAX_ATTEMPTS), then a fourth.
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { started, answer } = await signInWithPassword(ANA, PASSWORD);
      expect(answer.body).toEqual({ step: 'digital-token' });
      for (let i = 0; i < 3; i++) statuses.push((await tokenTry(started, wrong())).status);
    }
    const last = await signInWithPassword(ANA, PASSWORD);
    const locking = await tokenTry(last.started, wrong());
    const rightCode = await tokenTry(last.started, totpAt(uri, Date.now()));

    // Assert
    expect(statuses).toEqual([401, 401, 423, 401, 401, 423, 401, 401, 423]);
    expect(locking.status).toBe(423);
    expect(locking.body.code).toBe('credential_locked');
    expect(Number(locking.headers.get('retry-after'))).toBeGreaterThan(1700);
    expect(rightCode.status).toBe(423);
    expect(rightCode.body.code).toBe('credential_locked');
    const mail = await (async () => {
      for (let i = 0; i < 75; i++) {
        const found = (await api.emails()).find(
          (e) => e.to === 'ana.ruiz@example.ec' && e.subject === 'Bloqueamos el ingreso con tu Token digital',
        );
        if (found) return found;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('no token-lock email');
    })();
    expect(mail.text).toContain(ANA);
    expect(mail.text).toContain('1700 123 123');
  });
});
