// Sending the SMS code of a session that proves the phone on file (the registration's step 2, the recovery's
// R2): the first send moves the session from verify-contact to enter-otp, a resend only records activity,
// and a failed SMS moves it back. One implementation for both journeys, on top of the SMS-code rules.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import { ConflictError } from '../ports/stores.ts';
import { DependencyError } from './errors.ts';
import { type EventFields, issueSmsCode, type SmsCodeDeps } from './sms-code.ts';

export interface SessionCodeRequest {
  /** The code table's key: the session's id. */
  subjectId: string;
  customerId: string;
  /** When the session ends (its absolute lifetime): the Retry-After of `sends_per_registration`. */
  endsAt: number;
  /** Still at verify-contact: this send moves the session to enter-otp. */
  moves: boolean;
  message: (code: string, ttlSeconds: number) => string;
  events: EventFields;
  /** Writes the moved session (version-conditional); throws ConflictError when a parallel call won. */
  move(): Promise<void>;
  /** Records activity of a resend. */
  touch(): Promise<void>;
  /** Moves the session back after the SMS failed. */
  moveBack(): Promise<void>;
}

export interface SentCode {
  step: 'enter-otp';
  expiresAt: string;
  resendAvailableAt: string;
  sendsLeft: number;
}

/** Thrown by the step write so the code rules undo the code, then reported as `conflict`. */
class StepConflict extends Error {}

/** The code sent, or `conflict` when a parallel call moved the session first (nothing was sent or kept). */
export async function sendSessionCode(
  deps: SmsCodeDeps & { directory: CustomerDirectory },
  request: SessionCodeRequest,
): Promise<SentCode | 'conflict'> {
  const customer = await deps.directory.getCustomer(request.customerId);
  if (!customer) throw new DependencyError('the customer of an open session is missing from the directory');
  try {
    const issued = await issueSmsCode(deps, {
      subjectId: request.subjectId,
      phone: customer.phone,
      message: request.message,
      subjectEndsAt: request.endsAt,
      events: request.events,
      beforeSend: async () => {
        try {
          await (request.moves ? request.move() : request.touch());
        } catch (error) {
          throw error instanceof ConflictError ? new StepConflict() : error;
        }
      },
      // The step goes back too: the customer asks for a code again from the same screen.
      afterSendFailed: async () => {
        if (request.moves) await request.moveBack();
      },
    });
    return {
      step: 'enter-otp',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      resendAvailableAt: new Date(issued.resendAvailableAt).toISOString(),
      sendsLeft: issued.sendsLeft,
    };
  } catch (error) {
    if (error instanceof StepConflict) return 'conflict';
    throw error;
  }
}
