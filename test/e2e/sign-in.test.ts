// Sign-in and the digital token over HTTP against the local stack, for a customer registered through the
// wizard: the security image, the decoy, the password lock, activation with the SMS code and a TOTP computed
// from the returned secret, the activation email, sign-out, and sign-in with the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, credentials, fillProfile, identifyAndVerify, phones } from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;

const USERNAME = 'Tomas.Ingreso';
const PASSWORD = 'Mi clave de prueba 2026!';

beforeAll(async () => {
  stack = await startLocalStack({ SIGN_IN_MAX_PER_IP_PER_MINUTE: '1000' });
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
