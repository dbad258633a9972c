// R4: the new password, and in one transaction everything a recovery changes: the password replaced, the
// password and token locks cleared, every session and open sign-in ended (the user's session epoch rises),
// the digital token deactivated when the customer lost the phone, an email queued and an audit entry
// written. Idempotent like the registration's complete. At most RECOVERY_MAX_PER_CUSTOMER_PER_DAY a day.
import * as z from 'zod/mini';
import type { AccessStore, Recovery } from '../ports/recovery.ts';
import type { AccountStore, SecondFactorState } from '../ports/sign-in.ts';
import { ConflictError, type LimitStore } from '../ports/stores.ts';
import type { Hasher, Keyed, RandomSource } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { auditEntryId } from '../rules/audit.ts';
import { DependencyError, RegistrationError, retryAfterSeconds } from '../rules/errors.ts';
import { passwordLockKey, recoveryCountKey, tokenFailureKey } from '../rules/lock-keys.ts';
import { acceptNewPassword, newPasswordFields } from '../rules/new-password.ts';
import { parseBody } from '../rules/validation.ts';
import { secondFactorOf } from '../sign-in/session.ts';
import {
  explainRecoveryConflict,
  failRecovery,
  findRecovery,
  loadRecovery,
  type RecoveryDeps,
  type RecoveryInput,
  requireStep,
} from './session.ts';

export const resetPasswordSchema = z.strictObject({
  ...newPasswordFields,
  digitalToken: z.enum(['keep', 'reset'], 'digital_token_choice'),
});

export interface ResetPasswordDeps extends RecoveryDeps {
  random: RandomSource;
  keyed: Keyed;
  hasher: Hasher;
  limits: LimitStore;
  access: AccessStore;
  accounts: Pick<AccountStore, 'getUser'>;
  rules: { recoveryMaxPerCustomerPerDay: number };
}

export interface RecoveredAccess {
  step: 'completed';
  username: string;
  secondFactor: SecondFactorState;
}

const DAY_MS = 86_400_000;

const answerOf = (recovery: Recovery): RecoveredAccess => ({
  step: 'completed',
  username: recovery.username,
  secondFactor: recovery.secondFactor ?? 'later',
});

/** A repeated R4 (the client lost the answer): the same 200 for SESSION_IDLE_SECONDS, nothing done twice. */
async function repeatedAnswer(
  deps: RecoveryDeps,
  input: RecoveryInput,
): Promise<RecoveredAccess | undefined> {
  const done = await findRecovery(deps, input);
  const fresh =
    done?.status === 'completed' && deps.clock.now() < done.lastSeenAt + deps.session.idleSeconds * 1000;
  return fresh ? answerOf(done) : undefined;
}

export async function resetPassword(
  deps: ResetPasswordDeps,
  input: RecoveryInput & { readBody: () => unknown },
): Promise<RecoveredAccess> {
  let recovery: Recovery;
  try {
    recovery = await loadRecovery(deps, input);
  } catch (error) {
    const repeated =
      error instanceof RegistrationError && error.code === 'session_invalid'
        ? await repeatedAnswer(deps, input)
        : undefined;
    if (repeated) return repeated;
    throw error;
  }
  requireStep(deps, recovery, ['new-password'], 'password');
  const body = parseBody(resetPasswordSchema, input.readBody());
  const password = acceptNewPassword(body, {
    username: recovery.username,
    identityNumbers: recovery.identityNumbers,
  });
  const user = await deps.accounts.getUser(recovery.userPk);
  if (!user) throw new DependencyError('the user of an open recovery is gone');
  // Staff disabled the user after R1 (suspected fraud): the recovery must not go through.
  if (user.disabledAt !== undefined) {
    deps.events.record({
      event: 'recovery_cancelled',
      recoveryId: recovery.recoveryId,
      reason: 'user_disabled',
    });
    return failRecovery('user_disabled');
  }

  const now = deps.clock.now();
  const countKey = recoveryCountKey(recovery.customerId);
  const counted = await deps.limits.hit(countKey, deps.rules.recoveryMaxPerCustomerPerDay, DAY_MS, now);
  if (!counted.allowed) {
    deps.events.record({
      event: 'rate_limited',
      recoveryId: recovery.recoveryId,
      limit: 'recoveries_per_customer',
    });
    return failRecovery('rate_limited', {
      reason: 'recoveries_per_customer',
      retryAfterSeconds: retryAfterSeconds(counted.retryAt, now),
    });
  }

  const tokenReset = body.digitalToken === 'reset' && (user.digitalToken ?? user.pendingToken) !== undefined;
  const after = secondFactorOf(tokenReset ? { ...user, digitalToken: undefined } : user);
  const next: Recovery = {
    ...recovery,
    step: 'completed',
    status: 'completed',
    secondFactor: after,
    version: recovery.version + 1,
    lastSeenAt: now,
  };
  try {
    await deps.access.apply({
      customerId: recovery.customerId,
      userPk: recovery.userPk,
      passwordHash: await deps.hasher.hash(password),
      resetToken: tokenReset,
      endSessions: true,
      clearKeys: [passwordLockKey(deps.keyed, usernameKey(user.username)), tokenFailureKey(user.userId)],
      message: {
        kind: 'recovery-completed',
        messageId: deps.random.uuid(),
        customerId: recovery.customerId,
        username: user.username,
        tokenReset,
        at: now,
        createdAt: now,
      },
      audit: {
        customerId: recovery.customerId,
        eventId: auditEntryId(now, deps.random),
        at: now,
        kind: 'recovery-completed',
        actor: 'customer',
        details: { tokenReset, credentialType: recovery.credentialType },
      },
      recovery: { next, expectedVersion: recovery.version },
    });
  } catch (error) {
    await deps.limits.refund(countKey, counted.hitId);
    if (!(error instanceof ConflictError)) throw error;
    return (await repeatedAnswer(deps, input)) ?? explainRecoveryConflict(deps, input);
  }
  deps.events.record({ event: 'recovery_completed', recoveryId: recovery.recoveryId, tokenReset });
  return answerOf(next);
}
