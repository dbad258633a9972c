// The recovery session: the bearer token, the idle and absolute expiry of a registration (rule 23), and
// the step order verify-contact, enter-otp, new-password, completed.
import type { Recovery, RecoveryStep, RecoveryStore } from '../ports/recovery.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { type ErrorExtras, fail } from '../rules/errors.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { isIssuedId, tokenMatches } from '../rules/tokens.ts';

export interface RecoveryDeps {
  clock: Clock;
  recoveries: RecoveryStore;
  events: EventLog;
  /** The registration's timeouts: SESSION_IDLE_SECONDS and SESSION_MAX_SECONDS. */
  session: { idleSeconds: number; maxSeconds: number };
}

export interface RecoveryInput {
  recoveryId: string;
  token: string | undefined;
}

/** A recovery route's path id and bearer token, as the shared request parser reads them. */
export const recoveryInput = (session: {
  registrationId: string;
  token: string | undefined;
}): RecoveryInput => ({
  recoveryId: session.registrationId,
  token: session.token,
});

export const journey = { journey: 'recovery' } as const satisfies ErrorExtras;

/** Fails with the recovery's own Spanish text where it differs from the registration's. */
export const failRecovery = (code: Parameters<typeof fail>[0], extras: ErrorExtras = {}): never =>
  fail(code, { ...extras, ...journey });

/** The recovery the token belongs to, whatever its state; undefined when none does. */
export async function findRecovery(deps: RecoveryDeps, input: RecoveryInput): Promise<Recovery | undefined> {
  const lookUp = input.token !== undefined && isIssuedId(input.recoveryId);
  const recovery = lookUp ? await deps.recoveries.get(input.recoveryId) : undefined;
  if (!recovery || !input.token || !tokenMatches(input.token, recovery.tokenHash)) return undefined;
  return recovery;
}

/** The open recovery behind a live token, or 401 session_invalid. */
export async function loadRecovery(deps: RecoveryDeps, input: RecoveryInput): Promise<Recovery> {
  const recovery = await findRecovery(deps, input);
  const alive = recovery?.status === 'open' && deps.clock.now() < sessionExpiresAt(recovery, deps.session);
  if (!recovery || !alive) return failRecovery('session_invalid');
  return recovery;
}

/** Refuses a call made at the wrong step (logged): 409 step_out_of_order with the step to show. */
export function requireStep(
  deps: RecoveryDeps,
  recovery: Recovery,
  allowed: RecoveryStep[],
  requested: string,
) {
  if (allowed.includes(recovery.step)) return;
  deps.events.record({ event: 'step_refused', recoveryId: recovery.recoveryId, requested });
  failRecovery('step_out_of_order', { currentStep: recovery.step });
}

/** A write lost to a parallel call: answer with the state that won. */
export async function explainRecoveryConflict(deps: RecoveryDeps, input: RecoveryInput): Promise<never> {
  const current = await loadRecovery(deps, input);
  return failRecovery('step_out_of_order', { currentStep: current.step });
}
