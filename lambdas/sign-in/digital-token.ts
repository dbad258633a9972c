// S3: the code of the customer's active digital token. Each try is counted before the comparison
// (TOKEN_MAX_ATTEMPTS per sign-in), and a time step is accepted once per user (rule 49).
import * as z from 'zod/mini';
import { matchingStep } from '../digital-token/totp.ts';
import type { RandomSource, SecretBox } from '../ports/system.ts';
import { DependencyError } from '../rules/errors.ts';
import { parseBody } from '../rules/validation.ts';
import {
  type BearerInput,
  failSignIn,
  loadAttempt,
  openSession,
  requireStatus,
  type SignedInDeps,
  type SignedInResult,
  type SignInRules,
} from './session.ts';

export const tokenCodeSchema = z.strictObject({
  code: z.string().check(z.regex(/^\d{6}$/, 'token_code_format')),
});

export interface DigitalTokenDeps extends SignedInDeps {
  random: RandomSource;
  box: SecretBox;
  rules: SignInRules;
}

/** A wrong (or replayed) code: 401 with the tries left, or 423 on the try that used the last one. */
export function refuseTokenCode(
  deps: Pick<SignedInDeps, 'events'>,
  event: Record<string, string>,
  reason: 'wrong_code' | 'replayed' | 'locked',
  attemptsLeft: number,
): never {
  deps.events.record({ event: 'token_failure', ...event, reason });
  if (attemptsLeft > 0) return failSignIn('otp_invalid', { attemptsLeft });
  deps.events.record({ event: 'sign_in_locked', ...event, phase: 'token' });
  return failSignIn('otp_locked');
}

export async function signInWithDigitalToken(
  deps: DigitalTokenDeps,
  input: BearerInput & { readBody: () => unknown },
): Promise<SignedInResult> {
  const attempt = await loadAttempt(deps, input);
  requireStatus(deps, attempt, 'digital-token');
  const { code } = parseBody(tokenCodeSchema, input.readBody());
  const max = deps.rules.tokenMaxAttempts;
  const event = { signInId: attempt.signInId };
  const counted = await deps.signIns.countTokenAttempt(attempt.signInId, max);
  if (counted === undefined) return refuseTokenCode(deps, event, 'locked', 0);

  const user = attempt.userPk ? await deps.accounts.getUser(attempt.userPk) : undefined;
  if (!user?.digitalToken) throw new DependencyError('a sign-in waits for a token its user does not have');
  const seed = deps.box.open(user.digitalToken.sealedSecret, user.userId);
  const step = matchingStep(seed, code, deps.clock.now());
  if (step === undefined) return refuseTokenCode(deps, event, 'wrong_code', max - counted);
  // The step is taken in one conditional write: a code seen before (or a parallel use of it) fails here.
  if (!(await deps.accounts.acceptStep(user.userPk, step))) {
    return refuseTokenCode(deps, event, 'replayed', max - counted);
  }
  return openSession(deps, attempt, user);
}
