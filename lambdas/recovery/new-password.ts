// R4: the new password, and in one transaction everything a recovery changes: the password replaced, the
// password and token locks cleared, every session and open sign-in ended (the user's session epoch rises),
// the digital token deactivated when the customer lost the phone, an email queued and an audit entry
// written. Idempotent like the registration's complete. At most RECOVERY_MAX_PER_CUSTOMER_PER_DAY a day.
// A reset of an active token is held instead (rule 54, hold.ts): announced now, applied when the hold ends.
import * as z from 'zod/mini';
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { SmsSender } from '../ports/notifications.ts';
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
  /** The hold's SMS goes to the phone on file. */
  directory: CustomerDirectory;
  sms: SmsSender;
  rules: { recoveryMaxPerCustomerPerDay: number; tokenResetHoldSeconds: number };
}

export type RecoveredAccess =
  | { step: 'completed'; username: string; secondFactor: SecondFactorState }
  /** A reset of the active token waits until `until` (ISO time). */
  | { step: 'on-hold'; username: string; until: string };

const DAY_MS = 86_400_000;

const answerOf = (recovery: Recovery): RecoveredAccess =>
  recovery.step === 'on-hold'
    ? { step: 'on-hold', username: recovery.username, until: new Date(recovery.holdUntil ?? 0).toISOString() }
    : { step: 'completed', username: recovery.username, secondFactor: recovery.secondFactor ?? 'later' };

/** The hold's SMS: what was asked, when it applies, how to stop it; no link (the phone may be the attacker's). */
export const holdSms = (until: number): string =>
  `Produbanco: se pidio cambiar tu clave y desactivar tu Token digital. Se aplicara el ${new Intl.DateTimeFormat(
    'es-EC',
    { dateStyle: 'short', timeStyle: 'short', timeZone: 'America/Guayaquil' },
  ).format(until)}. Si no fuiste tu, usa el enlace de tu correo o llama al 1700 123 123.`;

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
  // Rule 54: an active token protects the sign-in; removing it with a card and a SIM alone must wait.
  const held = tokenReset && user.digitalToken !== undefined;
  const holdUntil = now + deps.rules.tokenResetHoldSeconds * 1000;
  const after = secondFactorOf(tokenReset ? { ...user, digitalToken: undefined } : user);
  const next: Recovery = {
    ...recovery,
    step: held ? 'on-hold' : 'completed',
    status: 'completed',
    secondFactor: held ? secondFactorOf(user) : after,
    ...(held ? { holdUntil } : {}),
    version: recovery.version + 1,
    lastSeenAt: now,
  };
  const passwordHash = await deps.hasher.hash(password);
  const audit = {
    customerId: recovery.customerId,
    eventId: auditEntryId(now, deps.random),
    at: now,
    actor: 'customer',
  };
  try {
    await deps.access.apply(
      held
        ? {
            customerId: recovery.customerId,
            userPk: recovery.userPk,
            hold: { recoveryId: recovery.recoveryId, passwordHash, requestedAt: now, until: holdUntil },
            clearKeys: [],
            message: {
              kind: 'recovery-on-hold',
              messageId: deps.random.uuid(),
              customerId: recovery.customerId,
              username: user.username,
              until: holdUntil,
              createdAt: now,
            },
            audit: {
              ...audit,
              kind: 'recovery-on-hold',
              details: { until: new Date(holdUntil).toISOString(), credentialType: recovery.credentialType },
            },
            recovery: { next, expectedVersion: recovery.version },
          }
        : {
            customerId: recovery.customerId,
            userPk: recovery.userPk,
            passwordHash,
            resetToken: tokenReset,
            endSessions: true,
            clearKeys: [
              passwordLockKey(deps.keyed, usernameKey(user.username)),
              tokenFailureKey(user.userId),
            ],
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
              ...audit,
              kind: 'recovery-completed',
              details: { tokenReset, credentialType: recovery.credentialType },
            },
            recovery: { next, expectedVersion: recovery.version },
          },
    );
  } catch (error) {
    await deps.limits.refund(countKey, counted.hitId);
    if (!(error instanceof ConflictError)) throw error;
    return (await repeatedAnswer(deps, input)) ?? explainRecoveryConflict(deps, input);
  }
  if (held) {
    deps.events.record({ event: 'recovery_on_hold', recoveryId: recovery.recoveryId });
    await announceHold(deps, recovery, holdUntil);
  } else {
    deps.events.record({ event: 'recovery_completed', recoveryId: recovery.recoveryId, tokenReset });
  }
  return answerOf(next);
}

/** The hold's SMS to the phone on file (the email went with the hold); a failed SMS does not undo the hold. */
async function announceHold(deps: ResetPasswordDeps, recovery: Recovery, until: number): Promise<void> {
  try {
    const customer = await deps.directory.getCustomer(recovery.customerId);
    if (!customer) throw new DependencyError('the customer of a recovery is missing from the directory');
    await deps.sms.send(customer.phone, holdSms(until));
  } catch (error) {
    deps.events.record({
      event: 'hold_sms_failed',
      recoveryId: recovery.recoveryId,
      problem: (error as Error).name,
    });
  }
}
