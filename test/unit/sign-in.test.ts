// Rules 47-51 on the use cases with fakes: the security image and its decoy, the password check and its lock,
// TOTP with its replay guard and attempt limit, binding a token (SMS proof, sealed seed, email), and
// signed-in sessions with their timeouts.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  confirmActivation,
  sendActivationCode,
  verifyActivationCode,
} from '../../lambdas/digital-token/activation.ts';
import { totpCode } from '../../lambdas/digital-token/totp.ts';
import type { TokenActivatedMessage, TokenLockedMessage } from '../../lambdas/ports/stores.ts';
import { sendCompletionEmail, tokenActivatedEmail } from '../../lambdas/registration/completion-email.ts';
import { RegistrationError } from '../../lambdas/rules/errors.ts';
import { hashToken } from '../../lambdas/rules/tokens.ts';
import { signInWithDigitalToken } from '../../lambdas/sign-in/digital-token.ts';
import { getMe, signOut } from '../../lambdas/sign-in/me.ts';
import { signInWithPassword } from '../../lambdas/sign-in/password.ts';
import { startSignIn } from '../../lambdas/sign-in/start-sign-in.ts';
import {
  createSignInWorld,
  FakeReportLinkStore,
  SIGN_IN_PASSWORD,
  testReports,
  tomas,
} from '../support/fakes.ts';

type SignInWorld = Awaited<ReturnType<typeof createSignInWorld>>;
let w: SignInWorld;
beforeEach(async () => {
  w = await createSignInWorld();
});

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RegistrationError) return { code: error.code, ...error.extras };
    throw error;
  }
  throw new Error('expected a refusal');
};

const begin = (username: string, sourceIp = '203.0.113.7') =>
  startSignIn(w.deps.start, { readBody: () => ({ username }), sourceIp, userAgent: 'vitest' });

async function password(username: string, value: string) {
  const started = await begin(username);
  const input = {
    registrationId: started.signInId,
    token: started.token,
    readBody: () => ({ password: value }),
  };
  return { started, result: signInWithPassword(w.deps.password, input) };
}

async function signedIn() {
  const { result } = await password('tomas.mateos', SIGN_IN_PASSWORD);
  const answer = await result;
  if (answer.step !== 'signed-in') throw new Error('expected a session');
  return answer.session.token;
}

/** Activates the token through T1-T3 and returns its seed (base32 decoded); `session` gets the session token. */
async function activate(session: { token?: string } = {}): Promise<Buffer> {
  const token = await signedIn();
  await sendActivationCode(w.deps.sendCode, { token });
  const sms = /(\d{6})/.exec(w.sms.sent.at(-1)?.message ?? '')?.[1] as string;
  const scan = await verifyActivationCode(w.deps.verifyCode, { token, readBody: () => ({ code: sms }) });
  const seed = base32Decode(scan.secret);
  await confirmActivation(w.deps.confirm, {
    token,
    readBody: () => ({ code: totpCode(seed, w.clock.now()) }),
  });
  session.token = token;
  return seed;
}

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
}

describe('rule 47: the security image for every username', () => {
  it('a known username shows the image its user chose, whatever its case', async () => {
    expect((await begin('TOMAS.mateos')).image).toEqual({
      id: 'colibri',
      url: '/images/security/colibri.svg',
      label: 'Colibrí',
    });
  });

  it('an unknown username gets a catalogue image chosen by a keyed hash: stable per name, spread over names', async () => {
    const first = await begin('nadie.existe');
    expect((await begin('NADIE.EXISTE')).image).toEqual(first.image);
    expect(Object.keys(first).sort()).toEqual(['image', 'signInId', 'step', 'token']);
    const decoys = new Set<string>();
    for (let i = 0; i < 40; i++) decoys.add((await begin(`fantasma${i}`, `192.0.2.${i}`)).image.id);
    expect(decoys.size).toBeGreaterThan(5);
  });

  it('the same look-up runs for a known and an unknown name, and both get an attempt', async () => {
    await begin('tomas.mateos');
    await begin('nadie.existe');
    expect(w.accounts.findCalls).toBe(2);
    expect(w.signIns.attempts.size).toBe(2);
  });

  it('more than SIGN_IN_MAX_PER_IP_PER_MINUTE calls from one address get 429 per_address', async () => {
    for (let i = 0; i < 20; i++) await begin(`nombre${i}`, '198.51.100.1');
    expect(await refusal(begin('nombre20', '198.51.100.1'))).toMatchObject({
      code: 'rate_limited',
      reason: 'per_address',
    });
    await expect(begin('nombre21', '198.51.100.2')).resolves.toBeDefined();
  });
});

describe('rule 48: the password check and its lock', () => {
  it('the right password signs in; the password is compared after NFKC, as at creation', async () => {
    const { result } = await password('tomas.mateos', SIGN_IN_PASSWORD);
    await expect(result).resolves.toMatchObject({ step: 'signed-in', secondFactor: 'pending-activation' });
    // U+FF55 (fullwidth u) is NFKC-equal to "u": the same password typed on another keyboard.
    const fullwidth = SIGN_IN_PASSWORD.replace('U', 'Ｕ');
    expect(fullwidth).not.toBe(SIGN_IN_PASSWORD);
    const again = await password('tomas.mateos', fullwidth);
    await expect(again.result).resolves.toMatchObject({ step: 'signed-in' });
  });

  it('an unknown username runs a dummy verification and fails like a wrong password', async () => {
    const before = w.hasher.verifications;
    const unknown = await password('nadie.existe', SIGN_IN_PASSWORD);
    expect(await refusal(unknown.result)).toEqual({ code: 'invalid_credentials', journey: 'sign-in' });
    expect(w.hasher.verifications).toBe(before + 1);
    const wrong = await password('tomas.mateos', 'otra clave cualquiera');
    expect(await refusal(wrong.result)).toEqual({ code: 'invalid_credentials', journey: 'sign-in' });
  });

  for (const username of ['tomas.mateos', 'nadie.existe']) {
    it(`PASSWORD_MAX_ATTEMPTS failures lock "${username}" for PASSWORD_LOCK_SECONDS, even for the right password`, async () => {
      for (let i = 0; i < 5; i++) {
        expect((await refusal((await password(username, `mala ${i}`)).result)).code).toBe(
          'invalid_credentials',
        );
      }
      const locked = await refusal((await password(username, SIGN_IN_PASSWORD)).result);
      expect(locked).toMatchObject({ code: 'credential_locked', retryAfterSeconds: 1800 });
      expect(w.events.of('sign_in_locked').map((e) => e.phase)).toEqual(['engaged', 'refused']);
      w.clock.advanceSeconds(1801);
      const after = await password(username, SIGN_IN_PASSWORD);
      if (username === 'tomas.mateos')
        await expect(after.result).resolves.toMatchObject({ step: 'signed-in' });
      else expect((await refusal(after.result)).code).toBe('invalid_credentials');
    });
  }

  it('a right password before the lock resets the count', async () => {
    for (let i = 0; i < 4; i++) await refusal((await password('tomas.mateos', `mala ${i}`)).result);
    await (await password('tomas.mateos', SIGN_IN_PASSWORD)).result;
    for (let i = 0; i < 4; i++) await refusal((await password('tomas.mateos', `mala ${i}`)).result);
    await expect((await password('tomas.mateos', SIGN_IN_PASSWORD)).result).resolves.toMatchObject({
      step: 'signed-in',
    });
  });
});

describe('rule 49: TOTP', () => {
  it('T2 shows a new 160-bit seed once; it is stored only sealed, bound to its user', async () => {
    const token = await signedIn();
    await sendActivationCode(w.deps.sendCode, { token });
    const sms = /(\d{6})/.exec(w.sms.sent.at(-1)?.message ?? '')?.[1] as string;
    const scan = await verifyActivationCode(w.deps.verifyCode, { token, readBody: () => ({ code: sms }) });
    const seed = base32Decode(scan.secret);
    expect(seed).toHaveLength(20);
    const stored = JSON.stringify([...w.accounts.users.values()]);
    expect(stored).not.toContain(scan.secret);
    expect(stored).not.toContain(seed.toString('hex'));
    expect(stored).not.toContain(seed.toString('base64'));
    const sealed = w.accounts.users.get(w.user.userPk)?.pendingToken?.sealedSecret as string;
    expect(w.box.open(sealed, w.user.userId)).toEqual(seed);
    expect(() => w.box.open(sealed, 'another-user')).toThrow();
  });

  it('after activation S2 asks for the token; the current step and one step either way sign in, each once', async () => {
    const seed = await activate();
    for (const offset of [-1, 1, 0]) {
      w.clock.advanceSeconds(60);
      const code = totpCode(seed, w.clock.now() + offset * 30_000);
      const first = await password('tomas.mateos', SIGN_IN_PASSWORD);
      await expect(first.result).resolves.toEqual({ step: 'digital-token' });
      await expect(
        signInWithDigitalToken(w.deps.token, {
          registrationId: first.started.signInId,
          token: first.started.token,
          readBody: () => ({ code }),
        }),
      ).resolves.toMatchObject({ step: 'signed-in', secondFactor: 'active' });

      // Each once: the same code in a new sign-in is already used, and costs no attempt.
      const again = await password('tomas.mateos', SIGN_IN_PASSWORD);
      await again.result;
      const replay = await refusal(
        signInWithDigitalToken(w.deps.token, {
          registrationId: again.started.signInId,
          token: again.started.token,
          readBody: () => ({ code }),
        }),
      );
      expect(replay.code).toBe('otp_already_used');
      expect(replay).not.toHaveProperty('attemptsLeft');
    }
  });

  it('a replayed code is refused as already used without an attempt; one two steps away with attemptsLeft; the last wrong try answers 423', async () => {
    const seed = await activate();
    const activationCode = totpCode(seed, w.clock.now());
    const { started, result } = await password('tomas.mateos', SIGN_IN_PASSWORD);
    await result;
    const tryCode = (code: string) =>
      signInWithDigitalToken(w.deps.token, {
        registrationId: started.signInId,
        token: started.token,
        readBody: () => ({ code }),
      });
    expect(await refusal(tryCode(activationCode))).toMatchObject({ code: 'otp_already_used' });
    expect(await refusal(tryCode(activationCode))).toMatchObject({ code: 'otp_already_used' });
    expect(await refusal(tryCode(totpCode(seed, w.clock.now() + 60_000)))).toMatchObject({
      code: 'otp_invalid',
      attemptsLeft: 2,
    });
    expect(await refusal(tryCode('000000'))).toMatchObject({ code: 'otp_invalid', attemptsLeft: 1 });
    expect(await refusal(tryCode('000000'))).toMatchObject({ code: 'otp_locked' });
    // Used up: even the right code now fails, and the sign-in must start again.
    expect(await refusal(tryCode(totpCode(seed, w.clock.now() + 30_000)))).toMatchObject({
      code: 'otp_locked',
    });
    expect(w.events.of('token_failure').map((e) => e.reason)).toEqual([
      'already_used',
      'already_used',
      'wrong_code',
      'wrong_code',
      'wrong_code',
      'locked',
    ]);
  });
});

describe('rule 50: binding a token', () => {
  it('needs a signed-in session and the SMS code of the phone on file', async () => {
    expect((await refusal(sendActivationCode(w.deps.sendCode, { token: 'x'.repeat(43) }))).code).toBe(
      'session_invalid',
    );
    const token = await signedIn();
    expect(
      (await refusal(confirmActivation(w.deps.confirm, { token, readBody: () => ({ code: '123456' }) })))
        .code,
    ).toBe('step_out_of_order');
    const sent = await sendActivationCode(w.deps.sendCode, { token });
    expect(sent).toMatchObject({ step: 'enter-otp', sendsLeft: 2 });
    expect(w.sms.sent.at(-1)?.to).toBe(tomas.phone);
    const wrong = await refusal(
      verifyActivationCode(w.deps.verifyCode, { token, readBody: () => ({ code: '999999' }) }),
    );
    expect(wrong).toMatchObject({ code: 'otp_invalid', attemptsLeft: 2 });
  });

  it('the first code from the app activates it, and an email without the seed is queued; then T1 is refused', async () => {
    const session: { token?: string } = {};
    const seed = await activate(session);
    expect((await refusal(sendActivationCode(w.deps.sendCode, { token: session.token }))).code).toBe(
      'token_already_active',
    );
    expect(w.accounts.users.get(w.user.userPk)?.digitalToken).toBeDefined();
    // The first sign-in was from a new device (its email), then the activation's.
    expect(w.accounts.outbox).toEqual([
      expect.objectContaining({ kind: 'new-device', customerId: tomas.customerId }),
      expect.objectContaining({
        kind: 'token-activated',
        customerId: tomas.customerId,
        activatedAt: w.clock.now(),
      }),
    ]);
    const email = tokenActivatedEmail(tomas.email, { username: 'Tomas.Mateos', activatedAt: w.clock.now() });
    expect(email.subject).toContain('Token digital');
    expect(email.text).toContain('Tomas.Mateos');
    for (const form of [seed.toString('hex'), seed.toString('base64')])
      expect(email.text + email.html).not.toContain(form);
    const token = await signedIn().catch(() => undefined);
    expect(token).toBeUndefined(); // S2 now answers the digital-token step, not a session
    expect(w.events.kinds()).toContain('token_activated');
  });
});

/** Delivers an outbox message of Tomás through the completion email's sender. */
const deliver = (
  message:
    | Omit<TokenActivatedMessage, 'customerId' | 'username'>
    | Omit<TokenLockedMessage, 'customerId' | 'username'>,
) =>
  sendCompletionEmail(
    {
      directory: w.directory,
      email: w.email,
      events: w.events,
      clock: w.clock,
      random: w.random,
      reportLinks: new FakeReportLinkStore(),
      reports: testReports,
    },
    {
      ...message,
      customerId: tomas.customerId,
      username: 'Tomas.Mateos',
    } as TokenActivatedMessage | TokenLockedMessage,
  );

describe("rule 50: the activation email goes out through the completion email's sender", () => {
  it('an outbox message of kind token-activated becomes the activation email to the address on file', async () => {
    const activatedAt = Date.parse('2026-06-15T15:04:00Z');
    await deliver({ kind: 'token-activated', messageId: 'm-1', activatedAt, createdAt: activatedAt });
    const [mail] = w.email.sent;
    expect(mail?.to).toBe(tomas.email);
    expect(mail?.subject).toBe('Activaste tu Token digital de Produbanco');
    expect(mail?.text).toContain('15 de junio de 2026');
    expect(mail?.text).toContain('10:04');
    expect(w.events.of('email_sent')[0]).toMatchObject({ kind: 'token-activated' });
  });
});

describe('second audit, finding 1: the token-lock email', () => {
  it('tells the customer the token sign-in was locked, until when, and whom to call; never a code', async () => {
    // Act
    const lockedUntil = Date.parse('2026-06-15T15:34:00Z');
    await deliver({
      kind: 'token-locked',
      messageId: 'token-locked-user-tomas-1',
      lockedUntil,
      createdAt: lockedUntil - 1_800_000,
    });

    // Assert
    const [mail] = w.email.sent;
    expect(mail?.to).toBe(tomas.email);
    expect(mail?.subject).toBe('Bloqueamos el ingreso con tu Token digital');
    expect(mail?.text).toContain('Tomas.Mateos');
    expect(mail?.text).toContain('15 de junio de 2026');
    expect(mail?.text).toContain('10:34');
    expect(mail?.text).toContain('1700 123 123');
    expect(mail?.text).not.toMatch(/\d{6}/);
    expect(w.events.of('email_sent')[0]).toMatchObject({ kind: 'token-locked' });
  });
});

describe('rule 51: signed-in sessions', () => {
  it('a new 256-bit token per sign-in, stored only as its hash', async () => {
    const first = await signedIn();
    const second = await signedIn();
    expect(first).not.toBe(second);
    expect(Buffer.from(first, 'base64url')).toHaveLength(32);
    const stored = JSON.stringify([...w.signIns.sessions.values()]);
    expect(stored).not.toContain(first);
    expect(w.signIns.sessions.has(hashToken(first))).toBe(true);
  });

  it('dies after SIGNED_IN_IDLE_SECONDS without a call', async () => {
    const token = await signedIn();
    w.clock.advanceSeconds(299);
    await expect(getMe(w.deps.me, { token })).resolves.toMatchObject({ username: 'Tomas.Mateos' });
    w.clock.advanceSeconds(300);
    expect((await refusal(getMe(w.deps.me, { token }))).code).toBe('session_invalid');
  });

  it('dies after SIGNED_IN_MAX_SECONDS however active', async () => {
    const token = await signedIn();
    for (let t = 0; t < 1800; t += 200) {
      await expect(getMe(w.deps.me, { token })).resolves.toBeDefined();
      w.clock.advanceSeconds(200);
    }
    expect((await refusal(getMe(w.deps.me, { token }))).code).toBe('session_invalid');
  });

  it('dies at sign-out', async () => {
    const token = await signedIn();
    await signOut(w.deps.signedIn, { token });
    expect((await refusal(getMe(w.deps.me, { token }))).code).toBe('session_invalid');
    expect(w.events.kinds()).toContain('signed_out');
  });

  it('M1 shows the contact masked', async () => {
    const token = await signedIn();
    expect((await getMe(w.deps.me, { token })).contact).toEqual({
      phone: 'xxxxxxx190',
      email: 'tm****os@gmail.com',
    });
  });
});

describe('rule 27: events for every sign-in outcome, without secrets', () => {
  it('records starts, failures, locks, successes and activations; no password, code or seed in them', async () => {
    for (let i = 0; i < 5; i++) await refusal((await password('nadie.existe', `mala clave ${i}`)).result);
    const seed = await activate();
    const kinds = new Set(w.events.kinds());
    for (const kind of [
      'sign_in_started',
      'sign_in_failure',
      'sign_in_locked',
      'signed_in',
      'token_activated',
    ]) {
      expect(kinds.has(kind as never), kind).toBe(true);
    }
    const logged = JSON.stringify(w.events.events);
    for (const secret of [SIGN_IN_PASSWORD, 'mala clave', seed.toString('hex'), 'nadie.existe']) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe('second audit, finding 1: token codes are bounded per user, across sign-ins', () => {
  const tokenTry = (started: { signInId: string; token: string }, code: string) =>
    signInWithDigitalToken(w.deps.token, {
      registrationId: started.signInId,
      token: started.token,
      readBody: () => ({ code }),
    });

  /** A sign-in through S2 with the right password, waiting for the token code. */
  async function atTokenStep() {
    const { started, result } = await password('tomas.mateos', SIGN_IN_PASSWORD);
    await expect(result).resolves.toEqual({ step: 'digital-token' });
    return started;
  }

  it('the 10th wrong code across sign-ins locks the token sign-in with 423, tells the customer once, and refuses the right code', async () => {
    // Arrange
    const seed = await activate();
    const wrong = () => totpCode(seed, w.clock.now() + 300_000);
    const outcomes: string[] = [];

    // Act: three sign-ins of three wrong codes each (9), then a fourth sign-in's first wrong code (10th).
    for (let round = 0; round < 3; round++) {
      const started = await atTokenStep();
      for (let i = 0; i < 3; i++) outcomes.push((await refusal(tokenTry(started, wrong()))).code as string);
    }
    const last = await atTokenStep();
    const locking = await refusal(tokenTry(last, wrong()));
    const rightCode = await refusal(tokenTry(last, totpCode(seed, w.clock.now())));

    // Assert
    expect(outcomes).toEqual([
      'otp_invalid',
      'otp_invalid',
      'otp_locked',
      ...Array(6)
        .fill('')
        .map((_, i) => (i % 3 === 2 ? 'otp_locked' : 'otp_invalid')),
    ]);
    expect(locking).toMatchObject({ code: 'credential_locked', retryAfterSeconds: 1800 });
    expect(rightCode).toMatchObject({ code: 'credential_locked' });
    const emails = w.accounts.outbox.filter((m) => m.kind === 'token-locked');
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ username: 'Tomas.Mateos', customerId: tomas.customerId });
    expect(w.events.of('sign_in_locked').map((e) => e.phase)).toContain('token_failures');
    // Staff see the lock among the customer's recent security events: one audit entry with its email.
    expect(w.accounts.audit).toEqual([
      expect.objectContaining({ kind: 'token-locked', actor: 'system', customerId: tomas.customerId }),
    ]);
  });

  it('third audit, finding 15: a lock engaged again as each failure leaves the window is told once', async () => {
    // Arrange: wrong codes spread over 25 minutes; the 10th locks the token step
    const seed = await activate();
    const wrong = () => totpCode(seed, w.clock.now() + 300_000);
    for (const [round, tries] of [3, 3, 3, 1].entries()) {
      if (round > 0) w.clock.advanceSeconds(round === 3 ? 300 : 600);
      const started = await atTokenStep();
      for (let i = 0; i < tries; i++) await refusal(tokenTry(started, wrong()));
    }
    expect(w.accounts.outbox.filter((m) => m.kind === 'token-locked')).toHaveLength(1);

    // Act: the first three failures leave the window; the attacker spends the freed tries at once
    w.clock.advanceSeconds(301);
    const started = await atTokenStep();
    const relocking = [];
    for (let i = 0; i < 3; i++) relocking.push((await refusal(tokenTry(started, wrong()))).code);

    // Assert: locked again, with no second email or audit entry
    expect(relocking.at(-1)).toBe('credential_locked');
    expect(w.accounts.outbox.filter((m) => m.kind === 'token-locked')).toHaveLength(1);
    expect(w.accounts.audit.filter((e) => e.kind === 'token-locked')).toHaveLength(1);
    expect(w.events.of('sign_in_locked').map((e) => e.phase)).toContain('token_relocked');
  });

  it('the lock ends with the window, and a whole sign-in then clears the token and password counts', async () => {
    // Arrange
    const seed = await activate();
    for (let round = 0; round < 4; round++) {
      const started = await atTokenStep();
      for (let i = 0; i < (round < 3 ? 3 : 1); i++) {
        await refusal(tokenTry(started, totpCode(seed, w.clock.now() + 300_000)));
      }
    }

    // Act
    w.clock.advanceSeconds(1801);
    const started = await atTokenStep();
    const result = await tokenTry(started, totpCode(seed, w.clock.now()));

    // Assert
    expect(result).toMatchObject({ step: 'signed-in' });
    expect([...w.limits.hits.keys()].filter((k) => k.startsWith('tokfail#'))).toEqual([]);
    expect([...w.limits.pins.keys()].filter((k) => k.startsWith('pwd#'))).toEqual([]);
  });

  it('a right password before the token step does not reset the password count: the 6th S2 without a whole sign-in is locked', async () => {
    // Arrange
    await activate();
    for (let i = 0; i < 5; i++) await atTokenStep();

    // Act
    const { result } = await password('tomas.mateos', SIGN_IN_PASSWORD);

    // Assert
    expect(await refusal(result)).toMatchObject({ code: 'credential_locked' });
  });

  it('without a token, a right password is the whole sign-in and resets the count', async () => {
    // Arrange: four wrong passwords.
    for (let i = 0; i < 4; i++) await refusal((await password('tomas.mateos', 'una clave que no es')).result);

    // Act
    const token = await signedIn();
    const after = await refusal((await password('tomas.mateos', 'otra clave que no es')).result);

    // Assert: the count started again (a 5th failure in a row would have locked).
    expect(token).toEqual(expect.any(String));
    expect(after).toMatchObject({ code: 'invalid_credentials' });
    expect([...w.limits.pins.values()].map((p) => p.tries)).toEqual([1]);
  });
});

describe('second audit, finding 1: activation codes are bounded per customer, across sessions (like rule 40)', () => {
  it('the 10th wrong activation code across sessions answers 423, and a new session gets no comparison', async () => {
    // Arrange
    const wrongIn = async (token: string) => {
      await sendActivationCode(w.deps.sendCode, { token });
      const sent = /(\d{6})/.exec(w.sms.sent.at(-1)?.message ?? '')?.[1] as string;
      const wrong = sent === '000000' ? '111111' : '000000';
      return () =>
        refusal(verifyActivationCode(w.deps.verifyCode, { token, readBody: () => ({ code: wrong }) }));
    };
    const answers: string[] = [];
    for (let session = 0; session < 3; session++) {
      const tryWrong = await wrongIn(await signedIn());
      for (let i = 0; i < 3; i++) answers.push((await tryWrong()).code as string);
      w.clock.advanceSeconds(60);
    }

    // Act
    const tenth = await (await wrongIn(await signedIn()))();
    w.clock.advanceSeconds(60);
    const token = await signedIn();
    await sendActivationCode(w.deps.sendCode, { token });
    const right = /(\d{6})/.exec(w.sms.sent.at(-1)?.message ?? '')?.[1] as string;
    const refused = await refusal(
      verifyActivationCode(w.deps.verifyCode, { token, readBody: () => ({ code: right }) }),
    );

    // Assert
    expect(answers.filter((code) => code === 'credential_locked')).toEqual([]);
    expect(tenth).toMatchObject({ code: 'credential_locked' });
    expect(refused).toMatchObject({ code: 'credential_locked', retryAfterSeconds: expect.any(Number) });
    expect(w.accounts.users.get(w.user.userPk)?.pendingToken).toBeUndefined();
  });
});

describe('second audit, finding 7: S2 costs the same reads for unknown names', () => {
  it('a wrong password of a known name and any password of an unknown name read the same stores the same number of times', async () => {
    // Arrange
    const cost = async (username: string) => {
      const reads = w.accounts.getCalls.length;
      const tries = w.limits.pinTryCalls;
      await refusal((await password(username, 'una clave equivocada')).result);
      return { userReads: w.accounts.getCalls.length - reads, pinTries: w.limits.pinTryCalls - tries };
    };

    // Act
    const known = await cost('tomas.mateos');
    const unknown = await cost('nadie.sabe');

    // Assert
    expect(known).toEqual({ userReads: 2, pinTries: 1 }); // S1 and S2 each read one user key
    expect(unknown).toEqual(known);
  });
});
