// Why a signed-in session ended, as the API tells the page (issue 23 item 10): a session the bank closed
// before its time (staff revoke-sessions, a recovery, a password change) answers 401 session_invalid with
// `reason: "revoked"` and says it was for security; one that simply ended carries no reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, credentials, phones, registerUser } from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;
let staff: Api;

const USERNAME = 'Tomas.Sesiones';
const PASSWORD = 'Mi clave de prueba 2026!';

beforeAll(async () => {
  stack = await startLocalStack();
  api = new Api(stack.baseUrl);
  staff = new Api(stack.agentUrl);
  await registerUser(api, credentials.card, phones.tomas, USERNAME);
}, 60_000);
afterAll(() => stack?.stop());

async function signedIn(): Promise<string> {
  const started = await api.call('POST', '/v1/sign-ins', { body: { username: USERNAME } });
  const answer = await api.call('POST', `/v1/sign-ins/${started.body.signInId}/password`, {
    token: started.body.token,
    body: { password: PASSWORD },
  });
  expect(answer.status).toBe(200);
  return answer.body.session.token as string;
}

describe('a signed-in session that ended', () => {
  it('closed by staff (revoke-sessions): 401 session_invalid, reason revoked, closed for security', async () => {
    const session = await signedIn();
    const revoked = await staff.call('POST', '/v1/customers/CUST-001/actions/revoke-sessions', {
      body: { reason: 'El cliente llamó al Call Center y pidió cerrar sus sesiones' },
      headers: { 'x-local-staff': 'ana.agente' },
    });
    expect(revoked.status).toBe(200);

    const me = await api.call('GET', '/v1/me', { token: session });
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ code: 'session_invalid', reason: 'revoked' });
    expect(me.body.detail).toMatch(/^Por tu seguridad cerramos tu sesión/);
    expect(me.body.detail).not.toMatch(/sin actividad/);
  });

  it('signed out, or never valid: 401 session_invalid without a reason', async () => {
    const session = await signedIn();
    expect((await api.call('DELETE', '/v1/me/session', { token: session })).status).toBe(204);
    const me = await api.call('GET', '/v1/me', { token: session });
    expect(me.status).toBe(401);
    expect(me.body.code).toBe('session_invalid');
    expect(me.body.reason).toBeUndefined();
    const unknown = await api.call('GET', '/v1/me', { token: 'x'.repeat(43) });
    expect(unknown.body.reason).toBeUndefined();
  });
});
