// The recovery session's other ends: resume after a reload, and cancel.
import type { RecoveryStep } from '../ports/recovery.ts';
import type { SecondFactorState } from '../ports/sign-in.ts';
import { ConflictError } from '../ports/stores.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import {
  explainRecoveryConflict,
  findRecovery,
  loadRecovery,
  type RecoveryDeps,
  type RecoveryInput,
} from './session.ts';

export interface RecoveryState {
  step: RecoveryStep;
  expiresAt: string;
  contact: { phone: string; email: string };
  /** Shown once the SMS code proved the phone. */
  username?: string;
  secondFactor?: SecondFactorState;
  /** A held token reset (step on-hold): when it applies. */
  until?: string;
}

export async function getRecovery(deps: RecoveryDeps, input: RecoveryInput): Promise<RecoveryState> {
  const now = deps.clock.now();
  // A reload of the held recovery's last screen shows it again while the recovery session would have lived.
  const held = await findRecovery(deps, input);
  if (held?.step === 'on-hold' && held.holdUntil && now < sessionExpiresAt(held, deps.session)) {
    return {
      step: 'on-hold',
      expiresAt: new Date(sessionExpiresAt(held, deps.session)).toISOString(),
      contact: held.contact,
      username: held.username,
      until: new Date(held.holdUntil).toISOString(),
    };
  }
  const recovery = await loadRecovery(deps, input);
  await deps.recoveries.touch(recovery.recoveryId, now);
  const proven = recovery.step === 'new-password';
  return {
    step: recovery.step,
    expiresAt: new Date(sessionExpiresAt({ ...recovery, lastSeenAt: now }, deps.session)).toISOString(),
    contact: recovery.contact,
    ...(proven ? { username: recovery.username, secondFactor: recovery.secondFactor } : {}),
  };
}

export async function cancelRecovery(deps: RecoveryDeps, input: RecoveryInput): Promise<void> {
  const recovery = await loadRecovery(deps, input);
  const next = {
    ...recovery,
    status: 'cancelled' as const,
    version: recovery.version + 1,
    lastSeenAt: deps.clock.now(),
  };
  try {
    await deps.recoveries.save(next, recovery.version);
  } catch (error) {
    if (error instanceof ConflictError) return explainRecoveryConflict(deps, input);
    throw error;
  }
  deps.events.record({ event: 'recovery_cancelled', recoveryId: recovery.recoveryId });
}
