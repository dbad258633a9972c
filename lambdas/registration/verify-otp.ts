// Step 3: check the SMS code. The attempt is counted before the comparison; a right code is used once and
// rotates the token.
import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { type CodeStore, ConflictError } from '../ports/stores.ts';
import type { Keyed, RandomSource } from '../ports/system.ts';
import { fail } from './errors.ts';
import type { Registration } from './registration.ts';
import { codeDigest, type OtpRules } from './send-otp.ts';
import { explainConflict, loadSession, newToken, type SessionDeps, type SessionInput } from './session.ts';
import { parseBody } from './validation.ts';

export const verifyOtpSchema = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'code_format')),
});

export interface VerifyOtpDeps extends SessionDeps {
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  otp: Pick<OtpRules, 'maxAttempts'>;
}

const sameDigest = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export async function verifyOtp(
  deps: VerifyOtpDeps,
  input: SessionInput & { readBody: () => unknown },
): Promise<{ step: 'choose-username'; token: string }> {
  const registration = await loadSession(deps, input);
  const refuse = (reason: string): void =>
    deps.events.record({ event: 'otp_failure', registrationId: registration.registrationId, reason });
  if (registration.step !== 'enter-otp') {
    deps.events.record({
      event: 'step_refused',
      registrationId: registration.registrationId,
      requested: 'otp/verify',
    });
    return fail('step_out_of_order', { currentStep: registration.step });
  }

  const { code } = parseBody(verifyOtpSchema, input.readBody());
  const now = deps.clock.now();
  const counted = await deps.codes.countAttempt(registration.registrationId, now, deps.otp.maxAttempts);
  if (!counted) {
    const stored = await deps.codes.get(registration.registrationId);
    if (!stored) return fail('step_out_of_order', { currentStep: registration.step });
    if (stored.expiresAt <= now) {
      refuse('expired');
      return fail('otp_expired');
    }
    refuse(stored.used ? 'used' : 'locked');
    return fail('otp_locked');
  }

  const attemptsLeft = Math.max(0, deps.otp.maxAttempts - counted.attempts);
  if (!sameDigest(codeDigest(deps.keyed, registration.registrationId, code), counted.codeHmac)) {
    refuse('wrong_code');
    return fail('otp_invalid', { attemptsLeft });
  }

  const { token, tokenHash } = newToken(deps.random);
  const next: Registration = {
    ...registration,
    tokenHash,
    step: 'choose-username',
    version: registration.version + 1,
    lastSeenAt: now,
  };
  try {
    await deps.registrations.saveWithCodeUsed(next, registration.version, counted.codeHmac);
  } catch (error) {
    if (error instanceof ConflictError) return explainConflict(deps, input);
    throw error;
  }
  deps.events.record({ event: 'otp_verified', registrationId: registration.registrationId });
  return { step: 'choose-username', token };
}
