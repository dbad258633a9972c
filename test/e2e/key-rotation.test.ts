// Issue 22, item 9 (rule 62) over HTTP: the local stack is stopped, its three keys are rotated in its secrets
// file (the new version current, the old one previous, as Secrets Manager's AWSCURRENT and AWSPREVIOUS), and it
// is started again on the same tables. A signed-in session, a registration waiting for its SMS code and a
// user with a password and a digital token all made under the old keys keep working, through the real
// composition roots (lambdas/keys.ts, hashing.ts, token-key.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Api,
  activateToken,
  credentials,
  fillProfile,
  identifyAndVerify,
  phones,
  totpAt,
} from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

const USERNAME = 'Tomas.Rotacion';
const PASSWORD = 'Mi clave de prueba 2026!';
const stateDir = mkdtempSync(join(tmpdir(), 'rotation-stack-'));
const secretsFile = join(stateDir, 'secrets.json');
const tablePrefix = `rot${randomBytes(3).toString('hex')}-`;
const names = ['hmacKey', 'pepper', 'tokenKey'] as const;

const start = () =>
  startLocalStack({
    LOCAL_STATE_DIR: stateDir,
    TABLE_PREFIX: tablePrefix,
    SIGN_IN_MAX_PER_IP_PER_MINUTE: '500',
  });

let stack: RunningStack | undefined;
let api: Api;
const before: {
  session?: string;
  tokenUri?: string;
  registration?: { id: string; token: string; code: string };
} = {};

async function signIn() {
  const started = await api.call('POST', '/v1/sign-ins', { body: { username: USERNAME } });
  const answer = await api.call('POST', `/v1/sign-ins/${started.body.signInId}/password`, {
    token: started.body.token,
    body: { password: PASSWORD },
  });
  return { signInId: started.body.signInId as string, token: started.body.token as string, answer };
}

beforeAll(async () => {
  // Prepare, under version 1 of every key: a user with a password and a digital token, signed in; and a
  // registration of another customer (Ana) that has just been sent its SMS code.
  writeFileSync(
    secretsFile,
    JSON.stringify(Object.fromEntries(names.map((n) => [n, randomBytes(48).toString('base64url')]))),
  );
  stack = await start();
  api = new Api(stack.baseUrl);
  const { id, token } = await identifyAndVerify(api, credentials.card, phones.tomas);
  await fillProfile(api, id, token, USERNAME);
  expect((await api.call('POST', `/v1/registrations/${id}/complete`, { token })).status).toBe(201);
  const first = await signIn();
  before.session = first.answer.body.session.token as string;
  before.tokenUri = await activateToken(api, before.session, phones.tomas);
  const started = await api.call('POST', '/v1/registrations', { body: credentials.company });
  expect(
    (
      await api.call('POST', `/v1/registrations/${started.body.registrationId}/otp`, {
        token: started.body.token,
      })
    ).status,
  ).toBe(202);
  before.registration = {
    id: started.body.registrationId,
    token: started.body.token,
    code: await api.lastCode(phones.ana),
  };
  await stack.stop();

  // Act: the rotation (the new version current, the old one previous), then the same stack on the same tables
  const v1 = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
  writeFileSync(
    secretsFile,
    JSON.stringify(
      Object.fromEntries(
        names.map((n) => [n, { current: randomBytes(48).toString('base64url'), previous: v1[n] }]),
      ),
    ),
  );
  stack = await start();
  api = new Api(stack.baseUrl);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('after a rotation of the HMAC key, the pepper and the token key', () => {
  it('the session signed in before it is still signed in', async () => {
    const me = await api.call('GET', '/v1/me', { token: before.session });
    expect(me.status).toBe(200);
  });

  it('the registration verifies the SMS code it was sent before it', async () => {
    const { id, token, code } = before.registration as { id: string; token: string; code: string };
    const verified = await api.call('POST', `/v1/registrations/${id}/otp/verify`, { token, body: { code } });
    expect(verified.status).toBe(200);
  });

  it('the user signs in with the password and the digital token set up before it', async () => {
    const { signInId, token, answer } = await signIn();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ step: 'digital-token' });
    // The next time step's code: the activation used the current one, and one step of drift is accepted.
    const signedIn = await api.call('POST', `/v1/sign-ins/${signInId}/digital-token`, {
      token,
      body: { code: totpAt(before.tokenUri as string, Date.now() + 30_000) },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ step: 'signed-in', secondFactor: 'active' });
  });
});
