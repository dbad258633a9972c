// Step 11 and the session's other ends: complete (user, username, link and email in one transaction),
// resume after a reload, and cancel.
import { ConflictError } from '../ports/stores.ts';
import type { RandomSource } from '../ports/system.ts';
import { auditEntryId } from '../rules/audit.ts';
import { DependencyError, fail, RegistrationError } from '../rules/errors.ts';
import { expiresAt, type Registration, usernameKey } from './registration.ts';
import {
  explainConflict,
  findByToken,
  loadSession,
  openStep,
  type SessionDeps,
  type SessionInput,
} from './session.ts';
import type { Step } from './steps.ts';

export interface CompleteDeps extends SessionDeps {
  random: RandomSource;
}

export interface CompleteResult {
  step: 'completed';
  username: string;
  secondFactor: 'pending-activation' | 'later';
}

const answerOf = (registration: Registration): CompleteResult => ({
  step: 'completed',
  username: registration.username as string,
  secondFactor: registration.secondFactor?.choice === 'digital-token' ? 'pending-activation' : 'later',
});

/**
 * A repeated complete (the client lost the answer): the same 201 for SESSION_IDLE_SECONDS after it
 * succeeded, computed from the stored registration, so nothing is created or sent twice.
 */
async function repeatedAnswer(deps: CompleteDeps, input: SessionInput): Promise<CompleteResult | undefined> {
  const done = await findByToken(deps, input);
  const fresh =
    done?.status === 'completed' && deps.clock.now() < done.lastSeenAt + deps.session.idleSeconds * 1000;
  return fresh ? answerOf(done) : undefined;
}

export async function completeRegistration(deps: CompleteDeps, input: SessionInput): Promise<CompleteResult> {
  let opened: Awaited<ReturnType<typeof openStep>>;
  try {
    opened = await openStep(deps, input, 'finish');
  } catch (error) {
    const repeated =
      error instanceof RegistrationError && error.code === 'session_invalid'
        ? await repeatedAnswer(deps, input)
        : undefined;
    if (repeated) return repeated;
    throw error;
  }
  const { registration } = opened;
  const { username, passwordHash, imageId, homePhone, workPhone, answers, terms, secondFactor } =
    registration;
  if (
    !username ||
    !passwordHash ||
    !imageId ||
    !homePhone ||
    !workPhone ||
    !answers ||
    !terms ||
    !secondFactor
  ) {
    throw new DependencyError('a registration at finish lacks an answer of an earlier step');
  }
  const now = deps.clock.now();
  const factor = secondFactor.choice === 'digital-token' ? 'pending-activation' : 'later';
  const next: Registration = {
    ...registration,
    step: 'completed',
    status: 'completed',
    version: registration.version + 1,
    lastSeenAt: now,
  };
  const user = {
    userId: deps.random.uuid(),
    username,
    customerId: registration.customerId,
    passwordHash,
    imageId,
    homePhone,
    workPhone,
    answers,
    terms,
    secondFactor,
    createdAt: now,
  };
  const message = {
    messageId: deps.random.uuid(),
    customerId: registration.customerId,
    username,
    secondFactor: factor,
    createdAt: now,
  } as const;
  try {
    await deps.registrations.complete(next, registration.version, user, message, {
      customerId: registration.customerId,
      eventId: auditEntryId(now, deps.random),
      at: now,
      kind: 'registration-completed',
      actor: 'customer',
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    if (error.reason === 'customer') return fail('already_registered');
    if (error.reason === 'username') return fail('username_taken');
    // A parallel complete of this registration won: the same answer.
    return (await repeatedAnswer(deps, input)) ?? explainConflict(deps, input);
  }
  deps.events.record({
    event: 'registration_completed',
    registrationId: registration.registrationId,
    secondFactor: factor,
  });
  return answerOf(next);
}

export async function getRegistration(
  deps: SessionDeps,
  input: SessionInput,
): Promise<{ step: Step; expiresAt: string; contact: Registration['contact'] }> {
  const registration = await loadSession(deps, input);
  const now = deps.clock.now();
  await deps.registrations.touch(registration.registrationId, now);
  return {
    step: registration.step,
    expiresAt: new Date(expiresAt({ ...registration, lastSeenAt: now }, deps.session)).toISOString(),
    contact: registration.contact,
  };
}

export async function cancelRegistration(deps: SessionDeps, input: SessionInput): Promise<void> {
  const registration = await loadSession(deps, input);
  const next: Registration = {
    ...registration,
    status: 'cancelled',
    version: registration.version + 1,
    lastSeenAt: deps.clock.now(),
  };
  const key = registration.username ? usernameKey(registration.username) : undefined;
  try {
    await deps.registrations.cancel(next, registration.version, key);
  } catch (error) {
    if (error instanceof ConflictError) return explainConflict(deps, input);
    throw error;
  }
  deps.events.record({ event: 'registration_cancelled', registrationId: registration.registrationId });
}
