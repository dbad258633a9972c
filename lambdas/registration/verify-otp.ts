// Step 3: check the SMS code under the SMS-code rules (sms-code.ts); a right code is used once and rotates
// the token.
import * as z from 'zod/mini';
import { type CodeStore, ConflictError } from '../ports/stores.ts';
import type { Keyed, RandomSource } from '../ports/system.ts';
import { fail } from './errors.ts';
import type { Registration } from './registration.ts';
import { explainConflict, loadSession, newToken, type SessionDeps, type SessionInput } from './session.ts';
import { checkSmsCode, type SmsCodeRules } from './sms-code.ts';
import { parseBody } from './validation.ts';

export const verifyOtpSchema = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'code_format')),
});

export interface VerifyOtpDeps extends SessionDeps {
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  otp: Pick<SmsCodeRules, 'maxAttempts'>;
}

export async function verifyOtp(
  deps: VerifyOtpDeps,
  input: SessionInput & { readBody: () => unknown },
): Promise<{ step: 'choose-username'; token: string }> {
  const registration = await loadSession(deps, input);
  if (registration.step !== 'enter-otp') {
    deps.events.record({
      event: 'step_refused',
      registrationId: registration.registrationId,
      requested: 'otp/verify',
    });
    return fail('step_out_of_order', { currentStep: registration.step });
  }

  const { code } = parseBody(verifyOtpSchema, input.readBody());
  const checked = await checkSmsCode(deps, {
    subjectId: registration.registrationId,
    code,
    events: { registrationId: registration.registrationId },
  });
  if (!checked.found) return fail('step_out_of_order', { currentStep: registration.step });

  const { token, tokenHash } = newToken(deps.random);
  const next: Registration = {
    ...registration,
    tokenHash,
    step: 'choose-username',
    version: registration.version + 1,
    lastSeenAt: deps.clock.now(),
  };
  try {
    await deps.registrations.saveWithCodeUsed(next, registration.version, checked.codeHmac);
  } catch (error) {
    if (error instanceof ConflictError) return explainConflict(deps, input);
    throw error;
  }
  deps.events.record({ event: 'otp_verified', registrationId: registration.registrationId });
  return { step: 'choose-username', token };
}
