// The SMS-code rules on their own, for a subject that is not a registration (the digital-token activation
// uses them with its own subject id): one implementation of lifetime, sends, cooldown, attempts.
import { describe, expect, it } from 'vitest';
import { checkSmsCode, issueSmsCode } from '../../lambdas/rules/sms-code.ts';
import { createWorld, refusal } from '../support/fakes.ts';

const subjectId = 'token-activation#user-1';
const phone = '+593991234190';
const message = (code: string) => `Produbanco: tu clave de activacion es ${code}.`;

function setUp(ints: number[]) {
  const world = createWorld({ ints });
  const deps = { ...world.deps.sendOtp };
  const issue = () =>
    issueSmsCode(deps, {
      subjectId,
      phone,
      message,
      subjectEndsAt: world.clock.now() + 600_000,
      events: { subjectId },
    });
  const check = (code: string, onWrongCode?: () => Promise<void>) =>
    checkSmsCode(deps, { subjectId, code, onWrongCode, events: { subjectId } });
  return { world, issue, check };
}

describe('sms-code: issue and check for any subject id', () => {
  it('sends the code to the given phone with the given text and accepts it once counted', async () => {
    // Prepare
    const { world, issue, check } = setUp([123456]);

    // Act
    const issued = await issue();
    const checked = await check('123456');

    // Assess
    expect(world.sms.sent).toEqual([{ to: phone, message: message('123456') }]);
    expect(issued.sendsLeft).toBe(world.rules.otp.maxSends - 1);
    expect(checked).toMatchObject({ found: true });
    expect(world.codes.records.get(subjectId)?.attempts).toBe(1);
  });

  it('a resend inside the cooldown is 429 resend_cooldown; after the sends, sends_per_registration', async () => {
    // Prepare
    const { world, issue } = setUp([1, 2, 3, 4]);
    await issue();

    // Act
    const early = await refusal(issue());
    for (let i = 1; i < world.rules.otp.maxSends; i++) {
      world.clock.advanceMs(world.rules.otp.cooldownSeconds * 1000);
      await issue();
    }
    world.clock.advanceMs(world.rules.otp.cooldownSeconds * 1000);
    const spent = await refusal(issue());

    // Assess
    expect([early.code, early.extras.reason]).toEqual(['rate_limited', 'resend_cooldown']);
    expect([spent.code, spent.extras.reason]).toEqual(['rate_limited', 'sends_per_registration']);
  });

  it('wrong codes: otp_invalid with attemptsLeft >= 1, the last one otp_locked; the hook runs on each', async () => {
    // Prepare
    const { world, issue, check } = setUp([555555]);
    await issue();
    let hooked = 0;
    const hook = async () => {
      hooked++;
    };

    // Act
    const answers = [];
    for (let i = 0; i < world.rules.otp.maxAttempts; i++) answers.push(await refusal(check('000000', hook)));

    // Assess
    expect(answers.map((e) => [e.code, e.extras.attemptsLeft])).toEqual([
      ['otp_invalid', 2],
      ['otp_invalid', 1],
      ['otp_locked', undefined],
    ]);
    expect(hooked).toBe(3);
    expect((await refusal(check('555555'))).code).toBe('otp_locked');
  });

  it('no code for the subject: found false, nothing counted', async () => {
    const { check } = setUp([]);
    expect(await check('123456')).toEqual({ found: false });
  });
});
