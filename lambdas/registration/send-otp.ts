// Step 2: send a fresh six-digit code by SMS to the phone on file, under the SMS-code rules (sms-code.ts).
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import { ConflictError } from '../ports/stores.ts';
import { DependencyError, fail } from '../rules/errors.ts';
import { issueSmsCode, type SmsCodeDeps } from '../rules/sms-code.ts';
import { explainConflict, loadSession, type SessionDeps, type SessionInput } from './session.ts';

export interface SendOtpDeps extends SessionDeps, SmsCodeDeps {
  directory: CustomerDirectory;
}

export interface SendOtpResult {
  step: 'enter-otp';
  expiresAt: string;
  resendAvailableAt: string;
  sendsLeft: number;
}

/** One GSM-7 segment: no accented vowels, at most 160 characters (rule 16). */
export const otpMessage = (code: string, ttlSeconds: number): string =>
  `Produbanco: tu clave temporal de registro es ${code}. Vence en ${Math.round(ttlSeconds / 60)} minutos. No la compartas con nadie.`;

/** Thrown by the step write so the shared code rules undo the code, then explained to the client. */
class StepConflict extends Error {}

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
  const customer = await deps.directory.getCustomer(registration.customerId);
  if (!customer) throw new DependencyError('customer of an open registration is missing from the directory');

  const now = deps.clock.now();
  const moves = registration.step === 'verify-contact';
  const next = {
    ...registration,
    step: 'enter-otp' as const,
    version: registration.version + 1,
    lastSeenAt: now,
  };
  try {
    const issued = await issueSmsCode(deps, {
      subjectId: registration.registrationId,
      phone: customer.phone,
      message: otpMessage,
      subjectEndsAt: registration.createdAt + deps.session.maxSeconds * 1000,
      events: { registrationId: registration.registrationId },
      beforeSend: async () => {
        try {
          if (moves) await deps.registrations.save(next, registration.version);
          else await deps.registrations.touch(registration.registrationId, now);
        } catch (error) {
          throw error instanceof ConflictError ? new StepConflict() : error;
        }
      },
      // The step goes back too: the customer asks for a code again from the same screen.
      afterSendFailed: async () => {
        if (moves)
          await deps.registrations.save({ ...registration, version: next.version + 1 }, next.version);
      },
    });
    return {
      step: 'enter-otp',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      resendAvailableAt: new Date(issued.resendAvailableAt).toISOString(),
      sendsLeft: issued.sendsLeft,
    };
  } catch (error) {
    if (error instanceof StepConflict) return explainConflict(deps, input);
    throw error;
  }
}
