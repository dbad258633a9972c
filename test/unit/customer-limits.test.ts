// Limits per customer and per registration added after the audit (SECURITY.md rules 40, 41): username tries,
// wrong SMS codes across registrations, one open registration per customer.
import { describe, expect, it } from 'vitest';
import { cardOf, createWorld, refusal, tomas, Wizard } from '../support/fakes.ts';

describe('USERNAME_MAX_TRIES (rule 41)', () => {
  it('the call after USERNAME_MAX_TRIES answers 429 username_tries, whatever the earlier answers were', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    const max = world.rules.usernameMaxTries;
    for (let i = 0; i < max - 1; i++) await refusal(wizard.username(`x${i}`));

    // Act
    const last = await wizard.username('TomasMateos2026');
    const refused = await refusal(wizard.username('OtroNombre2026'));

    // Assess
    expect(last.step).toBe('create-password');
    expect(refused.code).toBe('rate_limited');
    expect(refused.extras.reason).toBe('username_tries');
    expect(refused.extras.retryAfterSeconds).toBeGreaterThan(0);
    expect(wizard.stored().username).toBe('TomasMateos2026');
  });

  it('the tries are per registration: another registration starts with all of them', async () => {
    // Prepare
    const world = createWorld();
    const first = new Wizard(world);
    await first.toUsername();
    for (let i = 0; i < world.rules.usernameMaxTries; i++) await refusal(first.username(`x${i}`));

    // Act
    const second = new Wizard(world);
    await second.toUsername();
    const result = await second.username('TomasMateos2026');

    // Assess
    expect(result.step).toBe('create-password');
  });
});

describe('OTP_MAX_FAILURES_PER_CUSTOMER (rule 40)', () => {
  /** One registration of the customer that spends its code's tries on wrong codes (at most `tries`). */
  async function wrongCodes(
    world: ReturnType<typeof createWorld>,
    credential: Record<string, unknown>,
    tries: number,
  ) {
    const wizard = new Wizard(world, credential);
    await wizard.start();
    await wizard.sendOtp();
    const answers = [];
    for (let i = 0; i < tries; i++)
      answers.push(await refusal(wizard.verify(wizard.lastCode() === '000000' ? '111111' : '000000')));
    return { wizard, answers };
  }

  it('the wrong code that reaches the bound across registrations locks every credential: 423 even for the right PIN', async () => {
    // Prepare: 9 wrong codes over three registrations (3 + 3 + 3), each started with another credential.
    const world = createWorld({ ints: Array.from({ length: 20 }, (_, i) => 100_000 + i) });
    const max = world.rules.otpMaxFailuresPerCustomer;
    for (const credential of [cardOf(tomas), tomas.credentials[1], tomas.credentials[2]]) {
      world.clock.advanceSeconds(60);
      await wrongCodes(world, { ...credential }, 3);
    }

    // Act: the tenth wrong code, in a fourth registration.
    world.clock.advanceSeconds(60);
    const { wizard, answers } = await wrongCodes(world, { ...cardOf(tomas) }, 1);
    const steps = await Promise.all(
      [cardOf(tomas), tomas.credentials[1], tomas.credentials[2]].map((c) =>
        refusal(new Wizard(world, { ...c }).start()),
      ),
    );

    // Assess
    expect(max).toBe(10);
    expect(answers[0]?.code).toBe('credential_locked');
    expect(wizard.stored().status).toBe('cancelled');
    expect(steps.map((e) => e.code)).toEqual(['credential_locked', 'credential_locked', 'credential_locked']);
    expect(world.events.of('credential_locked')).toEqual(
      expect.arrayContaining([expect.objectContaining({ phase: 'otp_failures', credentials: 3 })]),
    );
  });

  it('wrong codes older than PIN_LOCK_SECONDS no longer count (a sliding window)', async () => {
    // Prepare
    const world = createWorld({ ints: Array.from({ length: 20 }, (_, i) => 200_000 + i) });
    for (let i = 0; i < 3; i++) {
      world.clock.advanceSeconds(60);
      await wrongCodes(world, { ...cardOf(tomas) }, 3);
    }
    world.clock.advanceSeconds(world.rules.pin.lockSeconds);

    // Act
    const { answers } = await wrongCodes(world, { ...cardOf(tomas) }, 1);

    // Assess
    expect(answers[0]?.code).toBe('otp_invalid');
  });

  it('second audit, finding 4: the credential locks are one transaction; when it fails nothing is locked, the registration is closed, and the next code is refused before any comparison', async () => {
    // Prepare: 9 wrong codes over three registrations.
    const world = createWorld({ ints: Array.from({ length: 20 }, (_, i) => 300_000 + i) });
    for (const credential of [cardOf(tomas), tomas.credentials[1], tomas.credentials[2]]) {
      world.clock.advanceSeconds(60);
      await wrongCodes(world, { ...credential }, 3);
    }
    world.clock.advanceSeconds(60);
    const wizard = new Wizard(world, { ...cardOf(tomas) });
    await wizard.start();
    await wizard.sendOtp();
    world.faults.failNext('limits.pinLockAll');

    // Act: the tenth wrong code, whose lock write fails; then the right code of a new registration.
    const failed = await wizard.verify('000000').catch((error: unknown) => error);
    const next = new Wizard(world, { ...tomas.credentials[1] });
    await next.start();
    await next.sendOtp();
    const attemptsBefore = world.codes.records.get(next.stored().registrationId)?.attempts;
    const refused = await refusal(next.verify(next.lastCode()));

    // Assess
    expect((failed as Error).name).toBe('DependencyError');
    expect(wizard.stored().status).toBe('cancelled');
    expect([...world.limits.pins.values()].filter((p) => p.lockedUntil !== undefined)).toEqual([]);
    expect(refused.code).toBe('credential_locked');
    expect(refused.extras.retryAfterSeconds).toBeGreaterThan(0);
    expect(world.codes.records.get(next.stored().registrationId)?.attempts).toBe(attemptsBefore);
  });
});
