// The signed-in session seam: what every call of a signed-in customer stands on (the digital token's
// activation, the customer's own security center), and nothing of how the session was opened (sign-in/).
import type { AccountStore, OnlineUser, SignedInSession, SignInStore } from '../ports/sign-in.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { fail } from '../rules/errors.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { hashToken } from '../rules/tokens.ts';

export interface SignedInDeps {
  clock: Clock;
  events: EventLog;
  signIns: SignInStore;
  accounts: AccountStore;
  rules: { idleSeconds: number; maxSeconds: number };
}

export interface SignedIn {
  session: SignedInSession;
  user: OnlineUser;
}

/** 401 session_invalid in the sign-in's words: the customer signs in again. */
export const sessionEnded = (): never => fail('session_invalid', { journey: 'sign-in' });

/** The session and user behind a live session token, touched (idle timeout); else 401 session_invalid. */
export async function loadSignedIn(deps: SignedInDeps, token: string | undefined): Promise<SignedIn> {
  const session = token ? await deps.signIns.getSession(hashToken(token)) : undefined;
  const now = deps.clock.now();
  if (!session || now >= sessionExpiresAt(session, deps.rules)) return sessionEnded();
  const user = await deps.accounts.getUser(session.userPk);
  if (!user) return sessionEnded();
  // A recovery, a password change elsewhere, a «No fui yo» or staff raised the user's epoch: every session
  // opened before is dead, and the customer is told it was closed for security, not for inactivity.
  if (user.sessionEpoch !== (session.epoch ?? 0)) {
    return fail('session_invalid', { journey: 'sign-in', reason: 'revoked' });
  }
  await deps.signIns.touchSession(session.tokenHash, now);
  return { session, user };
}
