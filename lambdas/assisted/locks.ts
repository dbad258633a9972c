// Every lock on a customer's access, as the code that refuses the customer computes it: staff see these in
// `status`, and an `unlock` with none of them on changes nothing (409 nothing_to_change).
import { activationBound } from '../digital-token/activation.ts';
import type { CredentialSummary, Customer, CustomerDirectory } from '../ports/customer-directory.ts';
import type { OnlineUser } from '../ports/sign-in.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, Keyed } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { customerBound } from '../rules/credential-locks.ts';
import { boundReachedUntil, type FailureBound } from '../rules/failure-window.ts';
import { passwordLockKey, pinKey } from '../rules/lock-keys.ts';
import { tokenBound } from '../sign-in/digital-token.ts';
import type { SignInRules } from '../sign-in/session.ts';

export type LockKind = 'credential-pin' | 'sms-codes' | 'token-activation' | 'password' | 'digital-token';

export interface CustomerLock {
  kind: LockKind;
  /** Epoch milliseconds. */
  until: number;
  /** The credential's position in the customer's list (credential-pin). */
  credential?: number;
  /** How the customer knows that credential (credential-pin): its type, and a card's last four digits. */
  credentialType?: CredentialSummary['type'];
  last4?: string;
}

export interface LockDeps {
  clock: Clock;
  keyed: Keyed;
  directory: Pick<CustomerDirectory, 'credentials'>;
  limits: LimitStore;
  otp: { maxFailuresPerCustomer: number };
  pin: { maxAttempts: number; lockSeconds: number };
  signIn: SignInRules;
}

/** The customer's locks on now, each with its end. */
export async function customerLocks(
  deps: LockDeps,
  customer: Pick<Customer, 'customerId'>,
  user: Pick<OnlineUser, 'userId' | 'username'> | undefined,
): Promise<CustomerLock[]> {
  const now = deps.clock.now();
  const locks: CustomerLock[] = [];
  const credentials = await deps.directory.credentials(customer.customerId);
  for (const [index, { digest, type, last4 }] of credentials.entries()) {
    const until = await deps.limits.lockedUntil(pinKey(digest), now, deps.pin.maxAttempts);
    if (until !== undefined)
      locks.push({
        kind: 'credential-pin',
        credential: index + 1,
        credentialType: type,
        ...(last4 ? { last4 } : {}),
        until,
      });
  }
  const windows: [LockKind, FailureBound][] = [
    ['sms-codes', customerBound(deps, customer.customerId)],
    ['token-activation', activationBound(deps, customer.customerId)],
  ];
  if (user) windows.push(['digital-token', tokenBound(deps.signIn, user.userId)]);
  for (const [kind, bound] of windows) {
    const until = await boundReachedUntil(deps, bound);
    if (until !== undefined) locks.push({ kind, until });
  }
  if (user) {
    // A token user's right passwords count too (only a whole sign-in resets it): at the bound, S2 refuses.
    const key = passwordLockKey(deps.keyed, usernameKey(user.username));
    const until = await deps.limits.lockedUntil(key, now, deps.signIn.passwordMaxAttempts);
    if (until !== undefined) locks.push({ kind: 'password', until });
  }
  return locks;
}
