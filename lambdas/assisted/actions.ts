// The changes branch and call-center staff make on a customer's access. Each needs a written reason, is one
// transaction with its audit entry (who, when, what, why) and an email to the customer (what and when,
// never who or why), and is idempotent in effect (unlocking an unlocked customer changes nothing else).
import * as z from 'zod/mini';
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { AccessChange, AccessStore } from '../ports/recovery.ts';
import type { AccountStore } from '../ports/sign-in.ts';
import { ConflictError } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { type AssistedAction, assistedActions } from '../routes.ts';
import { auditEntryId } from '../rules/audit.ts';
import { fail } from '../rules/errors.ts';
import {
  activationFailureKey,
  customerFailureKey,
  passwordLockKey,
  pinKey,
  tokenFailureKey,
} from '../rules/lock-keys.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';

export const staffChangeSchema = z.strictObject({
  reason: z.string().check(z.minLength(1, 'required'), z.maxLength(500, 'reason_length')),
});

/** A reason a reviewer can act on: ten characters at least once spaces are trimmed. */
const REASON_MIN = 10;

export interface StaffChangeDeps {
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  events: EventLog;
  directory: CustomerDirectory;
  accounts: Pick<AccountStore, 'getUser'>;
  access: Pick<AccessStore, 'apply'>;
}

export interface StaffChangeResult {
  customerId: string;
  action: AssistedAction;
  at: string;
}

/** The directory's customer ids: letters, digits and dashes; anything else names no customer (404). */
export const isCustomerId = (value: string): boolean => /^[A-Za-z0-9-]{1,64}$/.test(value);

const isAction = (value: string): value is AssistedAction =>
  (assistedActions as readonly string[]).includes(value);

export async function changeAccess(
  deps: StaffChangeDeps,
  input: {
    customerId: string;
    action: string;
    actor: string;
    /** A retried request (same key) applies the change once: one audit entry, one email. */
    idempotencyKey?: string;
    readBody: () => unknown;
  },
): Promise<StaffChangeResult> {
  if (!isAction(input.action) || !isCustomerId(input.customerId)) return fail('not_found');
  const { action } = input;
  const reason = parseBody(staffChangeSchema, input.readBody()).reason.trim();
  rejectFields(reason.length < REASON_MIN ? [fieldError('reason', 'reason_length')] : []);
  const customer = await deps.directory.getCustomer(input.customerId);
  if (!customer) return fail('not_found');
  const userPk = `CUSTOMER#${customer.customerId}`;
  const user = await deps.accounts.getUser(userPk);
  // Every change but an unlock of the PIN and code locks needs the online user.
  if (!user && action !== 'unlock') return fail('not_registered');

  const now = deps.clock.now();
  const userLocks = user
    ? [passwordLockKey(deps.keyed, usernameKey(user.username)), tokenFailureKey(user.userId)]
    : [];
  const parts: Record<AssistedAction, Partial<AccessChange>> = {
    unlock: {
      clearKeys: [
        ...(await deps.directory.credentialKeys(customer.customerId)).map(pinKey),
        customerFailureKey(customer.customerId),
        activationFailureKey(customer.customerId),
        ...userLocks,
      ],
    },
    'revoke-sessions': { endSessions: true },
    // A lost or stolen phone: a session open on it must not bind a new token (T1-T3), so sessions end too.
    'reset-token': {
      resetToken: true,
      endSessions: true,
      clearKeys: user ? [tokenFailureKey(user.userId)] : [],
    },
    // A disabled user's sessions end too: disabling is what staff do when an account is being abused.
    disable: { disable: { at: now, by: input.actor }, endSessions: true },
    enable: { enable: true },
    // A customer verified at a branch: the held reset applies now (rule 54).
    'release-hold': user?.heldReset
      ? {
          passwordHash: user.heldReset.passwordHash,
          resetToken: true,
          endSessions: true,
          heldReset: { recoveryId: user.heldReset.recoveryId },
          clearKeys: userLocks,
        }
      : {},
    'cancel-hold': user?.heldReset ? { heldReset: { recoveryId: user.heldReset.recoveryId } } : {},
  };
  if ((action === 'release-hold' || action === 'cancel-hold') && !user?.heldReset)
    return fail('no_held_reset');
  const change = parts[action];
  const messageId = input.idempotencyKey
    ? `staff-${customer.customerId}-${action}-${input.idempotencyKey}`
    : deps.random.uuid();
  const answer = { customerId: customer.customerId, action, at: new Date(now).toISOString() };
  try {
    await deps.access.apply({
      customerId: customer.customerId,
      ...(user ? { userPk } : {}),
      ...change,
      // One action per item in a transaction: a credential listed twice would cancel it.
      clearKeys: [...new Set(change.clearKeys ?? [])],
      message: {
        kind: 'access-changed',
        messageId,
        customerId: customer.customerId,
        ...(user ? { username: user.username } : {}),
        action,
        at: now,
        createdAt: now,
      },
      audit: {
        customerId: customer.customerId,
        eventId: auditEntryId(now, deps.random),
        at: now,
        kind: 'staff-change',
        actor: input.actor,
        action,
        reason,
      },
    });
  } catch (error) {
    // The same request again (its Idempotency-Key): it was applied once, it is not applied twice.
    if (error instanceof ConflictError && error.reason === 'code' && input.idempotencyKey) return answer;
    throw error;
  }
  deps.events.record({ event: 'staff_change', customerId: customer.customerId, action, actor: input.actor });
  return answer;
}
