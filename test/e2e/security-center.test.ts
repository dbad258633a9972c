// The signed-in customer's own control over their access, over HTTP against the local stack: known devices
// (a device token per browser, an email for a new one, a password count of their own that a username lockout
// cannot touch), the sessions list with «Cerrar» and «Cerrar en los demás», a password change that keeps only
// the current session, and the recent activity (rules 56-58).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, credentials, phones, registerUser, signIn } from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;

const PASSWORD = 'Mi clave de prueba 2026!';
const NEW_PASSWORD = 'Una clave nueva del centro 2026';
const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';
const MAC_SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';

beforeAll(async () => {
  stack = await startLocalStack({
    SIGN_IN_MAX_PER_IP_PER_MINUTE: '500',
    IDENTIFY_MAX_PER_IP_PER_MINUTE: '500',
  });
  api = new Api(stack.baseUrl);
}, 60_000);
afterAll(() => stack?.stop());

const sessionOf = (result: Awaited<ReturnType<typeof signIn>>) => result.answer.body.session.token as string;

describe('known devices', () => {
  const USERNAME = 'Tomas.Dispositivos';

  it('a new browser gets a device token and the customer an email with its label and a /24; a known one neither', async () => {
    await registerUser(api, credentials.card, phones.tomas, USERNAME);
    const first = await signIn(api, USERNAME, PASSWORD, { userAgent: ANDROID_CHROME });
    expect(first.answer.status).toBe(200);
    const deviceToken = first.answer.body.deviceToken as string;
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [mail] = await api.waitForEmail('tmateos@example.com', 15_000, 'Nuevo inicio de sesión');
    expect(mail?.text).toContain('Chrome en Android');
    expect(mail?.text).toContain('127.0.0.0/24');
    expect(mail?.text).not.toContain('127.0.0.1');
    expect(mail?.text).toMatch(/#\/no-fui-yo\/[A-Za-z0-9_-]{43}/);

    const again = await signIn(api, USERNAME, PASSWORD, { userAgent: ANDROID_CHROME, deviceToken });
    expect(again.answer.status).toBe(200);
    expect(again.answer.body.deviceToken).toBeUndefined();
    // A token of another browser, or a made-up one, is a new device again.
    const stranger = await signIn(api, USERNAME, PASSWORD, { deviceToken: 'B'.repeat(43) });
    expect(stranger.answer.body.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The stranger's email comes after the known device's sign-in, which sent none: two in all.
    const deadline = Date.now() + 15_000;
    let told = await api.waitForEmail('tmateos@example.com', 15_000, 'Nuevo inicio de sesión');
    while (told.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      told = await api.waitForEmail('tmateos@example.com', 15_000, 'Nuevo inicio de sesión');
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await api.waitForEmail('tmateos@example.com', 15_000, 'Nuevo inicio de sesión')).toHaveLength(2);
  });

  it('a username locked by a stranger does not lock out the known device; the device has its own count', async () => {
    const own = await signIn(api, USERNAME, PASSWORD, { userAgent: MAC_SAFARI });
    const deviceToken = own.answer.body.deviceToken as string;
    // Anyone may lock the username with five wrong passwords, no secret needed.
    for (let i = 0; i < 5; i++) await signIn(api, USERNAME, `No es mi clave ${i} 2026`);
    expect((await signIn(api, USERNAME, PASSWORD)).answer.status).toBe(423);
    // The customer's own browser still signs in.
    const known = await signIn(api, USERNAME, PASSWORD, { deviceToken, userAgent: MAC_SAFARI });
    expect(known.answer.status).toBe(200);
    expect(known.answer.body.step).toBe('signed-in');

    // Five wrong passwords with the device token: the device token is dead, the username lock applies to it.
    for (let i = 0; i < 5; i++) {
      const wrong = await signIn(api, USERNAME, `Tampoco es ${i} 2026`, { deviceToken });
      expect(wrong.answer.status).toBe(401);
    }
    const dead = await signIn(api, USERNAME, PASSWORD, { deviceToken });
    expect(dead.answer.status).toBe(423);
  });
});

describe('sessions, password and activity', () => {
  const USERNAME = 'Ana.Seguridad';

  it('lists the live sessions with the current one marked, ends one, then every other', async () => {
    await registerUser(api, credentials.company, phones.ana, USERNAME);
    const phone = sessionOf(await signIn(api, USERNAME, PASSWORD, { userAgent: ANDROID_CHROME }));
    const laptop = sessionOf(await signIn(api, USERNAME, PASSWORD, { userAgent: MAC_SAFARI }));
    const third = sessionOf(await signIn(api, USERNAME, PASSWORD));

    const listed = await api.call('GET', '/v1/me/sessions', { token: laptop });
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(3);
    const current = listed.body.sessions.filter((s: { current: boolean }) => s.current);
    expect(current).toEqual([expect.objectContaining({ device: 'Safari en Mac', place: '127.0.0.0/24' })]);
    expect(JSON.stringify(listed.body)).not.toMatch(/token|hash/i);
    const phoneSession = listed.body.sessions.find(
      (s: { device: string }) => s.device === 'Chrome en Android',
    );

    expect((await api.call('DELETE', `/v1/me/sessions/${phoneSession.id}`, { token: laptop })).status).toBe(
      204,
    );
    expect((await api.call('GET', '/v1/me', { token: phone })).status).toBe(401);
    expect(
      (await api.call('DELETE', '/v1/me/sessions/00000000-0000-4000-8000-000000000000', { token: laptop }))
        .status,
    ).toBe(404);

    const others = await api.call('POST', '/v1/me/sessions/end-others', { token: laptop });
    expect(others.body).toEqual({ ended: 1 });
    expect((await api.call('GET', '/v1/me', { token: third })).status).toBe(401);
    expect((await api.call('GET', '/v1/me', { token: laptop })).status).toBe(200);
  });

  it('a password change needs the current password, ends every other session and open sign-in, and keeps this one', async () => {
    const here = sessionOf(await signIn(api, USERNAME, PASSWORD, { userAgent: MAC_SAFARI }));
    const elsewhere = sessionOf(await signIn(api, USERNAME, PASSWORD));
    const pending = await api.call('POST', '/v1/sign-ins', { body: { username: USERNAME } });

    const wrong = await api.call('PUT', '/v1/me/password', {
      token: here,
      body: { currentPassword: 'No es la actual 2026', password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const weak = await api.call('PUT', '/v1/me/password', {
      token: here,
      body: { currentPassword: PASSWORD, password: 'corta', confirmation: 'corta' },
    });
    expect(weak.status).toBe(422);
    expect(weak.body.errors.map((e: { field: string }) => e.field)).toContain('password');

    const changed = await api.call('PUT', '/v1/me/password', {
      token: here,
      body: { currentPassword: PASSWORD, password: NEW_PASSWORD, confirmation: NEW_PASSWORD },
      headers: { 'User-Agent': MAC_SAFARI },
    });
    expect(changed.status).toBe(204);
    expect((await api.call('GET', '/v1/me', { token: here })).status).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: elsewhere })).status).toBe(401);
    const stale = await api.call('POST', `/v1/sign-ins/${pending.body.signInId}/password`, {
      token: pending.body.token,
      body: { password: NEW_PASSWORD },
    });
    expect(stale.status).toBe(401);
    expect((await signIn(api, USERNAME, PASSWORD)).answer.status).toBe(401);
    expect((await signIn(api, USERNAME, NEW_PASSWORD)).answer.status).toBe(200);
    const [mail] = await api.waitForEmail('ana.ruiz@example.ec', 15_000, 'Cambiaste tu clave');
    expect(mail?.text).not.toContain(NEW_PASSWORD);
    expect(mail?.text).toMatch(/#\/no-fui-yo\//);

    const activity = await api.call('GET', '/v1/me/activity', { token: here });
    expect(activity.status).toBe(200);
    const kinds = activity.body.events.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).toBe('sign-in');
    expect(kinds).toContain('password-changed');
    expect(activity.body.events.find((e: { kind: string }) => e.kind === 'password-changed')).toMatchObject({
      device: 'Safari en Mac',
      place: '127.0.0.0/24',
    });
    expect(activity.body.events.length).toBeLessThanOrEqual(20);
    expect(JSON.stringify(activity.body)).not.toMatch(/actor|reason|arn:/);
  });

  it('every signed-in route refuses a missing or dead session with 401', async () => {
    for (const [method, path] of [
      ['GET', '/v1/me/sessions'],
      ['POST', '/v1/me/sessions/end-others'],
      ['GET', '/v1/me/activity'],
      ['PUT', '/v1/me/password'],
    ] as const) {
      const body = method === 'GET' ? undefined : {};
      expect((await api.call(method, path, { token: 'x'.repeat(43), body })).status).toBe(401);
    }
  });
});
