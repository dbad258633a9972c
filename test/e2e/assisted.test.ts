// The assisted service over HTTP against the local stack: staff read a customer's access and change it
// (unlock, revoke sessions, reset the token, disable, enable) with a reason; each change is in the audit
// trail with who made it, and the customer gets an email. Also `npm run agent`, the staff CLI, end to end.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
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
let staff: Api;

const USERNAME = 'Tomas.Asistido';
const PASSWORD = 'Mi clave de prueba 2026!';
const REASON = 'El cliente llamó al Call Center y confirmó su identidad';

beforeAll(async () => {
  stack = await startLocalStack({ SIGN_IN_MAX_PER_IP_PER_MINUTE: '500' });
  api = new Api(stack.baseUrl);
  staff = new Api(stack.agentUrl);
  const { id, token } = await identifyAndVerify(api, credentials.card, phones.tomas);
  await fillProfile(api, id, token, USERNAME);
  expect((await api.call('POST', `/v1/registrations/${id}/complete`, { token })).status).toBe(201);
}, 60_000);
afterAll(() => stack?.stop());

async function signIn(password: string) {
  const started = await api.call('POST', '/v1/sign-ins', { body: { username: USERNAME } });
  return api.call('POST', `/v1/sign-ins/${started.body.signInId}/password`, {
    token: started.body.token,
    body: { password },
  });
}

const ANA = { 'x-local-staff': 'ana.agente' };
const status = () => staff.call('GET', '/v1/customers/CUST-001', { headers: ANA });
const act = (action: string, body: unknown = { reason: REASON }, headers: Record<string, string> = ANA) =>
  staff.call('POST', `/v1/customers/CUST-001/actions/${action}`, { body, headers });
/** The local outbox drain sends every 250 ms: lets queued emails arrive before they are counted. */
const settle = () => new Promise((done) => setTimeout(done, 1_500));

describe('assisted service', () => {
  it('status shows the user, the second factor, every lock with its end, and the live sessions', async () => {
    const session = (await signIn(PASSWORD)).body.session.token as string;
    for (let i = 0; i < 5; i++) await signIn(`No es mi clave ${i} 2026`);

    const seen = await status();
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      customerId: 'CUST-001',
      contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
      user: { username: USERNAME },
      secondFactor: 'pending-activation',
      sessions: { active: 1 },
    });
    const password = seen.body.locks.find((lock: { kind: string }) => lock.kind === 'password');
    expect(Date.parse(password.until)).toBeGreaterThan(Date.now());
    expect(JSON.stringify(seen.body)).not.toMatch(/hash|4111111111111111|Hash/);
    // The registration is in the trail staff read.
    expect(seen.body.recentEvents.map((e: { kind: string }) => e.kind)).toContain('registration-completed');
    expect((await api.call('GET', '/v1/me', { token: session })).status).toBe(200);
  });

  it('a change without a reason is 422; an unknown action or customer is 404', async () => {
    const missing = await act('unlock', {});
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0]).toMatchObject({ field: 'reason' });
    expect((await act('unlock', { reason: 'corto' })).status).toBe(422);
    expect((await act('delete-everything')).status).toBe(404);
    const nobody = await staff.call('POST', '/v1/customers/CUST-999/actions/unlock', {
      body: { reason: REASON },
      headers: ANA,
    });
    expect(nobody.status).toBe(404);
  });

  it('unlock clears the password lock, is audited with who and why, and emails the customer', async () => {
    expect((await signIn(PASSWORD)).status).toBe(423);
    const unlocked = await act('unlock');
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ customerId: 'CUST-001', action: 'unlock' });
    expect((await signIn(PASSWORD)).status).toBe(200);

    const seen = await status();
    expect(seen.body.locks).toEqual([]);
    // The newest staff change (other events, such as sign-ins, may come between).
    const staffChanges = seen.body.recentEvents.filter((e: { kind: string }) => e.kind === 'staff-change');
    expect(staffChanges[0]).toMatchObject({
      kind: 'staff-change',
      action: 'unlock',
      actor: 'arn:aws:iam::000000000000:user/local/ana.agente',
      reason: REASON,
    });
    const [mail] = await api.waitForEmail('tmateos@example.com', 15_000, 'Cambio en tu acceso');
    expect(mail?.text).toContain('desbloqueó el ingreso de tu usuario');
    expect(mail?.text).not.toContain(REASON);
    expect(mail?.text).not.toContain('ana.agente');
  });

  it('revoke-sessions ends every session; disable refuses the right password with 403; enable restores it', async () => {
    const session = (await signIn(PASSWORD)).body.session.token as string;
    expect((await act('revoke-sessions')).status).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: session })).status).toBe(401);

    expect((await act('disable')).status).toBe(200);
    const refused = await signIn(PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('user_disabled');
    expect((await status()).body.user.disabled).toMatchObject({
      by: 'arn:aws:iam::000000000000:user/local/ana.agente',
    });
    // Nor can the customer recover around it: R1 says the user is disabled (after the PIN proved it).
    const recovery = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    expect(recovery.status).toBe(403);
    expect(recovery.body.code).toBe('user_disabled');
    expect((await act('enable')).status).toBe(200);
    expect((await signIn(PASSWORD)).status).toBe(200);
    const actions = (await status()).body.recentEvents
      .filter((e: { kind: string }) => e.kind === 'staff-change')
      .map((e: { action: string }) => e.action);
    expect(actions.slice(0, 4)).toEqual(['enable', 'disable', 'revoke-sessions', 'unlock']);
  });

  it('a recovery proven before a disable does not go through after it (R4 answers 403)', async () => {
    const started = await api.call('POST', '/v1/recoveries', { body: credentials.card });
    const id = started.body.recoveryId as string;
    await api.call('POST', `/v1/recoveries/${id}/otp`, { token: started.body.token });
    const verified = await api.call('POST', `/v1/recoveries/${id}/otp/verify`, {
      token: started.body.token,
      body: { code: await api.lastCode(phones.tomas) },
    });
    expect(verified.status).toBe(200);
    expect((await act('disable')).status).toBe(200);

    const password = 'Una clave del atacante 2026';
    const refused = await api.call('PUT', `/v1/recoveries/${id}/password`, {
      token: verified.body.token,
      body: { password, confirmation: password, digitalToken: 'reset' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('user_disabled');
    expect((await act('enable')).status).toBe(200);
    expect((await signIn(password)).status).toBe(401);
    expect((await signIn(PASSWORD)).status).toBe(200);
  });

  it('reset-token ends the sessions too: a session open on a lost phone cannot bind a new token', async () => {
    const session = (await signIn(PASSWORD)).body.session.token as string;
    await activateToken(api, session, phones.tomas);
    const activated = (await status()).body.recentEvents.find(
      (e: { kind: string }) => e.kind === 'token-activated',
    );
    expect(activated).toMatchObject({ kind: 'token-activated', actor: 'customer' });
    // A token user's right passwords count toward the lock until a whole sign-in: staff see it as S2 does.
    for (let i = 0; i < 5; i++) expect((await signIn(PASSWORD)).body.step).toBe('digital-token');
    expect((await signIn(PASSWORD)).status).toBe(423);
    const locked = (await status()).body.locks.map((lock: { kind: string }) => lock.kind);
    expect(locked).toContain('password');
    expect((await act('unlock')).status).toBe(200);
    expect((await act('reset-token')).status).toBe(200);
    expect((await api.call('POST', '/v1/me/digital-token/activation', { token: session })).status).toBe(401);
    expect((await status()).body.secondFactor).not.toBe('active');
  });

  it('a change retried with the same Idempotency-Key is applied once: one audit entry, one email', async () => {
    const headers = { 'x-local-staff': 'ana.agente', 'Idempotency-Key': 'reintento-0001' };
    await settle();
    const mailsBefore = (await api.emails()).filter((m) => m.subject.includes('Cambio en tu acceso')).length;
    // A reason no other change has: the entries it wrote can be counted whatever the trail holds.
    const reason = `${REASON} (reintento 0001)`;
    const body = { reason };
    const first = await staff.call('POST', '/v1/customers/CUST-001/actions/revoke-sessions', {
      body,
      headers,
    });
    const again = await staff.call('POST', '/v1/customers/CUST-001/actions/revoke-sessions', {
      body,
      headers,
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    const entries = (await status()).body.recentEvents.filter(
      (e: { reason?: string }) => e.reason === reason,
    );
    expect(entries).toHaveLength(1);
    await api.waitForEmail('tmateos@example.com', 15_000, 'Cambio en tu acceso');
    await new Promise((done) => setTimeout(done, 1_000));
    const mails = (await api.emails()).filter((m) => m.subject.includes('Cambio en tu acceso')).length;
    expect(mails).toBe(mailsBefore + 1);
  });

  it('an unknown or malformed customer id is 404', async () => {
    const malformed = await staff.call('GET', `/v1/customers/${'x'.repeat(3000)}`, { headers: ANA });
    expect(malformed.status).toBe(404);
    expect((await staff.call('GET', '/v1/customers/CUST%00001', { headers: ANA })).status).toBe(404);
  });

  it('is not served on the public API port', async () => {
    expect((await api.call('GET', '/v1/customers/CUST-001')).status).toBe(404);
  });
});

describe('assisted service: a change says what it did, or why it did nothing', () => {
  const changeMails = async () =>
    (await api.emails()).filter((m) => m.subject.includes('Cambio en tu acceso')).length;

  it('refuses a reason with control or bidi characters with 422 reason_characters', async () => {
    for (const reason of [
      'Motivo con NUL \u0000 dentro',
      'Motivo con ESC \u001b[31m rojo',
      'Primera línea\r\nSegunda línea',
      'Motivo con \u202e invertido',
    ]) {
      const refused = await act('revoke-sessions', { reason });
      expect(refused.status, JSON.stringify(reason)).toBe(422);
      expect(refused.body.errors[0]).toMatchObject({ field: 'reason', code: 'reason_characters' });
    }
  });

  it('an action that would change nothing answers 409 nothing_to_change with the state: no entry, no email', async () => {
    await settle();
    const events = (await status()).body.recentEvents.map((e: { eventId: string }) => e.eventId);
    const mails = await changeMails();

    const unlock = await act('unlock');
    expect(unlock.status).toBe(409);
    expect(unlock.body).toMatchObject({ code: 'nothing_to_change', state: 'no_lock' });
    expect((await act('reset-token')).body).toMatchObject({ code: 'nothing_to_change', state: 'no_token' });
    expect((await act('enable')).body).toMatchObject({ code: 'nothing_to_change', state: 'enabled' });
    await settle();
    expect((await status()).body.recentEvents.map((e: { eventId: string }) => e.eventId)).toEqual(events);
    expect(await changeMails()).toBe(mails);

    expect((await act('disable')).status).toBe(200);
    const twice = await act('disable');
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'nothing_to_change', state: 'disabled' });
    expect((await act('enable')).status).toBe(200);
  });

  it('an Idempotency-Key is bound to its request: anything else with it is 409 and changes nothing', async () => {
    const key = { 'Idempotency-Key': 'vinculada-0001' };
    const first = await act('disable', { reason: REASON }, { ...ANA, ...key });
    expect(first.status).toBe(200);
    expect((await act('enable')).status).toBe(200);

    // Another staff member, another action, another customer, another reason: the key is not theirs.
    const luis = await act('disable', { reason: REASON }, { 'x-local-staff': 'luis.agente', ...key });
    expect(luis.status).toBe(409);
    expect(luis.body.code).toBe('idempotency_key_reused');
    expect((await act('revoke-sessions', { reason: REASON }, { ...ANA, ...key })).status).toBe(409);
    expect((await act('disable', { reason: `${REASON}.` }, { ...ANA, ...key })).status).toBe(409);
    const other = await staff.call('POST', '/v1/customers/CUST-003/actions/unlock', {
      body: { reason: REASON },
      headers: { ...ANA, ...key },
    });
    expect(other.status).toBe(409);
    expect((await status()).body.user.disabled).toBeUndefined();

    // The same request retried gets its first answer, and is not applied again.
    const retried = await act('disable', { reason: REASON }, { ...ANA, ...key });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(first.body);
    expect((await status()).body.user.disabled).toBeUndefined();
  });

  it('refuses a staff call without x-local-staff with 403, as the deployed API refuses an unsigned one', async () => {
    const unsigned = await staff.call('GET', '/v1/customers/CUST-001');
    expect(unsigned.status).toBe(403);
    expect(unsigned.body.code).toBe('forbidden');
  });
});

describe('assisted service: finding the customer', () => {
  const lookup = (query: string) =>
    staff.call('POST', '/v1/customer-lookups', { body: { query }, headers: ANA });

  it('finds a customer by customer id, cédula, RUC or username, regardless of the username case', async () => {
    expect((await lookup('CUST-002')).body).toEqual({ customerId: 'CUST-002', matchedBy: 'customer-id' });
    expect((await lookup('1710034065')).body).toEqual({ customerId: 'CUST-001', matchedBy: 'cedula' });
    expect((await lookup('1791234561001')).body).toEqual({ customerId: 'CUST-003', matchedBy: 'ruc' });
    expect((await lookup('tomas.asistido')).body).toEqual({ customerId: 'CUST-001', matchedBy: 'username' });
  });

  it('says a RUC names several customers, and which value was not found', async () => {
    const shared = await lookup('1790011674001');
    expect(shared.status).toBe(409);
    expect(shared.body).toMatchObject({ code: 'customer_ambiguous', candidates: ['CUST-002', 'CUST-004'] });
    const unknown = await lookup('Nadie.Existe');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'not_found', value: 'Nadie.Existe' });
  });
});

describe('assisted service: identity check by challenge answer (phone banking)', () => {
  const check = (questionId: string, answer: string) =>
    staff.call('POST', '/v1/customers/CUST-001/verify-answer', {
      body: { questionId, answer },
      headers: ANA,
    });

  it('answers only whether it matches, three a customer a day, each try audited without the answer', async () => {
    const questions = (await status()).body.challengeQuestions.map((q: { id: string }) => q.id);
    // fillProfile answered these two, among its three.
    expect(questions).toHaveLength(3);
    expect(questions).toEqual(expect.arrayContaining(['q-first-pet', 'q-mother-birth-city']));
    const notChosen = await check('q-first-school', 'Cualquiera');
    expect(notChosen.status).toBe(422);
    expect(notChosen.body.errors[0]).toMatchObject({ field: 'questionId', code: 'question_not_chosen' });

    expect((await check('q-first-pet', '  firulais ')).body).toEqual({ match: true });
    expect((await check('q-mother-birth-city', 'Quito')).body).toEqual({ match: false });
    expect((await check('q-mother-birth-city', 'CUENCA')).body).toEqual({ match: true });
    const fourth = await check('q-first-pet', 'Firulais');
    expect(fourth.status).toBe(429);
    expect(fourth.body.reason).toBe('identity_checks');

    const seen = await status();
    const checks = seen.body.recentEvents.filter((e: { kind: string }) => e.kind === 'identity-check');
    expect(checks.map((e: { details: { match: boolean } }) => e.details.match)).toEqual([true, false, true]);
    expect(checks[0].actor).toBe('arn:aws:iam::000000000000:user/local/ana.agente');
    expect(JSON.stringify(seen.body)).not.toMatch(/firulais|quito|cuenca/i);
  });
});

describe('assisted service: changes per staff member', () => {
  it('a staff member makes at most STAFF_MAX_CHANGES_PER_HOUR (60) changes an hour, then 429', async () => {
    const headers = { 'x-local-staff': 'muchos.cambios' };
    for (let i = 0; i < 60; i++) {
      const done = await act('revoke-sessions', { reason: REASON }, headers);
      expect(done.status, `change ${i + 1}`).toBe(200);
    }
    const refused = await act('revoke-sessions', { reason: REASON }, headers);
    expect(refused.status).toBe(429);
    expect(refused.body.reason).toBe('staff_changes');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    // Counted per staff member: another one is not held back.
    expect((await act('revoke-sessions')).status).toBe(200);
  });
});

describe('npm run agent', () => {
  const agent = (args: string[], input?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', resolve('bin/agent.ts'), ...args], {
      env: { ...process.env, AGENT_API_URL: stack.agentUrl },
      encoding: 'utf8',
      input,
    });

  it('status finds the customer by cédula or username and prints a summary in Spanish; --json the JSON', () => {
    const shown = agent(['status', '--customer', '1710034065']);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Cliente CUST-001: Tomás Mateos');
    expect(shown.stdout).toContain(`Usuario: ${USERNAME}`);
    expect(shown.stdout).toMatch(/Últimos eventos \(el más reciente primero\):\n {2}- .*\(hora de Ecuador\)/);
    const json = agent(['status', '--customer', 'tomas.asistido', '--json']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout).user.username).toBe(USERNAME);
  });

  it('says which customer value was not found, and when one names several customers', () => {
    const unknown = agent(['status', '--customer', '0999999999']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No se encontró ningún cliente con «0999999999»');
    const shared = agent(['status', '--customer', '1790011674001']);
    expect(shared.status).toBe(1);
    expect(shared.stderr).toContain('corresponde a varios clientes: CUST-002, CUST-004');
  });

  it('a change says what it did; one that would change nothing says what the state is', () => {
    const done = agent([
      'revoke-sessions',
      '--customer',
      'CUST-001',
      '--reason',
      'El cliente perdió su laptop',
    ]);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^Listo: se cerraron todas las sesiones/);
    const nothing = agent(['enable', '--customer', 'CUST-001', '--reason', 'El cliente pidió habilitar']);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain('Nada que cambiar: el usuario ya está habilitado');
  });

  it('verify-answer reads the answer from standard input, never from the command line', () => {
    // The three checks of the day were used above: the CLI shows the API's refusal in words.
    const checked = agent(
      ['verify-answer', '--customer', 'CUST-001', '--question', 'q-first-pet'],
      'Firulais\n',
    );
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('verificaciones de identidad permitidas hoy');
  });

  it('refuses an unknown command with its usage', () => {
    const wrong = agent(['borrar', '--customer', 'CUST-001']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('Uso: npm run agent');
  });
});
