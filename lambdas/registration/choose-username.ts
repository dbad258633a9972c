// Step 4: choose a username, unique case-insensitively, reserved for this registration until `complete`.
import * as z from 'zod/mini';
import { ConflictError, type LimitStore, type UserStore } from '../ports/stores.ts';
import { usernameErrors } from '../rules/credentials-policy.ts';
import { DependencyError, fail, retryAfterSeconds } from '../rules/errors.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';
import { isAlive, type Registration, usernameKey } from './registration.ts';
import { runStep, type SessionDeps, type SessionInput } from './session.ts';
import type { Step } from './steps.ts';

export const chooseUsernameSchema = z.strictObject({
  username: z.string().check(z.maxLength(64, 'username_format')),
  confirmation: z.string().check(z.maxLength(64, 'username_format')),
});

export interface ChooseUsernameDeps extends SessionDeps {
  users: UserStore;
  limits: LimitStore;
  /** Username calls one registration may make (rule 41): `username_taken` cannot list names. */
  usernameMaxTries: number;
}

/**
 * Counts the call before anything is checked; the one after the last try answers 429 username_tries.
 * Returns the refund for a call that then failed on a dependency (503 is no try).
 */
async function countTry(deps: ChooseUsernameDeps, registration: Registration): Promise<() => Promise<void>> {
  const now = deps.clock.now();
  const sessionMs = deps.session.maxSeconds * 1000;
  // A window as long as the registration's whole life: a plain count of its calls.
  const key = `username#${registration.registrationId}`;
  const hit = await deps.limits.hit(key, deps.usernameMaxTries, sessionMs, now);
  if (hit.allowed) return () => deps.limits.refund(key, hit.hitId);
  deps.events.record({
    event: 'rate_limited',
    registrationId: registration.registrationId,
    limit: 'username_tries',
  });
  return fail('rate_limited', {
    reason: 'username_tries',
    retryAfterSeconds: retryAfterSeconds(registration.createdAt + sessionMs, now),
  });
}

export async function chooseUsername(
  deps: ChooseUsernameDeps,
  input: SessionInput & { readBody: () => unknown },
): Promise<{ step: Step }> {
  let key = '';
  let previousKey: string | undefined;
  let refundTry: (() => Promise<void>) | undefined;
  const result = await runStep(
    deps,
    input,
    'choose-username',
    async (registration) => {
      refundTry = await countTry(deps, registration);
      const { username, confirmation } = parseBody(chooseUsernameSchema, input.readBody());
      key = usernameKey(username);
      rejectFields([
        ...usernameErrors(username, registration.identityNumbers),
        ...(username === confirmation ? [] : [fieldError('confirmation', 'confirmation_mismatch')]),
      ]);
      previousKey = registration.username ? usernameKey(registration.username) : undefined;
      // The password may contain the new username (rule 18) and only its hash is kept: it must be chosen again.
      if (registration.passwordHash && previousKey !== key) {
        return { username, passwordHash: undefined, step: 'create-password' as const };
      }
      return { username };
    },
    async (next, expectedVersion) => {
      const holder = await deps.users.usernameHolder(key);
      let takeOverFrom: string | undefined;
      if (holder?.kind === 'user') fail('username_taken');
      if (holder?.kind === 'reservation' && holder.registrationId !== next.registrationId) {
        const other = await deps.registrations.get(holder.registrationId);
        if (other && isAlive(other, deps.clock.now(), deps.session)) fail('username_taken');
        takeOverFrom = holder.registrationId;
      }
      try {
        await deps.registrations.saveWithUsername(next, expectedVersion, {
          key,
          previousKey: previousKey !== key ? previousKey : undefined,
          takeOverFrom,
          expiresAt: next.createdAt + deps.session.maxSeconds * 1000,
        });
      } catch (error) {
        if (error instanceof ConflictError && error.reason === 'username') fail('username_taken');
        if (error instanceof DependencyError) await refundTry?.().catch(() => undefined);
        throw error;
      }
    },
  );
  return { step: result.step };
}
