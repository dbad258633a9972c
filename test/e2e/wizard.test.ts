// The eleven steps over HTTP against the running local stack, for each kind of credential: the code comes
// from the local SMS outbox and the completion email from the SES emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, credentials, phones } from '../support/api-client.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;

beforeAll(async () => {
  stack = await startLocalStack();
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

const cases = [
  {
    kind: 'card',
    credential: credentials.card,
    phone: phones.tomas,
    email: 'tmateos@example.com',
    username: 'tomas.mateos',
  },
  {
    kind: 'company',
    credential: credentials.company,
    phone: phones.ana,
    email: 'ana.ruiz@example.ec',
    username: 'AnaRuiz_2026',
  },
  {
    kind: 'virtual key',
    credential: credentials.otherKey,
    phone: phones.lucia,
    email: 'lu@example.ec',
    username: 'lucia-p',
  },
];

describe.each(cases)('the whole wizard with a $kind', ({ credential, phone, email, username }) => {
  it('turns the credential into an online user and sends the completion email', async () => {
    // 1. Identify
    const started = await api.call('POST', '/v1/registrations', { body: credential });
    expect(started.status).toBe(201);
    expect(started.headers.get('cache-control')).toBe('no-store');
    expect(started.headers.get('x-request-id')).toBeTruthy();
    expect(started.body).toMatchObject({
      step: 'verify-contact',
      contact: { phone: expect.stringMatching(/^x+\d{3}$/) },
    });
    expect(started.body.contact.phone.slice(-3)).toBe(phone.slice(-3));
    expect(started.body.contact.email).toMatch(/\*\*\*\*/);
    expect(Date.parse(started.body.expiresAt)).toBeGreaterThan(Date.now());
    const id = started.body.registrationId;
    const firstToken = started.body.token;

    // 2. Ask for a code: it goes to the phone on file
    const sent = await api.call('POST', `/v1/registrations/${id}/otp`, { token: firstToken });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ step: 'enter-otp', sendsLeft: 2 });
    expect(Date.parse(sent.body.resendAvailableAt)).toBeGreaterThan(Date.now());
    const code = await api.lastCode(phone);

    // 3. Verify: the token rotates, the first stops working at once
    const verified = await api.call('POST', `/v1/registrations/${id}/otp/verify`, {
      token: firstToken,
      body: { code },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.step).toBe('choose-username');
    const token = verified.body.token;
    expect(token).not.toBe(firstToken);
    expect((await api.call('GET', `/v1/registrations/${id}`, { token: firstToken })).body.code).toBe(
      'session_invalid',
    );

    // 4-5. Username and password
    const base = `/v1/registrations/${id}`;
    expect(
      (await api.call('PUT', `${base}/username`, { token, body: { username, confirmation: username } })).body,
    ).toEqual({
      step: 'create-password',
    });
    const password = 'Una clave larga y mía 2026';
    expect(
      (await api.call('PUT', `${base}/password`, { token, body: { password, confirmation: password } })).body,
    ).toEqual({ step: 'choose-image' });

    // 6. Security image
    const images = await api.call('GET', `${base}/security-images`, { token });
    expect(images.status).toBe(200);
    expect(images.body.images.length).toBeGreaterThanOrEqual(9);
    const imageId = images.body.images[3].id;
    expect((await api.call('PUT', `${base}/security-image`, { token, body: { imageId } })).body).toEqual({
      step: 'update-contact',
    });

    // 7. Contact phones
    expect(
      (
        await api.call('PUT', `${base}/contact`, {
          token,
          body: { homePhone: '022345678', workPhone: '0991112233' },
        })
      ).body,
    ).toEqual({ step: 'challenge-questions' });

    // 8. Challenge questions and terms
    const questions = await api.call('GET', `${base}/challenge-questions`, { token });
    expect(questions.body.questions.length).toBeGreaterThanOrEqual(6);
    expect(questions.body.required).toBe(3);
    const answers = questions.body.questions.slice(0, 3).map((q: { id: string }, i: number) => ({
      questionId: q.id,
      answer: ['Tomás', 'Pérez', 'Gómez'][i],
    }));
    expect(
      (
        await api.call('PUT', `${base}/challenge-answers`, {
          token,
          body: { answers, acceptTerms: true, termsVersion: questions.body.terms.version },
        })
      ).body,
    ).toEqual({ step: 'second-factor' });

    // 9-10. Smartphone and digital token
    expect(
      (
        await api.call('PUT', `${base}/second-factor`, {
          token,
          body: { hasSmartDevice: true, choice: 'digital-token' },
        })
      ).body,
    ).toEqual({ step: 'finish' });
    expect((await api.call('GET', base, { token })).body.step).toBe('finish');

    // 11. Complete
    const completed = await api.call('POST', `${base}/complete`, { token });
    expect(completed.status).toBe(201);
    expect(completed.body).toEqual({ step: 'completed', username, secondFactor: 'pending-activation' });

    // The token is dead now, and the customer already has a user
    expect((await api.call('GET', base, { token })).status).toBe(401);
    expect((await api.call('POST', '/v1/registrations', { body: credential })).body.code).toBe(
      'already_registered',
    );

    // The completion email names the username and tells how to activate the token; no secret in it
    const [mail] = await api.waitForEmail(email);
    expect(mail?.subject).toMatch(/usuario/i);
    expect(mail?.text).toContain(username);
    expect(mail?.text).toContain('Segundo Factor de Seguridad / Activación');
    for (const secret of [password, code, credential.pin, 'Pérez', JSON.stringify(credential)]) {
      expect(`${mail?.text}${mail?.html}`).not.toContain(secret);
    }
  });
});

describe('health and local contract', () => {
  it('answers health, serves the OpenAPI document and the outboxes', async () => {
    const health = await api.call('GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    expect(health.headers.get('cache-control')).toBe('no-store');
    expect((await api.call('GET', '/v1/openapi.json')).body.openapi).toBe('3.1.0');
    expect(Array.isArray(await api.sms())).toBe(true);
  });
});
