// The SIM-swap takeover, played over HTTP against the local stack with the production hold (12 hours). An
// attacker holds a skimmed card with its PIN and the victim's SIM: R1-R4 with "reset" no longer removes the
// victim's active token at once (rule 54). The change is held, announced by email and SMS, the victim's
// password and token keep working, and the victim's «No fui yo» link freezes the user (rule 55): the attacker
// can neither sign in nor start over, and the held change never applies. Staff can release or cancel a hold.
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
let staff: Api;

/** The password fillProfile gives every registration. */
const VICTIM_PASSWORD = 'Mi clave de prueba 2026!';
const ATTACKER_PASSWORD = 'La clave del atacante 2026';
const REASON = 'Cliente verificado en agencia con su cédula original';

beforeAll(async () => {
  stack = await startLocalStack({
    SIGN_IN_MAX_PER_IP_PER_MINUTE: '500',
    IDENTIFY_MAX_PER_IP_PER_MINUTE: '500',
    OTP_MAX_SENDS_PER_PHONE_PER_HOUR: '50',
  });
  api = new Api(stack.baseUrl);
  staff = new Api(stack.agentUrl);
}, 60_000);
afterAll(() => stack?.stop());

const register = (credential: object, phone: string, username: string) =>
  registerUser(api, credential, phone, username);
const signIn = (username: string, password: string) => signInWith(api, username, password);

/** The attacker's whole recovery: the card and PIN, the SMS code from the swapped SIM, a new password. */
async function attackerRecovers(credential: object, phone: string) {
  const started = await api.call('POST', '/v1/recoveries', { body: credential });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const id = started.body.recoveryId as string;
  await api.call('POST', `/v1/recoveries/${id}/otp`, { token: started.body.token });
  const verified = await api.call('POST', `/v1/recoveries/${id}/otp/verify`, {
    token: started.body.token,
    body: { code: await api.lastCode(phone) },
  });
  const token = verified.body.token as string;
  const reset = await api.call('PUT', `/v1/recoveries/${id}/password`, {
    token,
    body: { password: ATTACKER_PASSWORD, confirmation: ATTACKER_PASSWORD, digitalToken: 'reset' },
  });
  return { id, token, reset };
}

/** The «No fui yo» token of the newest email with this subject to this address. */
async function reportToken(to: string, subject: string): Promise<string> {
  const [mail] = (await api.waitForEmail(to, 15_000, subject)).slice(-1);
  const token = /#\/no-fui-yo\/([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no «No fui yo» link in "${subject}"`);
  expect(mail?.html).toContain(`#/no-fui-yo/${token}`);
  return token;
}

const staffCall = (method: string, path: string, body?: unknown) =>
  staff.call(method, path, { body, headers: { 'x-local-staff': 'ana.agente' } });

describe('a SIM swap cannot take an account that has a digital token', () => {
  const USERNAME = 'Tomas.Victima';

  it('the reset is held, the victim keeps access, and the victim’s link freezes the attacker out', async () => {
    await register(credentials.card, phones.tomas, USERNAME);
    const victimSession = (await signIn(USERNAME, VICTIM_PASSWORD)).answer.body.session.token as string;
    const uri = await activateToken(api, victimSession, phones.tomas);

    // The attacker: R1 to R4 with "reset", from the card, the PIN and the SIM.
    const before = Date.now();
    const { reset } = await attackerRecovers(credentials.card, phones.tomas);
    expect(reset.status).toBe(202);
    expect(reset.body).toMatchObject({ step: 'on-hold', username: USERNAME });
    const until = Date.parse(reset.body.until);
    expect(until - before).toBeGreaterThanOrEqual(43_200_000 - 5_000);
    expect(until - Date.now()).toBeLessThanOrEqual(43_200_000);

    // Nothing changed: the attacker's password fails, the victim's password and token still work, and the
    // victim's session lives on.
    expect((await signIn(USERNAME, ATTACKER_PASSWORD)).answer.status).toBe(401);
    const victim = await signIn(USERNAME, VICTIM_PASSWORD);
    expect(victim.answer.body).toEqual({ step: 'digital-token' });
    const withToken = await api.call('POST', `/v1/sign-ins/${victim.started.body.signInId}/digital-token`, {
      token: victim.started.body.token,
      // The next 30-second step: the activation just used the current one, and a step is accepted once.
      body: { code: totpAt(uri, Date.now() + 30_000) },
    });
    expect(withToken.status).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: victimSession })).status).toBe(200);

    // The attacker cannot start over while the change is held.
    const again = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'recovery_on_hold', until: reset.body.until });

    // The victim is told at once, by SMS and by email, what was asked, when it applies, how to stop it.
    const sms = (await api.sms()).filter((m) => m.to === phones.tomas).at(-1);
    expect(sms?.message).toMatch(/cambiar tu clave y desactivar tu Token digital/);
    expect(sms?.message).not.toMatch(/https?:/);
    const token = await reportToken('tmateos@example.com', 'Pedido de cambio');
    const [held] = await api.waitForEmail('tmateos@example.com', 15_000, 'Pedido de cambio');
    expect(held?.text).toContain('siguen funcionando');
    expect(held?.text).not.toContain(ATTACKER_PASSWORD);
    // Staff see the hold.
    const seen = await staffCall('GET', '/v1/customers/CUST-001');
    expect(seen.body.heldReset).toMatchObject({ until: reset.body.until });

    // «No fui yo»: frozen at once, once.
    const frozen = await api.call('POST', '/v1/security-reports', { body: { token } });
    expect(frozen.status).toBe(200);
    expect(frozen.body).toEqual({ frozen: true });
    const replay = await api.call('POST', '/v1/security-reports', { body: { token } });
    expect(replay.status).toBe(410);
    expect(replay.body.code).toBe('report_link_invalid');

    // Every session ended, nobody signs in, nobody recovers, and the held change is gone.
    expect((await api.call('GET', '/v1/me', { token: victimSession })).status).toBe(401);
    const attacker = await signIn(USERNAME, ATTACKER_PASSWORD);
    expect(attacker.answer.status).toBe(401);
    const blocked = await signIn(USERNAME, VICTIM_PASSWORD);
    expect(blocked.answer.status).toBe(403);
    expect(blocked.answer.body.code).toBe('user_disabled');
    const recovery = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect(recovery.status).toBe(403);
    const after = await staffCall('GET', '/v1/customers/CUST-001');
    expect(after.body.heldReset).toBeUndefined();
    expect(after.body.user.disabled).toMatchObject({ by: 'customer' });
    expect(after.body.secondFactor).toBe('active');
    expect(after.body.recentEvents[0]).toMatchObject({ kind: 'customer-report', actor: 'customer' });
    const [told] = await api.waitForEmail('tmateos@example.com', 15_000, 'Bloqueamos tu acceso');
    expect(told?.text).toMatch(/agencia/);
    expect(told?.text).not.toMatch(/no-fui-yo/);

    // Staff enable the verified customer: the old password and token are still theirs.
    expect(
      (await staffCall('POST', '/v1/customers/CUST-001/actions/enable', { reason: REASON })).status,
    ).toBe(200);
    expect((await signIn(USERNAME, VICTIM_PASSWORD)).answer.body).toEqual({ step: 'digital-token' });
  });

  it('a link that was never issued, or is not a link token, answers 410 and freezes nothing', async () => {
    const unknown = await api.call('POST', '/v1/security-reports', { body: { token: 'A'.repeat(43) } });
    expect(unknown.status).toBe(410);
    const malformed = await api.call('POST', '/v1/security-reports', { body: { token: 'no-es-un-enlace' } });
    expect(malformed.status).toBe(410);
    expect((await signIn(USERNAME, VICTIM_PASSWORD)).answer.body).toEqual({ step: 'digital-token' });
  });
});

describe('staff release or cancel a held reset', () => {
  const USERNAME = 'Ana.Retenida';

  it('cancel-hold keeps the old password and token; release-hold applies the change at once', async () => {
    await register(credentials.company, phones.ana, USERNAME);
    const session = (await signIn(USERNAME, VICTIM_PASSWORD)).answer.body.session.token as string;
    await activateToken(api, session, phones.ana);
    expect(
      (await staffCall('POST', '/v1/customers/CUST-002/actions/cancel-hold', { reason: REASON })).status,
    ).toBe(409);

    expect((await attackerRecovers(credentials.company, phones.ana)).reset.status).toBe(202);
    const cancelled = await staffCall('POST', '/v1/customers/CUST-002/actions/cancel-hold', {
      reason: REASON,
    });
    expect(cancelled.status).toBe(200);
    expect((await signIn(USERNAME, ATTACKER_PASSWORD)).answer.status).toBe(401);
    expect((await signIn(USERNAME, VICTIM_PASSWORD)).answer.body).toEqual({ step: 'digital-token' });

    // The customer, verified at a branch, lost the phone indeed: staff apply the held change now.
    expect((await attackerRecovers(credentials.company, phones.ana)).reset.status).toBe(202);
    const released = await staffCall('POST', '/v1/customers/CUST-002/actions/release-hold', {
      reason: REASON,
    });
    expect(released.status).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: session })).status).toBe(401);
    const fresh = await signIn(USERNAME, ATTACKER_PASSWORD);
    expect(fresh.answer.body).toMatchObject({ step: 'signed-in', secondFactor: 'pending-activation' });
    const seen = await staffCall('GET', '/v1/customers/CUST-002');
    expect(seen.body.heldReset).toBeUndefined();
    expect(seen.body.recentEvents).toContainEqual(
      expect.objectContaining({ kind: 'staff-change', action: 'release-hold', reason: REASON }),
    );
  });
});
