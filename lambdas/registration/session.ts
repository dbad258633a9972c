// The registration session: bearer tokens, expiry, and the one conditional write each wizard step makes.
import { ConflictError, type RegistrationStore } from '../ports/stores.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { fail } from '../rules/errors.ts';
import { isIssuedId, tokenMatches } from '../rules/tokens.ts';
import { isAlive, type Registration } from './registration.ts';
import { type Step, stepAfter } from './steps.ts';

export interface SessionRules {
  idleSeconds: number;
  maxSeconds: number;
}

export interface SessionDeps {
  clock: Clock;
  registrations: RegistrationStore;
  events: EventLog;
  session: SessionRules;
}

export interface SessionInput {
  registrationId: string;
  token: string | undefined;
}

/** The registration the token belongs to, whatever its state; undefined when none does. */
export async function findByToken(deps: SessionDeps, input: SessionInput): Promise<Registration | undefined> {
  const lookUp = input.token !== undefined && isIssuedId(input.registrationId);
  const registration = lookUp ? await deps.registrations.get(input.registrationId) : undefined;
  if (!registration || !input.token || !tokenMatches(input.token, registration.tokenHash)) return undefined;
  return registration;
}

/** The registration behind a live token, or 401 session_invalid for any other case. */
export async function loadSession(deps: SessionDeps, input: SessionInput): Promise<Registration> {
  const registration = await findByToken(deps, input);
  if (!registration || !isAlive(registration, deps.clock.now(), deps.session)) return fail('session_invalid');
  return registration;
}

/** Loads the session, refuses a step that is not open yet (logged), and returns the step it leaves. */
export async function openStep(
  deps: SessionDeps,
  input: SessionInput,
  step: Step,
): Promise<{ registration: Registration; after: Step }> {
  const registration = await loadSession(deps, input);
  try {
    return { registration, after: stepAfter(registration.step, step) };
  } catch (error) {
    deps.events.record({
      event: 'step_refused',
      registrationId: registration.registrationId,
      requested: step,
      currentStep: registration.step,
    });
    throw error;
  }
}

/**
 * A write lost to a parallel call: answer with the state that won, so that the client shows the right step
 * (or learns its session ended).
 */
export async function explainConflict(deps: SessionDeps, input: SessionInput): Promise<never> {
  const current = await loadSession(deps, input);
  return fail('step_out_of_order', { currentStep: current.step });
}

/**
 * Runs one of the repeatable wizard steps (username to second factor): the changes it computes are written
 * in one conditional update on the registration's version.
 */
export async function runStep(
  deps: SessionDeps,
  input: SessionInput,
  step: Step,
  changes: (registration: Registration) => Promise<Partial<Registration>> | Partial<Registration>,
  write: (next: Registration, expectedVersion: number) => Promise<void> = (next, v) =>
    deps.registrations.save(next, v),
): Promise<{ step: Step; registration: Registration }> {
  const { registration, after } = await openStep(deps, input, step);
  const computed = await changes(registration);
  const next: Registration = {
    ...registration,
    ...computed,
    // A step may send the wizard back: a new username voids the password that might contain it.
    step: computed.step ?? after,
    version: registration.version + 1,
    lastSeenAt: deps.clock.now(),
  };
  try {
    await write(next, registration.version);
  } catch (error) {
    if (error instanceof ConflictError && error.reason === 'version') return explainConflict(deps, input);
    throw error;
  }
  deps.events.record({ event: 'step_completed', registrationId: registration.registrationId, step });
  return { step: next.step, registration: next };
}
