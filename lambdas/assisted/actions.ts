// The changes branch and call-center staff make on a customer's access. Each needs a written reason, is one
// transaction with its audit entry (who, when, what, why) and an email to the customer (what and when,
// never who or why). A change that would change nothing is refused (409 nothing_to_change: no entry, no
// email); an Idempotency-Key is bound to its request (rule 61); a staff member makes at most
// STAFF_MAX_CHANGES_PER_HOUR changes an hour.
import * as z from 'zod/mini';
import type { Customer, CustomerDirectory } from '../ports/customer-directory.ts';
import type { AccessChange, AccessStore } from '../ports/recovery.ts';
import type { AccountStore, OnlineUser } from '../ports/sign-in.ts';
import { ConflictError } from '../ports/stores.ts';
import type { EventLog, RandomSource } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { type AssistedAction, assistedActions } from '../routes.ts';
import { auditEntryId } from '../rules/audit.ts';
import { fail, retryAfterSeconds } from '../rules/errors.ts';
import {
  activationFailureKey,
  customerFailureKey,
  passwordLockKey,
  pinKey,
  staffChangesKey,
  tokenFailureKey,
  tokenLockNoticeKey,
} from '../rules/lock-keys.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';
import { customerLocks, type LockDeps } from './locks.ts';

/**
 * Characters a reason may not hold (rule 60): C0 and C1 controls (NUL, ESC, CR, LF, tab...) and the bidi
 * formatting marks (U+061C, U+200E-F, U+202A-E, U+2066-9) that make the text staff read differ from the
 * text stored.
 */
const UNSAFE_TEXT = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** A reason a reviewer can act on: ten characters at least once spaces are trimmed. */
const REASON_MIN = 10;
const REASON_MAX = 500;

export const staffChangeSchema = z.strictObject({
  reason: z.string().check(
    z.minLength(1, 'required'),
    z.maxLength(REASON_MAX, 'reason_length'),
    z.refine((reason) => !UNSAFE_TEXT.test(reason), 'reason_characters'),
  ),
});

/** How long an Idempotency-Key stays bound to its request. */
const IDEMPOTENCY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

export interface StaffChangeDeps extends LockDeps {
  random: RandomSource;
  events: EventLog;
  directory: CustomerDirectory;
  accounts: Pick<AccountStore, 'getUser'>;
  access: Pick<AccessStore, 'apply' | 'priorChange'>;
  /** Changes one staff member may make in any hour. */
  staffMaxChangesPerHour: number;
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

/** The reason a staff member wrote: 1 to 500 characters, no control or bidi characters, 10 once trimmed. */
export function readReason(body: unknown): string {
  const reason = parseBody(staffChangeSchema, body).reason.trim();
  rejectFields(reason.length < REASON_MIN ? [fieldError('reason', 'reason_length')] : []);
  return reason;
}

/**
 * What the action would do, or the state that makes it change nothing (409 nothing_to_change, with `state`):
 * an unlock with no lock on, a token reset with no token, a disable of a disabled user, an enable of an
 * enabled one.
 */
async function changeOf(
  deps: StaffChangeDeps,
  action: AssistedAction,
  customer: Customer,
  user: OnlineUser | undefined,
  actor: string,
): Promise<Partial<AccessChange>> {
  const now = deps.clock.now();
  switch (action) {
    case 'unlock': {
      if ((await customerLocks(deps, customer, user)).length === 0)
        fail('nothing_to_change', { state: 'no_lock' });
      const userLocks = user
        ? [
            passwordLockKey(deps.keyed, usernameKey(user.username)),
            tokenFailureKey(user.userId),
            tokenLockNoticeKey(user.userId),
          ]
        : [];
      return {
        clearKeys: [
          ...(await deps.directory.credentialKeys(customer.customerId)).map(pinKey),
          customerFailureKey(customer.customerId),
          activationFailureKey(customer.customerId),
          ...userLocks,
        ],
      };
    }
    case 'revoke-sessions':
      return { endSessions: true };
    // A lost or stolen phone: a session open on it must not bind a new token (T1-T3), so sessions end too.
    case 'reset-token':
      if (!user?.digitalToken && !user?.pendingToken) fail('nothing_to_change', { state: 'no_token' });
      return { resetToken: true, endSessions: true, clearKeys: user ? [tokenFailureKey(user.userId)] : [] };
    // A disabled user's sessions end too: disabling is what staff do when an account is being abused.
    case 'disable':
      if (user?.disabledAt !== undefined) fail('nothing_to_change', { state: 'disabled' });
      return { disable: { at: now, by: actor }, endSessions: true };
    case 'enable':
      if (user?.disabledAt === undefined) fail('nothing_to_change', { state: 'enabled' });
      return { enable: true };
    // A customer verified at a branch: the held reset applies now (rule 54).
    case 'release-hold':
      if (!user?.heldReset) return fail('no_held_reset');
      return {
        passwordHash: user.heldReset.passwordHash,
        resetToken: true,
        endSessions: true,
        heldReset: { recoveryId: user.heldReset.recoveryId },
        clearKeys: [passwordLockKey(deps.keyed, usernameKey(user.username)), tokenFailureKey(user.userId)],
      };
    case 'cancel-hold':
      if (!user?.heldReset) return fail('no_held_reset');
      return { heldReset: { recoveryId: user.heldReset.recoveryId } };
  }
}

export async function changeAccess(
  deps: StaffChangeDeps,
  input: {
    customerId: string;
    action: string;
    actor: string;
    /** Bound to (actor, customer, action, reason): a retry gets the first answer, another request 409. */
    idempotencyKey?: string;
    readBody: () => unknown;
  },
): Promise<StaffChangeResult> {
  if (!isAction(input.action) || !isCustomerId(input.customerId)) return fail('not_found');
  const { action, actor, idempotencyKey } = input;
  const reason = readReason(input.readBody());
  const fingerprint = deps.keyed.digest(
    'staff-request',
    JSON.stringify([actor, input.customerId, action, reason]),
  );
  // The same request retried gets what it got the first time, even if the state has moved since.
  const replay = async (): Promise<StaffChangeResult | undefined> => {
    const prior = idempotencyKey ? await deps.access.priorChange(idempotencyKey) : undefined;
    if (!prior) return undefined;
    return prior.fingerprint === fingerprint ? prior.answer : fail('idempotency_key_reused');
  };
  const replayed = await replay();
  if (replayed) return replayed;

  const customer = await deps.directory.getCustomer(input.customerId);
  if (!customer) return fail('not_found');
  const userPk = `CUSTOMER#${customer.customerId}`;
  const user = await deps.accounts.getUser(userPk);
  // Every change but an unlock of the PIN and code locks needs the online user.
  if (!user && action !== 'unlock') return fail('not_registered');
  const change = await changeOf(deps, action, customer, user, actor);

  const now = deps.clock.now();
  const limitKey = staffChangesKey(actor);
  const hit = await deps.limits.hit(limitKey, deps.staffMaxChangesPerHour, HOUR_MS, now);
  if (!hit.allowed)
    return fail('rate_limited', {
      reason: 'staff_changes',
      retryAfterSeconds: retryAfterSeconds(hit.retryAt, now),
    });

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
        messageId: idempotencyKey ? `staff-${idempotencyKey}` : deps.random.uuid(),
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
        actor,
        action,
        reason,
      },
      ...(idempotencyKey
        ? { idempotency: { key: idempotencyKey, fingerprint, answer, expiresAt: now + IDEMPOTENCY_MS } }
        : {}),
    });
  } catch (error) {
    // A refused change counts toward no limit.
    await deps.limits.refund(limitKey, hit.hitId);
    if (error instanceof ConflictError) {
      // A parallel request with this key won: the same request gets its answer, another one 409.
      const raced = (error.reason === 'code' || error.reason === 'idempotency') && (await replay());
      if (raced) return raced;
      // Another staff member disabled or enabled the user meanwhile.
      if (error.reason === 'customer' && (action === 'disable' || action === 'enable'))
        fail('nothing_to_change', { state: action === 'disable' ? 'disabled' : 'enabled' });
    }
    throw error;
  }
  deps.events.record({ event: 'staff_change', customerId: customer.customerId, action, actor });
  return answer;
}
