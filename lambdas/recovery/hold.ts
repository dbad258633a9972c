// Rule 54: a recovery that removes an active digital token (the customer says the phone is lost) does not
// apply at once. It waits TOKEN_RESET_HOLD_SECONDS on the user item, announced by email and SMS, while the old
// password and token keep working; then it applies exactly once, by whichever comes first: the scheduled sweep,
// or the user's next sign-in or recovery. The customer stops it with «No fui yo»; staff release or cancel it.
import type { AccessChange, AccessStore } from '../ports/recovery.ts';
import type { AccountStore, OnlineUser } from '../ports/sign-in.ts';
import { ConflictError } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { auditEntry } from '../rules/audit.ts';
import { passwordLockKey, tokenFailureKey } from '../rules/lock-keys.ts';

export interface HoldDeps {
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  events: EventLog;
  access: Pick<AccessStore, 'apply'>;
  accounts: Pick<AccountStore, 'getUser'>;
}

/** Held resets the sweep applies per run: a run is a minute at most, and the next one takes the rest. */
export const HOLDS_PER_SWEEP = 25;

/**
 * Applies the user's held reset: the recovery's password, the token off, every session ended, the locks
 * cleared, its email and audit entry, in one transaction conditional on the hold still being there (and, unless
 * `release`d by staff, on its end having come). False when it was not due, or another caller applied or
 * cancelled it first: whatever runs first applies it, and only once.
 */
export async function applyHeldReset(
  deps: HoldDeps,
  user: OnlineUser,
  options: { actor: string; release?: { reason: string; messageId: string } },
): Promise<boolean> {
  const held = user.heldReset;
  const now = deps.clock.now();
  if (!held || (!options.release && now < held.until)) return false;
  const change: AccessChange = {
    customerId: user.customerId,
    userPk: user.userPk,
    passwordHash: held.passwordHash,
    resetToken: true,
    endSessions: true,
    heldReset: { recoveryId: held.recoveryId, ...(options.release ? {} : { dueBy: now }) },
    clearKeys: [passwordLockKey(deps.keyed, usernameKey(user.username)), tokenFailureKey(user.userId)],
    message: options.release
      ? {
          kind: 'access-changed',
          messageId: options.release.messageId,
          customerId: user.customerId,
          username: user.username,
          action: 'release-hold',
          at: now,
          createdAt: now,
        }
      : {
          kind: 'recovery-completed',
          // One email per held recovery, whoever applies it.
          messageId: `hold-applied-${held.recoveryId}`,
          customerId: user.customerId,
          username: user.username,
          tokenReset: true,
          at: now,
          createdAt: now,
        },
    audit: auditEntry(deps.random, now, {
      customerId: user.customerId,
      ...(options.release
        ? { kind: 'staff-change', action: 'release-hold', reason: options.release.reason }
        : { kind: 'recovery-completed' }),
      actor: options.actor,
      details: { tokenReset: true, held: true },
    }),
  };
  try {
    await deps.access.apply(change);
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
  deps.events.record({
    event: 'held_reset_applied',
    userId: user.userId,
    by: options.release ? 'staff' : 'due',
  });
  return true;
}

/** The user as S1, S2 and R1 must see it: a held reset whose hold ended is applied first. */
export async function withEndedHoldApplied(deps: HoldDeps, user: OnlineUser): Promise<OnlineUser> {
  if (!user.heldReset || deps.clock.now() < user.heldReset.until) return user;
  await applyHeldReset(deps, user, { actor: 'system' });
  return (await deps.accounts.getUser(user.userPk)) ?? user;
}

/** The scheduled sweep: applies every held reset whose hold has ended. Returns how many it applied. */
export async function sweepHeldResets(
  deps: HoldDeps & { access: Pick<AccessStore, 'dueHolds'> },
): Promise<number> {
  let applied = 0;
  for (const userPk of await deps.access.dueHolds(deps.clock.now(), HOLDS_PER_SWEEP)) {
    const user = await deps.accounts.getUser(userPk);
    if (user && (await applyHeldReset(deps, user, { actor: 'system' }))) applied += 1;
  }
  return applied;
}
