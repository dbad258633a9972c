// Step 2: send a fresh six-digit code by SMS to the phone on file, under the SMS-code rules (sms-code.ts).
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import { fail } from '../rules/errors.ts';
import { type SentCode, sendSessionCode } from '../rules/session-code.ts';
import type { SmsCodeDeps } from '../rules/sms-code.ts';
import { waitText } from '../rules/wait-text.ts';
import { explainConflict, loadSession, type SessionDeps, type SessionInput } from './session.ts';

export interface SendOtpDeps extends SessionDeps, SmsCodeDeps {
  directory: CustomerDirectory;
}

export type SendOtpResult = SentCode;

/** One GSM-7 segment: no accented vowels, at most 160 characters (rule 16). */
export const otpMessage = (code: string, ttlSeconds: number): string =>
  `Produbanco: tu clave temporal de registro es ${code}. Vence en ${waitText(ttlSeconds)}. No la compartas con nadie.`;

export async function sendOtp(deps: SendOtpDeps, input: SessionInput): Promise<SendOtpResult> {
  const registration = await loadSession(deps, input);
  if (registration.step !== 'verify-contact' && registration.step !== 'enter-otp') {
    deps.events.record({
      event: 'step_refused',
      registrationId: registration.registrationId,
      requested: 'otp',
    });
    return fail('step_out_of_order', { currentStep: registration.step });
  }
  const now = deps.clock.now();
  const moves = registration.step === 'verify-contact';
  const next = {
    ...registration,
    step: 'enter-otp' as const,
    version: registration.version + 1,
    lastSeenAt: now,
  };
  const sent = await sendSessionCode(deps, {
    subjectId: registration.registrationId,
    customerId: registration.customerId,
    endsAt: registration.createdAt + deps.session.maxSeconds * 1000,
    moves,
    message: otpMessage,
    events: { registrationId: registration.registrationId },
    move: () => deps.registrations.save(next, registration.version),
    touch: () => deps.registrations.touch(registration.registrationId, now),
    moveBack: () => deps.registrations.save({ ...registration, version: next.version + 1 }, next.version),
  });
  return sent === 'conflict' ? explainConflict(deps, input) : sent;
}
