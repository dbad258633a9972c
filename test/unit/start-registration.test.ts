// Step 1 (SECURITY.md rules 1 to 5): one answer for every failure, the PIN-try counter and its lock, the
// per-address velocity limit, formats before any lookup, and already_registered.
import { describe, expect, it } from 'vitest';
import { problemBody } from '../../lambdas/http/problem.ts';
import { startRegistration } from '../../lambdas/registration/start-registration.ts';
import { ana, cardOf, createWorld, refusal, registered, tomas, type World } from '../support/fakes.ts';

const card = cardOf(tomas);

const start = (world: World, body: unknown, sourceIp = '203.0.113.7') =>
  startRegistration(world.deps.start, { readBody: () => body, sourceIp });

/** The body a client sees, with the request id fixed: equal bodies mean the failures cannot be told apart. */
const seenBody = async (call: Promise<unknown>) => {
  const error = await refusal(call);
  return JSON.stringify(problemBody(error.code, 'request-id', error.extras));
};

describe('step 1: one answer for every failure (rule 1)', () => {
  it('rule 1: unknown card, expiry mismatch, wrong PIN, blocked card, unknown RUC and unknown cédula give the same 401 body', async () => {
    // Prepare
    const world = createWorld();
    const { status: _status, ...blocked } = ana.credentials[1] as typeof card & { status: string };
    const failures = [
      { ...card, cardNumber: '4012888888881881' },
      { ...card, expiryMonth: 11 },
      { ...card, pin: '9999' },
      { ...blocked },
      { type: 'company', ruc: '1760013210001', pin: '4321' },
      { type: 'virtual-key', cedula: '1713175071', pin: '5678' },
    ];

    // Act
    const bodies = [];
    for (const [i, body] of failures.entries())
      bodies.push(await seenBody(start(world, body, `198.51.100.${i}`)));

    // Assess
    const expected = JSON.stringify(problemBody('invalid_credentials', 'request-id', {}));
    expect(bodies).toEqual(failures.map(() => expected));
    expect(JSON.parse(expected).status).toBe(401);
    expect(world.registrations.registrations.size).toBe(0);
  });

  it('rule 1: the refusal carries no extras that would tell a wrong PIN from an unknown card', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const wrongPin = await refusal(start(world, { ...card, pin: '0000' }));
    const unknown = await refusal(start(world, { ...card, cardNumber: '4012888888881881' }));

    // Assess
    expect(wrongPin.code).toBe('invalid_credentials');
    expect(wrongPin.extras).toEqual({});
    expect(unknown.extras).toEqual({});
  });
});

describe('step 1: PIN-try counter and lock (rule 3)', () => {
  it('rule 3: wrong PINs get 401, the one that reaches PIN_MAX_ATTEMPTS says the lock and its wait (423), and the next try gets 423 even with the right PIN', async () => {
    // Prepare
    const world = createWorld();
    const max = world.rules.pin.maxAttempts;

    // Act
    const failures = [];
    for (let i = 0; i < max; i++) failures.push(await refusal(start(world, { ...card, pin: '0000' })));
    const locked = await refusal(start(world, card));

    // Assess
    expect(failures.map((f) => f.code)).toEqual([
      ...Array(max - 1).fill('invalid_credentials'),
      'credential_locked',
    ]);
    expect(failures.at(-1)?.extras).toEqual({ retryAfterSeconds: world.rules.pin.lockSeconds });
    expect(locked.code).toBe('credential_locked');
    expect(JSON.stringify(problemBody(locked.code, 'r', locked.extras))).toContain('"status":423');
    expect(world.directory.authenticateCalls).toBe(max);
  });

  it('rule 3: the lock lifts after PIN_LOCK_SECONDS and not before', async () => {
    // Prepare
    const world = createWorld();
    for (let i = 0; i < world.rules.pin.maxAttempts; i++)
      await refusal(start(world, { ...card, pin: '0000' }));

    // Act
    world.clock.advanceSeconds(world.rules.pin.lockSeconds - 1);
    const stillLocked = await refusal(start(world, card));
    world.clock.advanceSeconds(1);
    const result = await start(world, card);

    // Assess
    expect(stillLocked.code).toBe('credential_locked');
    expect(stillLocked.extras.retryAfterSeconds).toBe(1);
    expect(result.step).toBe('verify-contact');
  });

  it('rule 3: a right PIN before the lock resets the counter', async () => {
    // Prepare
    const world = createWorld();
    const max = world.rules.pin.maxAttempts;
    for (let i = 0; i < max - 1; i++) await refusal(start(world, { ...card, pin: '0000' }));
    await start(world, card);

    // Act
    const afterReset = [];
    for (let i = 0; i < max; i++)
      afterReset.push((await refusal(start(world, { ...card, pin: '0000' }))).code);
    const next = await refusal(start(world, card));

    // Assess
    expect(afterReset).toEqual([...Array(max - 1).fill('invalid_credentials'), 'credential_locked']);
    expect(next.code).toBe('credential_locked');
  });

  it('rule 3: an unknown identifier is counted and locked the same way', async () => {
    // Prepare
    const world = createWorld();
    const unknown = { ...card, cardNumber: '4012888888881881' };
    const max = world.rules.pin.maxAttempts;

    // Act
    const codes = [];
    for (let i = 0; i <= max; i++) codes.push((await refusal(start(world, unknown))).code);

    // Assess
    expect(codes).toEqual([
      ...Array(max - 1).fill('invalid_credentials'),
      'credential_locked',
      'credential_locked',
    ]);
  });

  it('rule 3: the counter is per identifier: locking one card leaves another free', async () => {
    // Prepare
    const world = createWorld();
    for (let i = 0; i < world.rules.pin.maxAttempts; i++)
      await refusal(start(world, { ...card, pin: '0000' }));

    // Act
    const other = await start(world, tomas.credentials[1]);

    // Assess
    expect(other.step).toBe('verify-contact');
  });

  it('rule 3: the counter is kept across registrations (a success in between does not hide earlier tries of another identifier)', async () => {
    // Prepare
    const world = createWorld();
    const company = { type: 'company', ruc: '1790011674001', pin: '0000' };
    await refusal(start(world, company));
    await refusal(start(world, company));
    await start(world, card);

    // Act
    const third = await refusal(start(world, company));
    const fourth = await refusal(start(world, { ...company, pin: '4321' }));

    // Assess: the third wrong PIN of the RUC is the one that locks it.
    expect(third.code).toBe('credential_locked');
    expect(fourth.code).toBe('credential_locked');
  });

  // The try is counted before the directory is asked; an outage gives it back (pinRelease), because no wrong
  // PIN was entered (rule 3 counts wrong PINs) and the failed step must be retryable (rule 29).
  it('rule 3: directory outages are not wrong PINs: after PIN_MAX_ATTEMPTS outages the right PIN still works', async () => {
    // Prepare
    const world = createWorld();
    world.faults.failNext('directory.authenticate', world.rules.pin.maxAttempts);
    for (let i = 0; i < world.rules.pin.maxAttempts; i++) {
      await expect(start(world, card)).rejects.toMatchObject({ name: 'DependencyError' });
    }

    // Act
    const result = await start(world, card);

    // Assess
    expect(result.step).toBe('verify-contact');
  });

  it('rule 3: the lock is recorded as a credential_locked event, each failure as credential_failure', async () => {
    // Prepare
    const world = createWorld();

    // Act
    for (let i = 0; i < world.rules.pin.maxAttempts; i++)
      await refusal(start(world, { ...card, pin: '0000' }));
    await refusal(start(world, card));

    // Assess
    expect(world.events.of('credential_failure')).toHaveLength(world.rules.pin.maxAttempts);
    expect(world.events.of('credential_locked').map((e) => e.phase)).toEqual(['engaged', 'refused']);
  });
});

describe('step 1: velocity per client address (rule 4)', () => {
  it('rule 4: more than IDENTIFY_MAX_PER_IP_PER_MINUTE calls in a minute get 429 with retryAfterSeconds', async () => {
    // Prepare
    const world = createWorld();
    world.clock.set('2026-06-15T10:00:15.000Z');
    const max = world.rules.identifyPerIpPerMinute;
    await start(world, card, '192.0.2.1');
    world.clock.set('2026-06-15T10:00:30.000Z');
    for (let i = 1; i < max; i++) await start(world, card, '192.0.2.1');
    world.clock.set('2026-06-15T10:00:40.000Z');
    const calls = world.directory.authenticateCalls;

    // Act
    const refused = await refusal(start(world, card, '192.0.2.1'));
    const otherAddress = await start(world, card, '192.0.2.2');

    // Assess: the oldest call (10:00:15) leaves the window at 10:01:15, 35 s later.
    expect(refused.code).toBe('rate_limited');
    expect(refused.extras).toMatchObject({ reason: 'per_address', retryAfterSeconds: 35 });
    expect(otherAddress.step).toBe('verify-contact');
    expect(world.directory.authenticateCalls).toBe(calls + 1);
  });

  it('rule 42: a burst across a minute boundary gets no more than the limit through (sliding window)', async () => {
    // Prepare: the limit spent in the last second of a minute.
    const world = createWorld();
    const max = world.rules.identifyPerIpPerMinute;
    world.clock.set('2026-06-15T10:00:59.500Z');
    for (let i = 0; i < max; i++) await start(world, card, '192.0.2.1');

    // Act: the first second of the next minute, then the moment the first calls leave the window.
    world.clock.set('2026-06-15T10:01:00.500Z');
    const early = await refusal(start(world, card, '192.0.2.1'));
    world.clock.set('2026-06-15T10:01:59.500Z');
    const later = await start(world, card, '192.0.2.1');

    // Assess
    expect(early.extras).toMatchObject({ reason: 'per_address', retryAfterSeconds: 59 });
    expect(later.step).toBe('verify-contact');
  });

  it('rule 4: a minute after the calls, the address may call again', async () => {
    // Prepare
    const world = createWorld();
    const max = world.rules.identifyPerIpPerMinute;
    for (let i = 0; i < max; i++) await refusal(start(world, { type: 'card' }, '192.0.2.1'));
    await refusal(start(world, card, '192.0.2.1'));

    // Act
    world.clock.advanceSeconds(60);
    const result = await start(world, card, '192.0.2.1');

    // Assess
    expect(result.step).toBe('verify-contact');
  });

  it('rule 4: every step-1 call counts, malformed ones included; a refused call counts toward nothing', async () => {
    // Prepare
    const world = createWorld();
    const max = world.rules.identifyPerIpPerMinute;
    for (let i = 0; i < max; i++) await refusal(start(world, { type: 'card' }, '192.0.2.1'));

    // Act
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await refusal(start(world, card, '192.0.2.1'))).code);

    // Assess
    expect(codes).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
    expect(world.limits.counted('ip#')).toBe(max);
    expect(world.events.of('rate_limited')).toHaveLength(3);
  });
});

describe('step 1: formats before any lookup (rule 5)', () => {
  const invalid: [string, Record<string, unknown>, string, string][] = [
    [
      'a card number failing Luhn',
      { ...card, cardNumber: '4111111111111112' },
      'cardNumber',
      'card_number_checksum',
    ],
    [
      'a card number of 12 digits',
      { ...card, cardNumber: '411111111111' },
      'cardNumber',
      'card_number_format',
    ],
    ['an expiry in the past', { ...card, expiryMonth: 5, expiryYear: 2026 }, 'expiryYear', 'card_expired'],
    ['an expiry month 13', { ...card, expiryMonth: 13 }, 'expiryMonth', 'expiry_month_format'],
    ['a PIN of 3 digits', { ...card, pin: '123' }, 'pin', 'pin_format'],
    ['a PIN of 5 digits', { ...card, pin: '12345' }, 'pin', 'pin_format'],
    ['a PIN with letters', { ...card, pin: '12a4' }, 'pin', 'pin_format'],
    ['a PIN with a trailing newline', { ...card, pin: '1234\n' }, 'pin', 'pin_format'],
    ['a missing PIN', { ...card, pin: undefined }, 'pin', 'required'],
    [
      'a cédula with a wrong check digit',
      { type: 'virtual-key', cedula: '1710034066', pin: '5678' },
      'cedula',
      'cedula_format',
    ],
    [
      'a RUC with a wrong check digit',
      { type: 'company', ruc: '1790011675001', pin: '4321' },
      'ruc',
      'ruc_format',
    ],
    [
      'an additional user with a bad cédula',
      { type: 'company', ruc: '1790011674001', cedula: '1710034066', pin: '4321' },
      'cedula',
      'cedula_format',
    ],
    ['an unknown field', { ...card, phone: '+593999999999' }, 'phone', 'unknown_field'],
  ];

  it.each(invalid)(
    'rule 5: %s is 422 validation_failed and the directory is never called',
    async (_name, body, field, code) => {
      // Prepare
      const world = createWorld();

      // Act
      const error = await refusal(start(world, body));

      // Assess
      expect(error.code).toBe('validation_failed');
      expect(error.extras.errors).toContainEqual(expect.objectContaining({ field, code }));
      expect(world.directory.authenticateCalls).toBe(0);
      expect(world.limits.pinTryCalls).toBe(0);
    },
  );

  // zod 4 leaves `input` out of its issues unless asked, so validation.ts must not read a missing `input` as a
  // missing field: a present value of the wrong type is invalid_type, never "Este campo es obligatorio.".
  it('rule 5: a PIN sent as a number is invalid_type, not required', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const error = await refusal(start(world, { ...card, pin: 1234 }));

    // Assess
    expect(error.extras.errors).toEqual([expect.objectContaining({ field: 'pin', code: 'invalid_type' })]);
  });

  it('rule 5: an expiry in the current month is not in the past', async () => {
    // Prepare
    const world = createWorld();
    world.directory.add({
      ...tomas,
      customerId: 'CUST-009',
      credentials: [{ ...card, cardNumber: '4012888888881881', expiryMonth: 6, expiryYear: 2026 }],
    });

    // Act
    const result = await start(world, {
      ...card,
      cardNumber: '4012888888881881',
      expiryMonth: 6,
      expiryYear: 2026,
    });

    // Assess
    expect(result.step).toBe('verify-contact');
  });

  it('rule 5: the date that decides "past" is the clock port, not the wall clock', async () => {
    // Prepare
    const world = createWorld();
    world.clock.set('2031-01-01T00:00:00.000Z');

    // Act
    const error = await refusal(start(world, card));

    // Assess
    expect(error.extras.errors).toContainEqual(
      expect.objectContaining({ field: 'expiryYear', code: 'card_expired' }),
    );
  });

  it('rule 5: a body that is not an object is 422', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const error = await refusal(start(world, 'card'));

    // Assess
    expect(error.code).toBe('validation_failed');
    expect(world.directory.authenticateCalls).toBe(0);
  });
});

describe('step 1: success and already_registered', () => {
  it('step 1 opens a registration with masked contact, a 256-bit token stored only as its hash, and the expiry', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const result = await start(world, card);

    // Assess
    const stored = world.registrations.registrations.get(result.registrationId);
    expect(result.contact).toEqual({ phone: 'xxxxxxx190', email: 'tm****os@gmail.com' });
    expect(Buffer.from(result.token, 'base64url')).toHaveLength(32);
    expect(stored?.tokenHash).not.toBe(result.token);
    expect(JSON.stringify(stored)).not.toContain(result.token);
    expect(result.expiresAt).toBe('2026-06-15T10:05:00.000Z');
    expect(stored).toMatchObject({
      step: 'verify-contact',
      status: 'open',
      version: 1,
      credentialType: 'card',
    });
  });

  it('step 1: a customer the directory marks registered gets 409 already_registered', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const error = await refusal(start(world, registered.credentials[0]));

    // Assess
    expect(error.code).toBe('already_registered');
    expect(world.registrations.registrations.size).toBe(0);
  });

  it('step 1: a customer with an online user in the user store gets already_registered', async () => {
    // Prepare
    const world = createWorld();
    world.users.seedUser('tomas.mateos', tomas.customerId);

    // Act
    const error = await refusal(start(world, card));

    // Assess
    expect(error.code).toBe('already_registered');
  });

  it('step 1: each call starts a new registration; the earlier ones stay valid', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const first = await start(world, card);
    const second = await start(world, tomas.credentials[1]);

    // Assess
    expect(first.registrationId).not.toBe(second.registrationId);
    expect(first.token).not.toBe(second.token);
    expect(world.registrations.registrations.size).toBe(2);
  });

  it('rule 29: a failing store surfaces as DependencyError and no registration is written', async () => {
    // Prepare
    const world = createWorld();
    world.faults.failNext('limits.pinTry');

    // Act
    const outcome = start(world, card);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'DependencyError' });
    expect(world.registrations.registrations.size).toBe(0);
    expect(world.directory.authenticateCalls).toBe(0);
  });
});
