// R1: the customer proves a card, company key or virtual key with its PIN, exactly as in registration step 1
// (one implementation, the same PIN counters, locks and per-address limit), and opens a recovery of the
// online user the customer already has.

import type { AccessStore, Recovery, RecoveryStore } from '../ports/recovery.ts';
import type { AccountStore } from '../ports/sign-in.ts';
import type { RandomSource } from '../ports/system.ts';
import { retryAfterSeconds } from '../rules/errors.ts';
import { type IdentifyDeps, identifyCustomer } from '../rules/identify-customer.ts';
import { recoveryCountKey } from '../rules/lock-keys.ts';
import { maskEmail, maskPhone } from '../rules/masking.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { openInPlaceOfOthers } from '../rules/supersede.ts';
import { newToken } from '../rules/tokens.ts';
import { withEndedHoldApplied } from './hold.ts';
import { failRecovery } from './session.ts';

export interface StartRecoveryDeps extends IdentifyDeps {
  random: RandomSource;
  recoveries: RecoveryStore;
  accounts: Pick<AccountStore, 'getUser'>;
  /** Applies a held reset whose hold ended before this recovery starts (rule 54). */
  access: Pick<AccessStore, 'apply'>;
  rules: IdentifyDeps['rules'] & {
    session: { idleSeconds: number; maxSeconds: number };
    recoveryMaxPerCustomerPerDay: number;
  };
}

export interface StartRecoveryResult {
  recoveryId: string;
  token: string;
  step: 'verify-contact';
  contact: { phone: string; email: string };
  expiresAt: string;
}

const DAY_MS = 86_400_000;

export async function startRecovery(
  deps: StartRecoveryDeps,
  input: { readBody: () => unknown; sourceIp: string },
): Promise<StartRecoveryResult> {
  const { customer, credential } = await identifyCustomer(deps, input, 'recovery');
  const userPk = `CUSTOMER#${customer.customerId}`;
  const found = await deps.accounts.getUser(userPk);
  const user = found && (await withEndedHoldApplied(deps, found));
  if (!user) {
    // A user the bank's core system holds but this service did not create cannot be recovered here: the
    // customer gets the registration's advice for it (sign in, or a branch), not an invitation to register.
    const reason = customer.registered ? 'already_registered' : 'not_registered';
    deps.events.record({ event: 'credential_failure', credentialType: credential.type, reason });
    return failRecovery(reason);
  }
  // A user staff disabled stays disabled: a recovery would change the password and still not sign in.
  if (user.disabledAt !== undefined) {
    deps.events.record({
      event: 'credential_failure',
      credentialType: credential.type,
      reason: 'user_disabled',
    });
    return failRecovery('user_disabled');
  }
  // A held reset is waiting: another recovery now would only race it (rule 54).
  if (user.heldReset) {
    deps.events.record({ event: 'credential_failure', credentialType: credential.type, reason: 'on_hold' });
    return failRecovery('recovery_on_hold', { until: new Date(user.heldReset.until).toISOString() });
  }
  // Said before the SMS, so a customer at the bound does not spend a code for nothing; R4 counts.
  const now = deps.clock.now();
  const { recoveryMaxPerCustomerPerDay: max } = deps.rules;
  const fullUntil = await deps.limits.fullUntil(recoveryCountKey(customer.customerId), max, DAY_MS, now);
  if (fullUntil !== undefined) {
    deps.events.record({ event: 'rate_limited', limit: 'recoveries_per_customer' });
    return failRecovery('rate_limited', {
      reason: 'recoveries_per_customer',
      retryAfterSeconds: retryAfterSeconds(fullUntil, now),
    });
  }

  const { token, tokenHash } = newToken(deps.random);
  const recovery: Recovery = {
    recoveryId: deps.random.uuid(),
    customerId: customer.customerId,
    credentialType: credential.type,
    tokenHash,
    step: 'verify-contact',
    status: 'open',
    version: 1,
    createdAt: now,
    lastSeenAt: now,
    contact: { phone: maskPhone(customer.phone), email: maskEmail(customer.email) },
    identityNumbers: customer.identityNumbers,
    userPk,
    username: user.username,
  };
  // One open recovery per customer, like registrations (third audit, finding 16): the others close now.
  const closed = await openInPlaceOfOthers(deps.recoveries, customer.customerId, recovery, now);
  if (closed)
    deps.events.record({ event: 'recovery_cancelled', recoveryId: closed.recoveryId, reason: 'superseded' });
  deps.events.record({
    event: 'recovery_started',
    recoveryId: recovery.recoveryId,
    credentialType: credential.type,
  });
  return {
    recoveryId: recovery.recoveryId,
    token,
    step: 'verify-contact',
    contact: recovery.contact,
    expiresAt: new Date(sessionExpiresAt(recovery, deps.rules.session)).toISOString(),
  };
}
