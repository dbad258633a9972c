// The registration session (SECURITY.md rules 22 to 25): order of steps, repeats, parallel calls, timeouts,
// dead registrations, token rotation, and one user per customer.
import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../../lambdas/adapters/primitives.ts';
import { getRegistration } from '../../lambdas/registration/finish.ts';
import {
  chooseSecurityImage,
  listChallengeQuestions,
  listSecurityImages,
} from '../../lambdas/registration/profile-steps.ts';
import { startRegistration } from '../../lambdas/registration/start-registration.ts';
import { cardOf, createWorld, refusal, tomas, Wizard } from '../support/fakes.ts';

describe('steps only in order (rule 22)', () => {
  it('rule 22: a step after the current one is step_out_of_order with currentStep, and is logged', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    const error = await refusal(wizard.username('tomas.mateos'));

    // Assess
    expect(error.code).toBe('step_out_of_order');
    expect(error.extras.currentStep).toBe('verify-contact');
    expect(world.events.of('step_refused')).toEqual([
      expect.objectContaining({ requested: 'choose-username', currentStep: 'verify-contact' }),
    ]);
    expect(wizard.stored().username).toBeUndefined();
  });

  it('rule 22: skipping ahead from the username step to the image step is refused', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    await wizard.username('tomas.mateos');

    // Act
    const error = await refusal(wizard.image());
    const complete = await refusal(wizard.complete());

    // Assess
    expect(error.extras.currentStep).toBe('create-password');
    expect(complete.extras.currentStep).toBe('create-password');
    expect(world.users.customerLinks.size).toBe(0);
  });

  it('rule 22: the catalogue of a step not open yet cannot be read', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();

    // Act
    const questions = await refusal(listChallengeQuestions(world.deps.session, wizard.input));
    await wizard.username('tomas.mateos');
    await wizard.password('Un paseo por el Cotopaxi 2026');
    const images = await listSecurityImages(world.deps.session, wizard.input);

    // Assess
    expect(questions.code).toBe('step_out_of_order');
    expect(images.images.length).toBeGreaterThanOrEqual(9);
  });

  it('rule 22: a repeat of an earlier step replaces its answer and keeps the current step', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    await wizard.username('tomas.mateos');
    await wizard.password('Un paseo por el Cotopaxi 2026');
    await wizard.image('colibri');
    await wizard.contact();

    // Act
    const result = await wizard.image('volcan');

    // Assess
    expect(result.step).toBe('challenge-questions');
    expect(wizard.stored()).toMatchObject({ step: 'challenge-questions', imageId: 'volcan' });
  });

  it('rule 22: the OTP check cannot be repeated once passed', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();

    // Act
    const verifyAgain = await refusal(wizard.verify('000000'));

    // Assess
    expect(verifyAgain.code).toBe('step_out_of_order');
    expect(verifyAgain.extras.currentStep).toBe('choose-username');
  });

  it('rule 22: two parallel calls of one step give one success, the other learns the current step', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    await wizard.username('tomas.mateos');
    await wizard.password('Un paseo por el Cotopaxi 2026');
    const version = wizard.stored().version;

    // Act
    const outcomes = await Promise.allSettled([
      chooseSecurityImage(world.deps.session, wizard.with({ imageId: 'sol' })),
      chooseSecurityImage(world.deps.session, wizard.with({ imageId: 'llama' })),
    ]);

    // Assess
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
    expect(fulfilled).toHaveLength(1);
    expect(rejected[0]?.reason).toMatchObject({
      code: 'step_out_of_order',
      extras: { currentStep: 'update-contact' },
    });
    expect(wizard.stored().version).toBe(version + 1);
    expect(world.events.of('step_completed').filter((e) => e.step === 'choose-image')).toHaveLength(1);
  });
  // Rule 22 on the real store: test/integration/registration-store.test.ts ("refuses a stale one").
});

describe('what a path id may be', () => {
  it('an id that is no UUID is session_invalid without any look-up, however long', async () => {
    // Prepare: a storage failure would show as a DependencyError, not session_invalid
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    world.faults.failNext('registrations.get', 10);

    // Act
    const errors = await Promise.all(
      ['a'.repeat(2049), '../registrations', `${'0'.repeat(8)}-0000-0000-0000-00000000000`].map(
        (registrationId) =>
          refusal(getRegistration(world.deps.session, { registrationId, token: 'A'.repeat(43) })),
      ),
    );

    // Assess
    expect(errors.map((e) => e.code)).toEqual(['session_invalid', 'session_invalid', 'session_invalid']);
  });
});

describe('timeouts (rule 23)', () => {
  it('rule 23: after SESSION_IDLE_SECONDS without a call the registration is session_invalid', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    world.clock.advanceSeconds(world.rules.session.idleSeconds - 1);
    await wizard.get();

    // Act
    world.clock.advanceSeconds(world.rules.session.idleSeconds);
    const error = await refusal(wizard.get());

    // Assess
    expect(error.code).toBe('session_invalid');
  });

  it('rule 23: one second before the idle timeout the session is alive', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    world.clock.advanceSeconds(world.rules.session.idleSeconds - 1);
    const result = await wizard.sendOtp();

    // Assess
    expect(result.step).toBe('enter-otp');
  });

  it('rule 23: after SESSION_MAX_SECONDS the registration is dead even while active', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    for (let elapsed = 0; elapsed < world.rules.session.maxSeconds - 200; elapsed += 200) {
      world.clock.advanceSeconds(200);
      await wizard.get();
    }
    world.clock.set(
      new Date(wizard.stored().createdAt + world.rules.session.maxSeconds * 1000 - 1000).toISOString(),
    );
    await wizard.get();

    // Act
    world.clock.advanceSeconds(1);
    const error = await refusal(wizard.username('tomas.mateos'));

    // Assess
    expect(error.code).toBe('session_invalid');
  });

  it('rule 23: getRegistration reports the earlier of the idle and the absolute expiry', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    world.clock.advanceSeconds(100);
    const early = await wizard.get();
    for (const seconds of [250, 250, 250]) {
      world.clock.advanceSeconds(seconds);
      await wizard.get();
    }
    world.clock.advanceSeconds(150);
    const late = await wizard.get();

    // Assess
    expect(early.expiresAt).toBe('2026-06-15T10:06:40.000Z');
    expect(late.expiresAt).toBe('2026-06-15T10:20:00.000Z');
  });

  it('rule 23: a completed registration is dead for every call but a repeated complete', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish();
    await wizard.complete();

    // Act
    const errors = await Promise.all(
      [wizard.get(), wizard.image(), wizard.cancel()].map((call) => refusal(call)),
    );

    // Assess
    expect(errors.map((e) => e.code)).toEqual(['session_invalid', 'session_invalid', 'session_invalid']);
  });

  it('complete is idempotent: a repeat answers the same body for SESSION_IDLE_SECONDS, creating nothing', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish();
    const first = await wizard.complete();
    const history = world.registrations.history.length;

    // Act
    world.clock.advanceSeconds(world.rules.session.idleSeconds - 1);
    const repeated = await wizard.complete();
    world.clock.advanceSeconds(1);
    const late = await refusal(wizard.complete());

    // Assess
    expect(repeated).toEqual(first);
    expect(late.code).toBe('session_invalid');
    expect(world.users.users.size).toBe(1);
    expect(world.registrations.outbox.size).toBe(1);
    expect(world.registrations.history.length).toBe(history);
    expect(world.events.of('registration_completed')).toHaveLength(1);
  });

  it('complete is idempotent under parallel calls: every one answers 201, one user, one message', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish();

    // Act
    const answers = await Promise.all([wizard.complete(), wizard.complete(), wizard.complete()]);

    // Assess
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(world.users.users.size).toBe(1);
    expect(world.registrations.outbox.size).toBe(1);
  });

  it('rule 23: a cancelled registration is dead', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.cancel();

    // Act
    const error = await refusal(wizard.sendOtp());

    // Assess
    expect(error.code).toBe('session_invalid');
    expect(wizard.stored().status).toBe('cancelled');
    expect(world.events.of('registration_cancelled')).toHaveLength(1);
  });
});

describe('tokens (rule 24)', () => {
  it('rule 24: the OTP check issues a new token and the step-1 token stops working at once', async () => {
    // Prepare
    const world = createWorld({ ints: [123123] });
    const wizard = new Wizard(world);
    const first = await wizard.start();
    await wizard.sendOtp();

    // Act
    const verified = await wizard.verify('123123');
    const withOld = await refusal(
      getRegistration(world.deps.session, { registrationId: wizard.registrationId, token: first.token }),
    );
    const withNew = await wizard.get();

    // Assess
    expect(verified.token).not.toBe(first.token);
    expect(withOld.code).toBe('session_invalid');
    expect(withNew.step).toBe('choose-username');
  });

  it('rule 24: step 1 issues a fresh 256-bit token from the CSPRNG for every registration', async () => {
    // Prepare: the production random source, not the scripted one.
    const world = createWorld();
    const deps = { ...world.deps.start, random: cryptoRandom };

    // Act
    const tokens = [];
    for (let i = 0; i < 20; i++) {
      world.clock.advanceSeconds(7);
      tokens.push(
        (
          await startRegistration(deps, {
            readBody: () => ({ ...cardOf(tomas) }),
            sourceIp: `198.51.100.${i}`,
          })
        ).token,
      );
    }

    // Assess: distinct, 32 bytes each, and only their hashes stored.
    expect(new Set(tokens).size).toBe(20);
    for (const token of tokens) expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const stored = JSON.stringify(world.registrations.history);
    for (const token of tokens) expect(stored).not.toContain(token);
  });

  it('rule 24: a token of another registration, a missing token or a wrong one are session_invalid', async () => {
    // Prepare
    const world = createWorld();
    const one = new Wizard(world);
    const two = new Wizard(world, { ...tomas.credentials[1] });
    await one.start();
    await two.start();

    // Act
    const crossed = await refusal(
      getRegistration(world.deps.session, { registrationId: one.registrationId, token: two.token }),
    );
    const missing = await refusal(
      getRegistration(world.deps.session, { registrationId: one.registrationId, token: undefined }),
    );
    const unknown = await refusal(
      getRegistration(world.deps.session, { registrationId: 'nope', token: one.token }),
    );

    // Assess
    expect([crossed.code, missing.code, unknown.code]).toEqual([
      'session_invalid',
      'session_invalid',
      'session_invalid',
    ]);
  });
});

describe('complete: one user per customer (rule 25)', () => {
  it('rule 25: complete creates the user, the permanent username, the link and the outbox message', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish('Tomas.Mateos');

    // Act
    const result = await wizard.complete();

    // Assess
    expect(result).toEqual({
      step: 'completed',
      username: 'Tomas.Mateos',
      secondFactor: 'pending-activation',
    });
    expect(world.users.usernames.get('tomas.mateos')).toMatchObject({ kind: 'user' });
    expect(world.users.customerLinks.get(tomas.customerId)).toBeDefined();
    const [user] = [...world.users.users.values()];
    expect(user).toMatchObject({
      username: 'Tomas.Mateos',
      customerId: tomas.customerId,
      imageId: 'colibri',
    });
    expect([...world.registrations.outbox.values()]).toEqual([
      expect.objectContaining({
        username: 'Tomas.Mateos',
        customerId: tomas.customerId,
        secondFactor: 'pending-activation',
      }),
    ]);
  });

  it('rule 41: a second step 1 of the same customer closes the first: its token is dead, its username free', async () => {
    // Prepare
    const world = createWorld();
    const first = new Wizard(world);
    await first.toFinish('tomas.uno');

    // Act
    const second = new Wizard(world, { ...tomas.credentials[1] });
    await second.toUsername();
    const again = await second.username('tomas.uno');
    const dead = await refusal(first.complete());

    // Assess
    expect(again.step).toBe('create-password');
    expect(dead.code).toBe('session_invalid');
    expect(first.stored().status).toBe('cancelled');
    expect(world.users.users.size).toBe(0);
    expect(world.events.of('registration_cancelled')).toEqual([
      expect.objectContaining({ registrationId: first.registrationId, reason: 'superseded' }),
    ]);
  });

  it('rule 41: parallel step 1s of one customer leave exactly one registration open', async () => {
    // Prepare
    const world = createWorld();
    const wizards = [new Wizard(world), new Wizard(world, { ...tomas.credentials[1] }), new Wizard(world)];

    // Act
    await Promise.all(wizards.map((w) => w.start()));

    // Assess
    const open = [...world.registrations.registrations.values()].filter((r) => r.status === 'open');
    expect(open).toHaveLength(1);
    expect(world.registrations.pointers.get(tomas.customerId)).toBe(open[0]?.registrationId);
  });

  it('rule 25: after completion, step 1 for that customer is already_registered', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish();
    await wizard.complete();

    // Act
    const error = await refusal(new Wizard(world, { ...tomas.credentials[2] }).start());

    // Assess
    expect(error.code).toBe('already_registered');
  });
});
