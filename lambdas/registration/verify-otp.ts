// Step 3: check the SMS code under the SMS-code rules (sms-code.ts); a right code is used once and rotates
// the token.
import * as z from 'zod/mini';
import { type CodeStore, ConflictError } from '../ports/stores.ts';
import type { Keyed, RandomSource } from '../ports/system.ts';
import {
  type CustomerLockDeps,
  countWrongCustomerCode,
  refuseLockedCustomer,
} from '../rules/credential-locks.ts';
import { fail } from '../rules/errors.ts';
import { checkSmsCode, type SmsCodeRules } from '../rules/sms-code.ts';
import { newToken } from '../rules/tokens.ts';
import { parseBody } from '../rules/validation.ts';
import type { Registration } from './registration.ts';
import { explainConflict, loadSession, type SessionDeps, type SessionInput } from './session.ts';

export const verifyOtpSchema = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'code_format')),
});

export interface VerifyOtpDeps extends SessionDeps, CustomerLockDeps {
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  otp: Pick<SmsCodeRules, 'maxAttempts'> & CustomerLockDeps['otp'];
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
  // Rule 40 (finding 4 of the second audit): a customer at the bound gets no comparison at all.
  await refuseLockedCustomer(deps, registration.customerId, { registrationId: registration.registrationId });
  const checked = await checkSmsCode(deps, {
    subjectId: registration.registrationId,
    code,
    events: { registrationId: registration.registrationId },
    // Rule 40: the customer's wrong codes across registrations; the one that reaches the bound closes this
    // registration first, then locks every credential in one transaction (all or none).
    onWrongCode: countWrongCustomerCode(deps, registration.customerId, async () => {
      const closed = { ...registration, status: 'cancelled' as const, version: registration.version + 1 };
      await deps.registrations.save(closed, registration.version).catch((error: unknown) => {
        // A parallel call moved it first: the lock holds anyway, and the next step 1 closes it.
        if (!(error instanceof ConflictError)) throw error;
      });
      deps.events.record({
        event: 'registration_cancelled',
        registrationId: registration.registrationId,
        reason: 'otp_failures',
      });
    }),
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
