// A customer who already has an online user, made through the API (the e2e client) so a recovery test starts
// where the recovery does: a registration completed and, when asked, the digital token active.
import { Api, fillProfile, identifyAndVerify } from '../../support/api-client.ts';
import { type TestCustomer, totp } from './wizard.ts';

/** The password `fillProfile` gives every user it registers. */
export const API_PASSWORD = 'Mi clave de prueba 2026!';

/** Step 1's body for the customer's first credential (card, then virtual key, then company). */
export function identification(c: TestCustomer): object {
  if (c.card) return { type: 'card', ...c.card };
  if (c.virtualKey) return { type: 'virtual-key', ...c.virtualKey };
  if (c.company) return { type: 'company', ...c.company };
  throw new Error('customer without a credential');
}

async function ok<T = Record<string, any>>(
  result: Promise<{ status: number; body: T }>,
  expected: number,
  what: string,
): Promise<T> {
  const r = await result;
  if (r.status !== expected) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Registers the customer as `username` (password API_PASSWORD); with `activateToken`, also binds a token. */
export async function registerThroughApi(
  baseUrl: string,
  c: TestCustomer,
  username: string,
  opts: { activateToken?: boolean } = {},
): Promise<{ api: Api; session?: string; secret?: string }> {
  const api = new Api(baseUrl);
  const { id, token } = await identifyAndVerify(api, identification(c), c.phone);
  await fillProfile(api, id, token, username);
  await ok(api.call('POST', `/v1/registrations/${id}/complete`, { token }), 201, 'complete');
  if (!opts.activateToken) return { api };

  const started = await ok(api.call('POST', '/v1/sign-ins', { body: { username } }), 201, 'S1');
  const signedIn = await ok(
    api.call('POST', `/v1/sign-ins/${started.signInId}/password`, {
      token: started.token,
      body: { password: API_PASSWORD },
    }),
    200,
    'S2',
  );
  const session = signedIn.session.token as string;
  await ok(api.call('POST', '/v1/me/digital-token/activation', { token: session }), 202, 'T1');
  const scan = await ok(
    api.call('POST', '/v1/me/digital-token/activation/verify', {
      token: session,
      body: { code: await api.lastCode(c.phone) },
    }),
    200,
    'T2',
  );
  const secret = scan.secret as string;
  await ok(
    api.call('POST', '/v1/me/digital-token/activation/confirm', {
      token: session,
      body: { code: totp(secret, Date.now()) },
    }),
    200,
    'T3',
  );
  return { api, session, secret };
}
