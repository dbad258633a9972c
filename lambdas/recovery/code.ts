// R2 and R3: the SMS code that proves the phone on file, under the registration's SMS-code rules (one
// implementation: sms-code.ts) and its per-customer bound (rule 40, one counter across registrations and
// recoveries). A right code rotates the token and shows the username: that is how a forgotten one returns.
import * as z from 'zod/mini';
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { RecoveryStep } from '../ports/recovery.ts';
import type { AccountStore, SecondFactorState } from '../ports/sign-in.ts';
import { type CodeStore, ConflictError } from '../ports/stores.ts';
import type { Keyed, RandomSource } from '../ports/system.ts';
import {
  type CustomerLockDeps,
  countWrongCustomerCode,
  refuseLockedCustomer,
} from '../rules/credential-locks.ts';
import { DependencyError } from '../rules/errors.ts';
import { type SentCode, sendSessionCode } from '../rules/session-code.ts';
import { checkSmsCode, type SmsCodeDeps, type SmsCodeRules } from '../rules/sms-code.ts';
import { newToken } from '../rules/tokens.ts';
import { parseBody } from '../rules/validation.ts';
import { waitText } from '../rules/wait-text.ts';
import { secondFactorOf } from '../sign-in/session.ts';
import {
  explainRecoveryConflict,
  failRecovery,
  journey,
  loadRecovery,
  type RecoveryDeps,
  type RecoveryInput,
  requireStep,
} from './session.ts';

/** One GSM-7 segment, no accented vowels (rule 16); it says what the code is for. */
export const recoveryOtpMessage = (code: string, ttlSeconds: number): string =>
  `Produbanco: tu clave temporal para recuperar tu acceso es ${code}. Vence en ${waitText(ttlSeconds)}. No la compartas con nadie.`;

export interface SendRecoveryCodeDeps extends RecoveryDeps, SmsCodeDeps {
  directory: CustomerDirectory;
}

export async function sendRecoveryCode(deps: SendRecoveryCodeDeps, input: RecoveryInput): Promise<SentCode> {
  const recovery = await loadRecovery(deps, input);
  requireStep(deps, recovery, ['verify-contact', 'enter-otp'], 'otp');
  const now = deps.clock.now();
  const moves = recovery.step === 'verify-contact';
  const next = { ...recovery, step: 'enter-otp' as const, version: recovery.version + 1, lastSeenAt: now };
  const sent = await sendSessionCode(deps, {
    subjectId: recovery.recoveryId,
    customerId: recovery.customerId,
    endsAt: recovery.createdAt + deps.session.maxSeconds * 1000,
    moves,
    message: recoveryOtpMessage,
    events: { recoveryId: recovery.recoveryId },
    move: () => deps.recoveries.save(next, recovery.version),
    touch: () => deps.recoveries.touch(recovery.recoveryId, now),
    moveBack: () => deps.recoveries.save({ ...recovery, version: next.version + 1 }, next.version),
  });
  return sent === 'conflict' ? explainRecoveryConflict(deps, input) : sent;
}

export const verifyRecoveryCodeSchema = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'code_format')),
});

export interface VerifyRecoveryCodeDeps extends RecoveryDeps, CustomerLockDeps {
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  accounts: Pick<AccountStore, 'getUser'>;
  otp: Pick<SmsCodeRules, 'maxAttempts'> & CustomerLockDeps['otp'];
}

export interface VerifiedRecovery {
  step: Extract<RecoveryStep, 'new-password'>;
  token: string;
  username: string;
  secondFactor: SecondFactorState;
}

export async function verifyRecoveryCode(
  deps: VerifyRecoveryCodeDeps,
  input: RecoveryInput & { readBody: () => unknown },
): Promise<VerifiedRecovery> {
  const recovery = await loadRecovery(deps, input);
  requireStep(deps, recovery, ['enter-otp'], 'otp/verify');
  const { code } = parseBody(verifyRecoveryCodeSchema, input.readBody());
  const events = { recoveryId: recovery.recoveryId };
  await refuseLockedCustomer(deps, recovery.customerId, events, journey);
  const checked = await checkSmsCode(deps, {
    subjectId: recovery.recoveryId,
    code,
    events,
    onWrongCode: countWrongCustomerCode(
      deps,
      recovery.customerId,
      async () => {
        const closed = { ...recovery, status: 'cancelled' as const, version: recovery.version + 1 };
        await deps.recoveries.save(closed, recovery.version).catch((error: unknown) => {
          if (!(error instanceof ConflictError)) throw error;
        });
        deps.events.record({ event: 'recovery_cancelled', ...events, reason: 'otp_failures' });
      },
      journey,
    ),
  });
  if (!checked.found) return failRecovery('step_out_of_order', { currentStep: recovery.step });

  const user = await deps.accounts.getUser(recovery.userPk);
  if (!user) throw new DependencyError('the user of an open recovery is gone');
  const secondFactor = secondFactorOf(user);
  const { token, tokenHash } = newToken(deps.random);
  const next = {
    ...recovery,
    tokenHash,
    step: 'new-password' as const,
    secondFactor,
    version: recovery.version + 1,
    lastSeenAt: deps.clock.now(),
  };
  try {
    await deps.recoveries.saveWithCodeUsed(next, recovery.version, checked.codeHmac);
  } catch (error) {
    if (error instanceof ConflictError) return explainRecoveryConflict(deps, input);
    throw error;
  }
  deps.events.record({ event: 'otp_verified', ...events });
  return { step: 'new-password', token, username: recovery.username, secondFactor };
}
