// PUT /v1/me/password (rule 58): the signed-in customer changes the password. The current one is checked
// like S2 (a wrong one counts toward the username's lock), the new one passes step 5's policy, and in one
// transaction the hash is replaced, every other session and open sign-in ends (the epoch rises while this
// session moves to the new one), the email is queued and the activity entry written.
import * as z from 'zod/mini';
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { AccessStore } from '../ports/recovery.ts';
import { ConflictError, type LimitStore } from '../ports/stores.ts';
import type { Hasher, Keyed, RandomSource } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { auditEntry } from '../rules/audit.ts';
import { coarsePlace, deviceLabel } from '../rules/client-label.ts';
import { verifyOrDummy } from '../rules/equal-work.ts';
import { DependencyError, fail } from '../rules/errors.ts';
import { passwordLockKey } from '../rules/lock-keys.ts';
import { lockedCheck } from '../rules/lockout.ts';
import { acceptNewPassword, newPasswordFields } from '../rules/new-password.ts';
import { parseBody } from '../rules/validation.ts';
import { loadSignedIn, type SignedInDeps, sessionEnded } from '../signed-in/session.ts';

export const changePasswordSchema = z.strictObject({
  currentPassword: z.string().check(z.minLength(1, 'required'), z.maxLength(512, 'password_length')),
  ...newPasswordFields,
});

export interface ChangePasswordDeps extends SignedInDeps {
  random: RandomSource;
  keyed: Keyed;
  hasher: Hasher;
  limits: LimitStore;
  directory: CustomerDirectory;
  access: Pick<AccessStore, 'apply'>;
  rules: SignedInDeps['rules'] & { passwordMaxAttempts: number; passwordLockSeconds: number };
}

export async function changePassword(
  deps: ChangePasswordDeps,
  input: { token: string | undefined; readBody: () => unknown; sourceIp: string; userAgent: string },
): Promise<void> {
  const { session, user } = await loadSignedIn(deps, input.token);
  const body = parseBody(changePasswordSchema, input.readBody());
  const customer = await deps.directory.getCustomer(user.customerId);
  if (!customer) throw new DependencyError('the customer of a user is missing from the directory');
  const password = acceptNewPassword(body, {
    username: user.username,
    identityNumbers: customer.identityNumbers,
  });
  const lockKey = passwordLockKey(deps.keyed, usernameKey(user.username));
  const checked = await lockedCheck(
    deps,
    lockKey,
    { maxAttempts: deps.rules.passwordMaxAttempts, lockSeconds: deps.rules.passwordLockSeconds },
    async () =>
      (await verifyOrDummy(deps.hasher, user.passwordHash, body.currentPassword.normalize('NFKC')))
        ? user
        : undefined,
  );
  if (checked.outcome === 'locked') {
    return fail('credential_locked', { retryAfterSeconds: checked.retryAfterSeconds, journey: 'sign-in' });
  }
  if (checked.outcome === 'failed') return fail('invalid_credentials', { journey: 'sign-in' });

  const now = deps.clock.now();
  try {
    await deps.access.apply({
      customerId: user.customerId,
      userPk: user.userPk,
      passwordHash: await deps.hasher.hash(password),
      endSessions: true,
      keepSession: { tokenHash: session.tokenHash, epoch: user.sessionEpoch },
      clearKeys: [],
      message: {
        kind: 'password-changed',
        messageId: deps.random.uuid(),
        customerId: user.customerId,
        username: user.username,
        at: now,
        createdAt: now,
      },
      audit: auditEntry(deps.random, now, {
        customerId: user.customerId,
        kind: 'password-changed',
        actor: 'customer',
        client: { device: deviceLabel(input.userAgent), place: coarsePlace(input.sourceIp) },
      }),
    });
  } catch (error) {
    // The session ended, or a recovery or staff moved the epoch, between the read and the write.
    if (error instanceof ConflictError) return sessionEnded();
    throw error;
  }
  deps.events.record({ event: 'password_changed', userId: user.userId });
}
