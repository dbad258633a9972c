// Data, logs and notifications (SECURITY.md rules 26 to 29): no secret in events, stores or responses,
// masked contacts, every security event kind, the completion email, and failing closed.
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../lambdas/ports/system.ts';
import { completionEmail, sendCompletionEmail } from '../../lambdas/registration/completion-email.ts';
import { createWorld, type FakeCustomer, refusal, tomas, Wizard, type World } from '../support/fakes.ts';

const sentinel: FakeCustomer = {
  customerId: 'CUST-SENTINEL',
  cedula: '1713175071',
  identityNumbers: ['1713175071'],
  phone: '+593998877665',
  email: 'sentinel.person@example.ec',
  registered: false,
  credentials: [
    { type: 'card', cardNumber: '4000056655665556', expiryMonth: 12, expiryYear: 2030, pin: '8642' },
  ],
};

const secrets = {
  cardNumber: '4000056655665556',
  pin: '8642',
  code: '314159',
  password: 'Sentinel Volcan Chimborazo 9',
  answers: ['Zorroplateado', 'Escuelaquimera', 'Ciudadolvido'],
};

const answers = [
  { questionId: 'q-first-pet', answer: secrets.answers[0] as string },
  { questionId: 'q-first-school', answer: secrets.answers[1] as string },
  { questionId: 'q-mother-birth-city', answer: secrets.answers[2] as string },
];

/** Event values, without the ids (random hex could hold any short digit run by chance). */
const eventValues = (events: SecurityEvent[]): string =>
  JSON.stringify(events.map(({ registrationId: _r, messageId: _m, ...rest }) => rest));

/** A whole registration with a wrong PIN, a wrong code and a refused step on the way. */
async function fullRun(world: World) {
  world.directory.add(sentinel);
  world.random.queue(314159);
  const card = sentinel.credentials[0] as Record<string, unknown>;
  const wizard = new Wizard(world, card);
  const responses: unknown[] = [];
  const tokens: string[] = [];
  await refusal(new Wizard(world, { ...card, pin: '8641' }).start());
  responses.push(await wizard.start());
  tokens.push(wizard.token);
  await refusal(wizard.username('sentinel.user'));
  responses.push(await wizard.sendOtp());
  await refusal(wizard.verify('000001'));
  responses.push(await wizard.verify(secrets.code));
  tokens.push(wizard.token);
  responses.push(await wizard.username('sentinel.user'));
  responses.push(await wizard.password(secrets.password));
  responses.push(await wizard.image());
  responses.push(await wizard.contact());
  responses.push(await wizard.answers(answers));
  responses.push(await wizard.secondFactor(true, 'digital-token'));
  responses.push(await wizard.get());
  responses.push(await wizard.complete());
  return { wizard, responses, tokens };
}

describe('secrets never logged, stored or echoed (rule 26)', () => {
  it('rule 26: the event log never receives the PIN, card number, code, password, answers or tokens', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const { tokens } = await fullRun(world);

    // Assess
    const logged = eventValues(world.events.events);
    expect(world.events.events.length).toBeGreaterThan(10);
    for (const secret of [secrets.cardNumber, secrets.pin, secrets.code, secrets.password, ...tokens]) {
      expect(logged).not.toContain(secret);
    }
    for (const answer of secrets.answers) expect(logged.toLowerCase()).not.toContain(answer.toLowerCase());
    expect(logged).not.toContain(secrets.cardNumber.slice(0, 12));
  });

  it('rule 26: phones and emails appear in events only masked', async () => {
    // Prepare
    const world = createWorld();

    // Act
    await fullRun(world);
    await sendCompletionEmail(world.deps.email, [...world.registrations.outbox.values()][0] as never);

    // Assess
    const logged = JSON.stringify(world.events.events);
    expect(logged).not.toContain('998877665');
    expect(logged).not.toContain('sentinel.person');
    expect(world.events.of('otp_sent')[0]?.phone).toBe('xxxxxxx665');
    expect(world.events.of('email_sent')[0]?.to).toBe('se****on@example.ec');
  });

  it('rule 26: no response holds the PIN, card number, code, password, answers or the unmasked phone', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const { responses } = await fullRun(world);

    // Assess
    const shown = JSON.stringify(responses);
    for (const secret of [
      secrets.cardNumber,
      secrets.pin,
      secrets.code,
      secrets.password,
      ...secrets.answers,
    ]) {
      expect(shown).not.toContain(secret);
    }
    expect(shown).not.toContain('998877665');
    expect(shown).not.toContain('sentinel.person');
  });

  it('rule 26: no store holds the PIN, card number, code, password, answers or tokens in clear', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const { tokens } = await fullRun(world);

    // Assess
    const stored = JSON.stringify([
      world.registrations.history,
      [...world.registrations.outbox.values()],
      world.codes.history,
      [...world.users.users.values()],
      [...world.users.usernames.entries()],
      [...world.limits.hits.keys()],
      [...world.limits.pins.keys()],
    ]);
    for (const secret of [secrets.cardNumber, secrets.password, ...tokens, ...secrets.answers]) {
      expect(stored).not.toContain(secret);
    }
    for (const answer of secrets.answers) expect(stored).not.toContain(answer.toLowerCase());
    expect(JSON.stringify(world.codes.history)).not.toContain(secrets.code);
    expect(JSON.stringify([...world.limits.pins.keys()])).not.toContain(secrets.pin);
  });
});

describe('every security event is recorded (rule 27)', () => {
  it('rule 27: credential_failure, credential_locked, otp_sent, otp_failure, step_refused and registration_completed', async () => {
    // Prepare
    const world = createWorld();
    const card = { ...(tomas.credentials[1] as Record<string, unknown>) };
    for (let i = 0; i < world.rules.pin.maxAttempts; i++)
      await refusal(new Wizard(world, { ...card, pin: '0000' }).start());

    // Act
    await fullRun(world);

    // Assess
    const kinds = new Set(world.events.kinds());
    for (const kind of [
      'credential_failure',
      'credential_locked',
      'otp_sent',
      'otp_failure',
      'step_refused',
      'registration_completed',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('rule 27: each event names its kind and the registration it belongs to, where there is one', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const { wizard } = await fullRun(world);

    // Assess
    const ofRegistration = world.events.events.filter((e) =>
      ['otp_sent', 'otp_failure', 'step_refused', 'step_completed', 'registration_completed'].includes(
        e.event,
      ),
    );
    expect(ofRegistration.every((e) => e.registrationId === wizard.registrationId)).toBe(true);
    expect(world.events.of('registration_completed')).toEqual([
      {
        event: 'registration_completed',
        registrationId: wizard.registrationId,
        secondFactor: 'pending-activation',
      },
    ]);
  });
});

describe('the completion email (rule 28)', () => {
  it('rule 28: it names the username and tells how to activate the digital token', () => {
    // Act
    const email = completionEmail('tmateos@gmail.com', {
      username: 'Tomas.Mateos',
      secondFactor: 'pending-activation',
    });

    // Assess
    expect(email.to).toBe('tmateos@gmail.com');
    expect(email.text).toContain('Tu nombre de usuario es: Tomas.Mateos');
    expect(email.text).toMatch(/Token digital/);
    expect(email.text).toMatch(/descarga una aplicación de autenticación/);
    expect(email.text).toContain('Segundo Factor de Seguridad / Activación');
    expect(email.html).toContain('Tomas.Mateos');
  });

  it('rule 28: the "later" choice says where to ask for the second factor', () => {
    const email = completionEmail('a@b.ec', { username: 'tomas1', secondFactor: 'later' });
    expect(email.text).toContain('más tarde');
    expect(email.text).toContain('Activación');
  });

  it('rule 28: the email of a full run holds no password, code, card number or answer, and goes to the email on file', async () => {
    // Prepare
    const world = createWorld();
    await fullRun(world);
    const [message] = [...world.registrations.outbox.values()];

    // Act
    await sendCompletionEmail(world.deps.email, message as NonNullable<typeof message>);

    // Assess
    const [email] = world.email.sent;
    const text = JSON.stringify(email);
    expect(email?.to).toBe(sentinel.email);
    expect(email?.text).toContain('sentinel.user');
    for (const secret of [
      secrets.cardNumber,
      secrets.pin,
      secrets.code,
      secrets.password,
      ...secrets.answers,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('4000');
  });

  it('rule 28: the html escapes what it prints', () => {
    const email = completionEmail('a@b.ec', { username: '<b>x</b>', secondFactor: 'later' });
    expect(email.html).not.toContain('<b>x</b>');
  });

  it('rule 29: a failed email is recorded with the masked address and rethrown for a retry', async () => {
    // Prepare
    const world = createWorld();
    world.faults.failNext('email.send');
    const message = {
      messageId: 'm-1',
      customerId: tomas.customerId,
      username: 'tomas1',
      secondFactor: 'later',
      createdAt: 0,
    } as const;

    // Act
    const outcome = sendCompletionEmail(world.deps.email, message);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(world.events.of('email_failed')).toEqual([
      { event: 'email_failed', messageId: 'm-1', to: 'tm****os@gmail.com' },
    ]);
  });
});

describe('failing closed (rule 29)', () => {
  it('rule 29: a store failure while reserving the username surfaces and writes nothing; the step can be retried', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    const before = wizard.stored();
    world.faults.failNext('registrations.saveWithUsername');

    // Act
    const outcome = wizard.username('tomas.mateos');

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(wizard.stored()).toEqual(before);
    expect(world.users.usernames.size).toBe(0);
    expect((await wizard.username('tomas.mateos')).step).toBe('create-password');
  });

  it('rule 29: a store failure at complete writes no user, no link, no email; the step can be retried', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish();
    world.faults.failNext('registrations.complete');

    // Act
    const outcome = wizard.complete();

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(world.users.users.size).toBe(0);
    expect(world.users.customerLinks.size).toBe(0);
    expect(world.registrations.outbox.size).toBe(0);
    expect(wizard.stored()).toMatchObject({ step: 'finish', status: 'open' });
    expect(world.events.of('registration_completed')).toHaveLength(0);
    expect((await wizard.complete()).step).toBe('completed');
  });

  it('rule 29: a store failure when moving to enter-otp undoes the code and the phone count, and sends no SMS', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    world.faults.failNext('registrations.save');

    // Act
    const outcome = wizard.sendOtp();

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(world.codes.records.size).toBe(0);
    expect(world.limits.counted('sms#')).toBe(0);
    expect(world.sms.sent).toHaveLength(0);
    expect((await wizard.sendOtp()).sendsLeft).toBe(2);
  });

  it('rule 29: a storage failure during a step surfaces and changes nothing', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    await wizard.username('tomas.mateos');
    const before = wizard.stored();
    world.faults.failNext('registrations.save');

    // Act
    const outcome = wizard.password('Un paseo por el Cotopaxi 2026');

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(wizard.stored()).toEqual(before);
  });

  it('rule 29: a lost username reservation at complete is username_taken and nothing is written', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish('tomas.mateos');
    world.users.usernames.delete('tomas.mateos');

    // Act
    const error = await refusal(wizard.complete());

    // Assess
    expect(error.code).toBe('username_taken');
    expect(world.users.users.size).toBe(0);
    expect(world.users.customerLinks.size).toBe(0);
    expect(wizard.stored().status).toBe('open');
  });

  it('rule 29: a store failure at cancel keeps the reservation and the registration', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    await wizard.username('tomas.mateos');
    world.faults.failNext('registrations.cancel');

    // Act
    const outcome = wizard.cancel();

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(wizard.stored().status).toBe('open');
    expect(world.users.usernames.get('tomas.mateos')).toMatchObject({ kind: 'reservation' });
  });
});
