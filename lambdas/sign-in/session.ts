// The sign-in journey's state: attempts (the bearer of S2 and S3) and signed-in sessions (rule 51), each with
// idle and absolute timeouts checked in code.
import type {
  AccountStore,
  OnlineUser,
  SecondFactorState,
  SignedInSession,
  SignInAttempt,
  SignInStatus,
  SignInStore,
} from '../ports/sign-in.ts';
import type { Clock, EventLog, RandomSource } from '../ports/system.ts';
import { fail } from '../rules/errors.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { hashToken, isIssuedId, newToken, tokenMatches } from '../rules/tokens.ts';

export interface SignInRules {
  perIpPerMinute: number;
  passwordMaxAttempts: number;
  passwordLockSeconds: number;
  tokenMaxAttempts: number;
  /** Wrong digital-token codes one user may enter across sign-ins within passwordLockSeconds. */
  tokenMaxFailuresPerUser: number;
  idleSeconds: number;
  maxSeconds: number;
}

export interface SignedInDeps {
  clock: Clock;
  events: EventLog;
  signIns: SignInStore;
  accounts: AccountStore;
  rules: Pick<SignInRules, 'idleSeconds' | 'maxSeconds'>;
}

export interface BearerInput {
  /** The path id (S2, S3); empty on the signed-in routes. */
  registrationId: string;
  token: string | undefined;
}

export type { SecondFactorState };

export interface SignedInResult {
  step: 'signed-in';
  session: { token: string; expiresAt: string };
  secondFactor: SecondFactorState;
}

const journey = 'sign-in' as const;

/** Fails the way every sign-in error does: with the sign-in's own Spanish text. */
export const failSignIn = (
  code: Parameters<typeof fail>[0],
  extras: Parameters<typeof fail>[1] = {},
): never => fail(code, { ...extras, journey });

export const secondFactorOf = (user: OnlineUser): SecondFactorState =>
  user.digitalToken ? 'active' : user.choice === 'digital-token' ? 'pending-activation' : 'later';

/** The attempt behind a live S1 token, or 401 session_invalid; one that produced a session is dead. */
export async function loadAttempt(
  deps: Pick<SignedInDeps, 'clock' | 'signIns' | 'rules'>,
  input: BearerInput,
): Promise<SignInAttempt> {
  const lookUp = input.token !== undefined && isIssuedId(input.registrationId);
  const attempt = lookUp ? await deps.signIns.getAttempt(input.registrationId) : undefined;
  if (
    !attempt ||
    !input.token ||
    !tokenMatches(input.token, attempt.tokenHash) ||
    attempt.status === 'done' ||
    deps.clock.now() >= sessionExpiresAt(attempt, deps.rules)
  ) {
    return failSignIn('session_invalid');
  }
  return attempt;
}

/**
 * After a right password (S2) or token code (S3): an attempt started before a recovery or a staff revocation
 * is dead (401 session_invalid), and a user staff disabled is refused (403 user_disabled, logged).
 */
export function requireCurrentUser(
  deps: { events: EventLog },
  attempt: SignInAttempt,
  user: OnlineUser,
): void {
  if (user.sessionEpoch !== (attempt.epoch ?? 0)) failSignIn('session_invalid');
  if (user.disabledAt !== undefined) {
    deps.events.record({ event: 'sign_in_refused', signInId: attempt.signInId, reason: 'user_disabled' });
    failSignIn('user_disabled');
  }
}

/** Refuses a sign-in call made at the wrong point of the attempt (logged). */
export function requireStatus(
  deps: { events: EventLog },
  attempt: SignInAttempt,
  wanted: SignInStatus,
): void {
  if (attempt.status === wanted) return;
  deps.events.record({
    event: 'step_refused',
    signInId: attempt.signInId,
    requested: wanted,
    currentStep: attempt.status,
  });
  failSignIn('step_out_of_order', { currentStep: attempt.status });
}

/**
 * Ends the attempt and opens a signed-in session with a new 256-bit token, stored only as its hash (rule 51).
 * A parallel call that already opened one wins; this one finds the attempt dead.
 */
export async function openSession(
  deps: SignedInDeps & { random: RandomSource },
  attempt: SignInAttempt,
  user: OnlineUser,
): Promise<SignedInResult> {
  const now = deps.clock.now();
  const { token, tokenHash } = newToken(deps.random);
  const session: SignedInSession = {
    sessionId: deps.random.uuid(),
    tokenHash,
    userPk: user.userPk,
    epoch: user.sessionEpoch,
    createdAt: now,
    lastSeenAt: now,
  };
  if (!(await deps.signIns.openSession(attempt.signInId, attempt.status, session))) {
    return failSignIn('session_invalid');
  }
  const secondFactor = secondFactorOf(user);
  deps.events.record({
    event: 'signed_in',
    signInId: attempt.signInId,
    userId: user.userId,
    secondFactor,
  });
  return {
    step: 'signed-in',
    session: { token, expiresAt: new Date(sessionExpiresAt(session, deps.rules)).toISOString() },
    secondFactor,
  };
}

/** The session and user behind a live session token, touched (idle timeout); else 401 session_invalid. */
export async function loadSignedIn(
  deps: SignedInDeps,
  token: string | undefined,
): Promise<{ session: SignedInSession; user: OnlineUser }> {
  const session = token ? await deps.signIns.getSession(hashToken(token)) : undefined;
  const now = deps.clock.now();
  if (!session || now >= sessionExpiresAt(session, deps.rules)) return failSignIn('session_invalid');
  const user = await deps.accounts.getUser(session.userPk);
  if (!user) return failSignIn('session_invalid');
  // A recovery or staff revocation raised the user's epoch: every session opened before is dead, and the
  // customer is told it was closed for security, not for inactivity.
  if (user.sessionEpoch !== (session.epoch ?? 0)) return failSignIn('session_invalid', { reason: 'revoked' });
  await deps.signIns.touchSession(session.tokenHash, now);
  return { session, user };
}
