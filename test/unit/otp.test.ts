// The SMS one-time code (SECURITY.md rules 9 to 16): format, lifetime, single use, binding, storage,
// attempts, resend limits, destination and the SMS text.
import { describe, expect, it } from 'vitest';
import { hmacKeyed } from '../../lambdas/adapters/primitives.ts';
import { activationMessage } from '../../lambdas/digital-token/activation.ts';
import { recoveryOtpMessage } from '../../lambdas/recovery/code.ts';
import { otpMessage, sendOtp } from '../../lambdas/registration/send-otp.ts';
import { verifyOtp } from '../../lambdas/registration/verify-otp.ts';
import { codeDigest, newCode } from '../../lambdas/rules/sms-code.ts';
import { ana, cardOf, createWorld, refusal, tomas, Wizard } from '../support/fakes.ts';

/** The GSM 03.38 basic character set (without the escape to the extension table, which costs two). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** One GSM-7 segment: at most 160 characters, each of the basic set. */
const fitsOneGsm7Segment = (text: string): boolean =>
  [...text].length <= 160 && [...text].every((c) => GSM7_BASIC.includes(c));

describe('the code (rule 9)', () => {
  it('rule 9: six digits with leading zeros kept: a random 42 is 000042', () => {
    // Prepare
    const world = createWorld({ ints: [42] });

    // Act
    const code = newCode(world.random);

    // Assess
    expect(code).toBe('000042');
    expect(world.random.intCalls).toEqual([1_000_000]);
  });

  it('rule 9: the code sent by SMS is the random source scripted value, zero-padded', async () => {
    // Prepare
    const world = createWorld({ ints: [7] });
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    await wizard.sendOtp();

    // Assess
    expect(world.sms.sent[0]?.message).toContain(' 000007.');
    expect(wizard.lastCode()).toBe('000007');
  });

  it('rule 9: the largest code 999999 keeps six digits', () => {
    expect(newCode(createWorld({ ints: [999_999] }).random)).toBe('999999');
  });
});

describe('lifetime (rule 10)', () => {
  it('rule 10: a code past OTP_TTL_SECONDS is otp_expired even though its record is still stored', async () => {
    // Prepare
    const world = createWorld({ ints: [123456] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    world.clock.advanceSeconds(200);
    await wizard.get();
    world.clock.advanceSeconds(world.rules.otp.ttlSeconds - 200);

    // Act
    const error = await refusal(wizard.verify('123456'));

    // Assess
    expect(error.code).toBe('otp_expired');
    expect(world.codes.records.get(wizard.registrationId)).toBeDefined();
    expect(world.events.of('otp_failure').map((e) => e.reason)).toEqual(['expired']);
  });

  it('rule 10: the code still works one second before its lifetime ends', async () => {
    // Prepare
    const world = createWorld({ ints: [123456] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    world.clock.advanceSeconds(200);
    await wizard.get();
    world.clock.advanceSeconds(world.rules.otp.ttlSeconds - 201);

    // Act
    const result = await wizard.verify('123456');

    // Assess
    expect(result.step).toBe('choose-username');
  });

  it('rule 10: the response tells when the code expires and when a resend is possible', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    const sent = await wizard.sendOtp();

    // Assess
    expect(sent).toEqual({
      step: 'enter-otp',
      expiresAt: '2026-06-15T10:05:00.000Z',
      resendAvailableAt: '2026-06-15T10:00:30.000Z',
      sendsLeft: 2,
    });
  });
});

describe('single use, bound to its registration (rule 11)', () => {
  it('rule 11: a used code fails on replay', async () => {
    // Prepare
    const world = createWorld({ ints: [111111] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    await wizard.verify('111111');

    // Act
    const replay = await refusal(wizard.verify('111111'));

    // Assess
    expect(replay.code).toBe('step_out_of_order');
    expect(world.codes.records.get(wizard.registrationId)?.used).toBe(true);
  });

  it('rule 11: the store refuses a second use of the same code (the transaction checks used = false)', async () => {
    // Prepare
    const world = createWorld({ ints: [111111] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    const first = wizard.stored();
    const hmac = world.codes.records.get(wizard.registrationId)?.codeHmac as string;
    await world.registrations.saveWithCodeUsed({ ...first, version: first.version + 1 }, first.version, hmac);

    // Act
    const again = world.registrations.saveWithCodeUsed(
      { ...first, version: first.version + 2 },
      first.version + 1,
      hmac,
    );

    // Assess
    await expect(again).rejects.toMatchObject({ name: 'ConflictError', reason: 'code' });
  });

  it("rule 11: one registration's code fails in another", async () => {
    // Prepare
    const world = createWorld({ ints: [111111, 222222] });
    const first = new Wizard(world);
    const second = new Wizard(world, { ...cardOf(ana) }, '203.0.113.8');
    await first.start();
    await second.start();
    await first.sendOtp();
    await second.sendOtp();

    // Act
    const error = await refusal(second.verify('111111'));

    // Assess
    expect(error.code).toBe('otp_invalid');
    expect(codeDigest(world.keyed, first.registrationId, '111111')).not.toBe(
      codeDigest(world.keyed, second.registrationId, '111111'),
    );
  });
});

describe('storage as a keyed HMAC (rule 12)', () => {
  it('rule 12: the code store never sees the clear code, only the keyed HMAC of registration and code', async () => {
    // Prepare
    const world = createWorld({ ints: [424242] });
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    await wizard.sendOtp();
    await refusal(wizard.verify('000001'));

    // Assess
    const stored = world.codes.records.get(wizard.registrationId);
    expect(JSON.stringify(world.codes.history)).not.toContain('424242');
    expect(stored?.codeHmac).toBe(codeDigest(world.keyed, wizard.registrationId, '424242'));
    expect(stored?.codeHmac).not.toBe(
      codeDigest(hmacKeyed(Buffer.from('another key')), wizard.registrationId, '424242'),
    );
  });
});

describe('attempts (rule 13)', () => {
  it('rule 13: the attempt is counted before the comparison (a right code counts too)', async () => {
    // Prepare
    const world = createWorld({ ints: [555555] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();

    // Act
    await wizard.verify('555555');

    // Assess
    expect(world.codes.records.get(wizard.registrationId)?.attempts).toBe(1);
  });

  it('rule 13: when the attempt cannot be counted, even the right code is not accepted', async () => {
    // Prepare
    const world = createWorld({ ints: [555555] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    world.faults.failNext('codes.countAttempt');

    // Act
    const outcome = wizard.verify('555555');

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(wizard.stored().step).toBe('enter-otp');
  });

  it('rule 13: wrong codes give otp_invalid with attemptsLeft >= 1, the last wrong try and then even the right code otp_locked', async () => {
    // Prepare
    const world = createWorld({ ints: [555555] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();

    // Act
    const wrong = [];
    for (let i = 0; i < world.rules.otp.maxAttempts; i++) wrong.push(await refusal(wizard.verify('000000')));
    const locked = await refusal(wizard.verify('555555'));

    // Assess
    expect(wrong.map((e) => [e.code, e.extras.attemptsLeft])).toEqual([
      ['otp_invalid', 2],
      ['otp_invalid', 1],
      ['otp_locked', undefined],
    ]);
    expect(locked.code).toBe('otp_locked');
    expect(world.events.of('otp_failure').map((e) => e.reason)).toEqual([
      'wrong_code',
      'wrong_code',
      'wrong_code',
      'locked',
    ]);
  });

  it('rule 13: a new code (after the cooldown) gives a fresh set of attempts', async () => {
    // Prepare
    const world = createWorld({ ints: [555555, 666666] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    for (let i = 0; i < world.rules.otp.maxAttempts; i++) await refusal(wizard.verify('000000'));
    world.clock.advanceSeconds(world.rules.otp.cooldownSeconds);
    await wizard.sendOtp();

    // Act
    const result = await wizard.verify('666666');

    // Assess
    expect(result.step).toBe('choose-username');
  });

  it('rule 13: a malformed code is 422 and counts no attempt', async () => {
    // Prepare
    const world = createWorld({ ints: [555555] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();

    // Act
    const error = await refusal(wizard.verify('55555'));

    // Assess
    expect(error.code).toBe('validation_failed');
    expect(world.codes.records.get(wizard.registrationId)?.attempts).toBe(0);
  });
});

describe('resends (rule 14)', () => {
  it('rule 14: a new code replaces the old one at once', async () => {
    // Prepare
    const world = createWorld({ ints: [111111, 222222] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    world.clock.advanceSeconds(world.rules.otp.cooldownSeconds);
    await wizard.sendOtp();

    // Act
    const old = await refusal(wizard.verify('111111'));
    const fresh = await wizard.verify('222222');

    // Assess
    expect(old.code).toBe('otp_invalid');
    expect(fresh.step).toBe('choose-username');
  });

  it('rule 14: a resend within OTP_RESEND_COOLDOWN_SECONDS is 429 with the seconds left, and sends nothing', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    world.clock.advanceSeconds(10);

    // Act
    const error = await refusal(wizard.sendOtp());
    world.clock.advanceSeconds(20);
    const after = await wizard.sendOtp();

    // Assess
    expect(error.code).toBe('rate_limited');
    expect(error.extras.retryAfterSeconds).toBe(20);
    expect(after.sendsLeft).toBe(1);
    expect(world.sms.sent).toHaveLength(2);
  });

  it('rule 14: OTP_MAX_SENDS per registration, then 429', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    const left = [];
    for (let i = 0; i < world.rules.otp.maxSends; i++) {
      left.push((await wizard.sendOtp()).sendsLeft);
      world.clock.advanceSeconds(world.rules.otp.cooldownSeconds);
    }

    // Act
    const error = await refusal(wizard.sendOtp());

    // Assess
    expect(left).toEqual([2, 1, 0]);
    expect(error.code).toBe('rate_limited');
    expect(error.extras.retryAfterSeconds).toBeGreaterThan(0);
    expect(world.sms.sent).toHaveLength(world.rules.otp.maxSends);
  });

  it('rule 14: at most 5 sends per phone per hour across registrations, 429 with Retry-After to the end of the hour', async () => {
    // Prepare
    const world = createWorld();
    const first = new Wizard(world);
    const second = new Wizard(world, { ...tomas.credentials[1] });
    const third = new Wizard(world);
    await first.start();
    for (let i = 0; i < 3; i++) {
      await first.sendOtp();
      world.clock.advanceSeconds(30);
    }
    await second.start();
    await second.sendOtp();
    await third.start();
    await third.sendOtp();
    world.clock.advanceSeconds(30);
    const fourth = new Wizard(world);
    await fourth.start();

    // Act
    const error = await refusal(fourth.sendOtp());

    // Assess
    expect(world.sms.sent.filter((s) => s.to === '+593991234190')).toHaveLength(5);
    expect(error.code).toBe('rate_limited');
    expect(error.extras.retryAfterSeconds).toBe(3600 - 120);
    expect(world.codes.records.get(fourth.registrationId)).toBeUndefined();
    expect(world.events.of('rate_limited').map((e) => e.limit)).toEqual(['sends_per_phone']);
  });

  it('rule 42: five sends just before an hour boundary still refuse a sixth just after it (sliding window)', async () => {
    // Prepare: 10:57:30 to 10:59:30, over two registrations.
    const world = createWorld();
    world.clock.set('2026-06-15T10:57:30.000Z');
    for (let r = 0; r < 2; r++) {
      const wizard = new Wizard(world);
      await wizard.start();
      for (let i = 0; i < (r === 0 ? 3 : 2); i++) {
        await wizard.sendOtp();
        world.clock.advanceSeconds(30);
      }
    }

    // Act
    world.clock.set('2026-06-15T11:00:30.000Z');
    const after = new Wizard(world);
    await after.start();
    const error = await refusal(after.sendOtp());

    // Assess: the oldest send (10:57:30) leaves the hour at 11:57:30.
    expect(error.extras).toMatchObject({ reason: 'sends_per_phone', retryAfterSeconds: 3420 });
    expect(world.sms.sent).toHaveLength(5);
  });

  it('rule 14: the per-phone limit counts only that phone and lifts in the next hour', async () => {
    // Prepare
    const world = createWorld();
    for (let r = 0; r < 2; r++) {
      const wizard = new Wizard(world);
      await wizard.start();
      for (let i = 0; i < (r === 0 ? 3 : 2); i++) {
        await wizard.sendOtp();
        world.clock.advanceSeconds(30);
      }
    }
    const other = new Wizard(world, { ...cardOf(ana) });
    await other.start();
    const otherPhone = await other.sendOtp();

    // Act
    world.clock.set('2026-06-15T11:00:00.000Z');
    const later = new Wizard(world);
    await later.start();
    const result = await later.sendOtp();

    // Assess
    expect(otherPhone.step).toBe('enter-otp');
    expect(result.step).toBe('enter-otp');
  });
});

describe('destination (rule 15)', () => {
  it('rule 15: the SMS goes to the phone on file in the directory, never to a phone in the request', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    const input = { ...wizard.input, readBody: () => ({ phone: '+593999999999' }), phone: '+593999999999' };

    // Act
    await sendOtp(world.deps.sendOtp, input);

    // Assess
    expect(world.sms.sent.map((s) => s.to)).toEqual(['+593991234190']);
  });

  it('rule 15: the phone is read from the directory at send time', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();
    const customer = world.directory.customers.get('CUST-001');
    if (customer) customer.phone = '+593990000111';

    // Act
    await wizard.sendOtp();

    // Assess
    expect(world.sms.sent.map((s) => s.to)).toEqual(['+593990000111']);
  });
});

describe('the SMS text (rule 16)', () => {
  it.each([
    ['000000', 300],
    ['999999', 300],
    ['123456', 60],
    ['123456', 86_400],
  ])('rule 16: the message for code %s and lifetime %i s fits one GSM-7 segment', (code, ttl) => {
    // Act
    const message = otpMessage(code, ttl);

    // Assess
    expect(fitsOneGsm7Segment(message)).toBe(true);
    expect(message).toContain(code);
  });

  it.each([
    ['000000', 300],
    ['999999', 86_400],
  ])(
    'rule 16: the digital-token activation message for code %s and lifetime %i s fits one GSM-7 segment',
    (code, ttl) => {
      // Act
      const message = activationMessage(code, ttl);

      // Assess
      expect(fitsOneGsm7Segment(message)).toBe(true);
      expect(message).toContain(code);
    },
  );

  it.each([
    [20, 'Vence en 20 segundos.'],
    [59, 'Vence en 59 segundos.'],
    [60, 'Vence en 1 minuto.'],
    [300, 'Vence en 5 minutos.'],
    [86_400, 'Vence en 24 horas.'],
  ])('a code that lives %i s says so in the unit a customer reads, never «0 minutos»', (ttl, says) => {
    for (const message of [otpMessage, recoveryOtpMessage, activationMessage]) {
      const text = message('123456', ttl);
      expect(text).toContain(says);
      expect(fitsOneGsm7Segment(text)).toBe(true);
    }
  });

  it('rule 16: the SMS actually sent fits one GSM-7 segment', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    await wizard.sendOtp();

    // Assess
    const message = world.sms.sent[0]?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(160);
    expect([...message].filter((c) => !GSM7_BASIC.includes(c))).toEqual([]);
  });
});

describe('a failed SMS (rules 14, 29)', () => {
  it('rule 29: an SMS failure on the first send undoes the code, the phone count and the step; a retry is allowed', async () => {
    // Prepare
    const world = createWorld({ ints: [111111, 222222] });
    const wizard = new Wizard(world);
    await wizard.start();
    world.sms.failNext();

    // Act
    const failed = wizard.sendOtp();
    await expect(failed).rejects.toMatchObject({ name: 'DependencyError' });
    const codeAfterFailure = world.codes.records.get(wizard.registrationId);
    const phoneCount = world.limits.counted('sms#');
    const stepAfterFailure = wizard.stored().step;
    const retry = await wizard.sendOtp();

    // Assess
    expect(codeAfterFailure).toBeUndefined();
    expect(phoneCount).toBe(0);
    expect(stepAfterFailure).toBe('verify-contact');
    expect(retry.sendsLeft).toBe(2);
    expect((await wizard.verify('222222')).step).toBe('choose-username');
  });

  it('rule 29: an SMS failure on a resend restores the old code state, which still verifies, and the send count', async () => {
    // Prepare
    const world = createWorld({ ints: [111111, 222222, 333333] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    await refusal(wizard.verify('000000'));
    const before = world.codes.records.get(wizard.registrationId);
    world.clock.advanceSeconds(world.rules.otp.cooldownSeconds);
    world.sms.failNext();

    // Act
    await expect(wizard.sendOtp()).rejects.toMatchObject({ name: 'DependencyError' });
    const restored = world.codes.records.get(wizard.registrationId);
    const phoneCount = world.limits.counted('sms#');
    const retry = await wizard.sendOtp();

    // Assess
    expect(restored).toEqual(before);
    expect(phoneCount).toBe(1);
    expect(retry.sendsLeft).toBe(1);
  });

  it('rule 29: after a failed resend the previous code still verifies', async () => {
    // Prepare
    const world = createWorld({ ints: [111111, 222222] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    world.clock.advanceSeconds(world.rules.otp.cooldownSeconds);
    world.sms.failNext();
    await expect(wizard.sendOtp()).rejects.toMatchObject({ name: 'DependencyError' });

    // Act
    const undelivered = await refusal(wizard.verify('222222'));
    const result = await wizard.verify('111111');

    // Assess
    expect(undelivered.code).toBe('otp_invalid');
    expect(result.step).toBe('choose-username');
  });
});

describe('order of the OTP steps (rule 22)', () => {
  it('rule 22: otp/verify before any code was sent is step_out_of_order with the current step', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.start();

    // Act
    const error = await refusal(wizard.verify('123456'));

    // Assess
    expect(error.code).toBe('step_out_of_order');
    expect(error.extras.currentStep).toBe('verify-contact');
    expect(world.events.of('step_refused')).toHaveLength(1);
  });

  it('rule 22: a code cannot be sent once the OTP step is passed', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();

    // Act
    const error = await refusal(wizard.sendOtp());

    // Assess
    expect(error.code).toBe('step_out_of_order');
    expect(error.extras.currentStep).toBe('choose-username');
    expect(world.sms.sent).toHaveLength(1);
  });

  it('rule 22: two parallel verifications of the right code give one success', async () => {
    // Prepare
    const world = createWorld({ ints: [777777] });
    const wizard = new Wizard(world);
    await wizard.start();
    await wizard.sendOtp();
    const call = () => verifyOtp(world.deps.verifyOtp, wizard.with({ code: '777777' }));

    // Act
    const outcomes = await Promise.allSettled([call(), call()]);

    // Assess
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
  });
});
