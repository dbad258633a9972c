// S3: the code of the customer's active digital token. Each try is counted before the comparison, per
// sign-in (TOKEN_MAX_ATTEMPTS) and per user across sign-ins (TOKEN_MAX_FAILURES_PER_USER within
// PASSWORD_LOCK_SECONDS: a stolen password cannot buy endless guesses by starting over), and a time step is
// accepted once per user (rule 49): a right code of a step already accepted is refused as otp_already_used
// before anything is counted. Only the whole sign-in's success clears the password and token counts.
import * as z from 'zod/mini';
import { matchingStep } from '../digital-token/totp.ts';
import type { OnlineUser } from '../ports/sign-in.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Keyed, RandomSource, SecretBox } from '../ports/system.ts';
import { auditEntryId } from '../rules/audit.ts';
import { DependencyError, retryAfterSeconds } from '../rules/errors.ts';
import { boundReachedUntil, clearFailures, countTry, type FailureBound } from '../rules/failure-window.ts';
import { tokenFailureKey, tokenLockNoticeKey } from '../rules/lock-keys.ts';
import { parseBody } from '../rules/validation.ts';
import {
  type BearerInput,
  failSignIn,
  loadAttempt,
  openSession,
  passwordCountKey,
  requireCurrentUser,
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
  keyed: Keyed;
  limits: LimitStore;
  rules: SignInRules;
}

/** A user's wrong token codes across sign-ins. */
export const tokenBound = (rules: SignInRules, userId: string): FailureBound => ({
  key: tokenFailureKey(userId),
  max: rules.tokenMaxFailuresPerUser,
  windowMs: rules.passwordLockSeconds * 1000,
});

/** 423 credential_locked while the user's token codes are at their bound; the locking try queues the email. */
async function refuseLockedUser(
  deps: DigitalTokenDeps,
  event: Record<string, string>,
  user: OnlineUser,
  until: number,
  lockedNow: boolean,
): Promise<never> {
  const now = deps.clock.now();
  if (!lockedNow) {
    deps.events.record({ event: 'token_failure', ...event, reason: 'user_locked' });
    return failSignIn('credential_locked', { retryAfterSeconds: retryAfterSeconds(until, now) });
  }
  // A lock engaged again before the failures of the last one have all left the window (an attacker who
  // guesses each time a slot frees) is the same lock: the customer is told once (third audit, finding 15).
  const noticeKey = tokenLockNoticeKey(user.userId);
  const continued = await deps.limits.lockedUntil(noticeKey, now, Number.POSITIVE_INFINITY);
  await deps.limits.pinLock(noticeKey, now + tokenBound(deps.rules, user.userId).windowMs);
  deps.events.record({
    event: 'sign_in_locked',
    ...event,
    phase: continued ? 'token_relocked' : 'token_failures',
  });
  if (continued === undefined) {
    // One email and one audit entry per lock: parallel tries that reach the bound compute the same id.
    await deps.accounts.notify(
      {
        kind: 'token-locked',
        messageId: `token-locked-${user.userId}-${until}`,
        customerId: user.customerId,
        username: user.username,
        lockedUntil: until,
        createdAt: now,
      },
      {
        customerId: user.customerId,
        eventId: auditEntryId(now, deps.random),
        at: now,
        kind: 'token-locked',
        actor: 'system',
        details: { lockedUntil: new Date(until).toISOString() },
      },
    );
  }
  return failSignIn('credential_locked', { retryAfterSeconds: retryAfterSeconds(until, deps.clock.now()) });
}

/** A wrong code: 401 with the tries left, or 423 on the try that used the last one. */
export function refuseTokenCode(
  deps: Pick<SignedInDeps, 'events'>,
  event: Record<string, string>,
  reason: 'wrong_code' | 'locked',
  attemptsLeft: number,
): never {
  deps.events.record({ event: 'token_failure', ...event, reason });
  if (attemptsLeft > 0) return failSignIn('otp_invalid', { attemptsLeft });
  deps.events.record({ event: 'sign_in_locked', ...event, phase: 'token' });
  return failSignIn('otp_locked');
}

/**
 * A right code of a time step already accepted (signing out and in again within its 30 seconds): 401
 * otp_already_used. It is not a guess, so the pre-check path uses up no attempt; the app's next code works.
 */
function refuseUsedCode(deps: Pick<SignedInDeps, 'events'>, event: Record<string, string>): never {
  deps.events.record({ event: 'token_failure', ...event, reason: 'already_used' });
  return failSignIn('otp_already_used');
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
  const user = attempt.userPk ? await deps.accounts.getUser(attempt.userPk) : undefined;
  // A recovery (which may have reset the token) or staff ended this attempt since S2.
  if (user) requireCurrentUser(deps, attempt, user);
  if (!user?.digitalToken) throw new DependencyError('a sign-in waits for a token its user does not have');
  const bound = tokenBound(deps.rules, user.userId);
  const seed = deps.box.open(user.digitalToken.sealedSecret, user.userId);
  const step = matchingStep(seed, code, deps.clock.now());
  if (step !== undefined && step <= user.digitalToken.lastStep) {
    const until = await boundReachedUntil(deps, bound);
    if (until !== undefined) return refuseLockedUser(deps, event, user, until, false);
    return refuseUsedCode(deps, event);
  }

  const counted = await deps.signIns.countTokenAttempt(attempt.signInId, max);
  if (counted === undefined) return refuseTokenCode(deps, event, 'locked', 0);
  const tried = await countTry(deps, bound);
  if (tried.outcome === 'locked') return refuseLockedUser(deps, event, user, tried.until, false);

  // The step is taken in one conditional write: a parallel use of the same code fails there (counted).
  const accepted = step !== undefined && (await deps.accounts.acceptStep(user.userPk, step));
  if (!accepted) {
    const until = await boundReachedUntil(deps, bound);
    if (until !== undefined) return refuseLockedUser(deps, event, user, until, true);
    if (step !== undefined) return refuseUsedCode(deps, event);
    return refuseTokenCode(deps, event, 'wrong_code', max - counted);
  }
  // The whole sign-in succeeded: the user's token failures and the username's password count are forgotten.
  await clearFailures(deps, bound);
  await deps.limits.pinReset(passwordCountKey(deps.keyed, attempt));
  return openSession(deps, attempt, user);
}
