// S2: the password, checked the way it was created (NFKC, argon2id with the pepper), with a dummy check for
// unknown names and a lock after PASSWORD_MAX_ATTEMPTS failures per username, known or not (rule 48). From a
// known device the count is the device's own, and the username's lock does not apply (rule 57).
import * as z from 'zod/mini';
import type { AccessStore } from '../ports/recovery.ts';
import { ABSENT_USER_PK } from '../ports/sign-in.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Hasher, Keyed, RandomSource } from '../ports/system.ts';
import { withEndedHoldApplied } from '../recovery/hold.ts';
import { verifyOrDummy } from '../rules/equal-work.ts';
import { lockedCheck } from '../rules/lockout.ts';
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

// The policy's length rule was checked at creation; this bound only stops absurd bodies.
export const passwordSchema = z.strictObject({
  password: z.string().check(z.minLength(1, 'required'), z.maxLength(512, 'password_length')),
});

export interface PasswordDeps extends SignedInDeps {
  random: RandomSource;
  keyed: Keyed;
  hasher: Hasher;
  limits: LimitStore;
  /** Applies a held reset whose hold ended meanwhile (rule 54). */
  access: Pick<AccessStore, 'apply'>;
  rules: SignInRules;
}

export async function signInWithPassword(
  deps: PasswordDeps,
  input: BearerInput & { readBody: () => unknown },
): Promise<SignedInResult | { step: 'digital-token' }> {
  const attempt = await loadAttempt(deps, input);
  requireStatus(deps, attempt, 'password');
  const { password } = parseBody(passwordSchema, input.readBody());
  const { rules } = deps;
  const lockKey = passwordCountKey(deps.keyed, attempt);
  const checked = await lockedCheck(
    deps,
    lockKey,
    // The count is reset when the whole sign-in succeeds (here without a token, in S3 with one).
    { maxAttempts: rules.passwordMaxAttempts, lockSeconds: rules.passwordLockSeconds, resetOnPass: false },
    async () => {
      // An unknown name reads a user key that does not exist: the same read as a real one (S2 timing).
      const user = await deps.accounts.getUser(attempt.userPk ?? ABSENT_USER_PK);
      // NFKC, exactly as create-password normalised it before hashing; a dummy verify for an unknown name.
      const matches = await verifyOrDummy(deps.hasher, user?.passwordHash, password.normalize('NFKC'));
      return matches ? user : undefined;
    },
  );
  if (checked.outcome === 'locked') {
    deps.events.record({ event: 'sign_in_locked', signInId: attempt.signInId, phase: 'refused' });
    return failSignIn('credential_locked', { retryAfterSeconds: checked.retryAfterSeconds });
  }
  if (checked.outcome === 'failed') {
    deps.events.record({
      event: 'sign_in_failure',
      signInId: attempt.signInId,
      reason: 'password',
      tries: checked.tries,
    });
    if (checked.lockedNow) {
      deps.events.record({ event: 'sign_in_locked', signInId: attempt.signInId, phase: 'engaged' });
      // A device token whose own count ran out is dead: that browser is a stranger again (rule 57).
      if (attempt.deviceHash && attempt.userPk) {
        await deps.accounts.forgetDevice(attempt.userPk, attempt.deviceHash);
        deps.events.record({ event: 'device_forgotten', signInId: attempt.signInId });
      }
    }
    return failSignIn('invalid_credentials');
  }
  const user = checked.value;
  // A held reset ended since S1: it applies now, and this attempt (opened under the old epoch) is over.
  if (user.heldReset && deps.clock.now() >= user.heldReset.until) {
    await withEndedHoldApplied(deps, user);
    return failSignIn('session_invalid');
  }
  requireCurrentUser(deps, attempt, user);

  if (user.digitalToken) {
    if (!(await deps.signIns.advance(attempt.signInId, 'password', 'digital-token', deps.clock.now()))) {
      return failSignIn('session_invalid');
    }
    return { step: 'digital-token' };
  }
  await deps.limits.pinReset(lockKey);
  return openSession(deps, attempt, user);
}
