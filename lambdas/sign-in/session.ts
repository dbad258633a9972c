// The sign-in journey's state: attempts (the bearer of S2 and S3) and signed-in sessions (rule 51), each with
// idle and absolute timeouts checked in code.
import type {
  ClientLabel,
  NewDevice,
  OnlineUser,
  SecondFactorState,
  SignedInSession,
  SignInAttempt,
  SignInStatus,
} from '../ports/sign-in.ts';
import type { EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { auditEntry } from '../rules/audit.ts';
import { fail } from '../rules/errors.ts';
import { deviceLockKey, passwordLockKey } from '../rules/lock-keys.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { isIssuedId, newToken, tokenMatches } from '../rules/tokens.ts';
import type { SignedInDeps } from '../signed-in/session.ts';

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

export interface BearerInput {
  /** The path id (S2, S3); empty on the signed-in routes. */
  registrationId: string;
  token: string | undefined;
}

export type { SecondFactorState, SignedInDeps };

export interface SignedInResult {
  step: 'signed-in';
  session: { token: string; expiresAt: string };
  secondFactor: SecondFactorState;
  /** A new device's token (rule 57): the browser keeps it and presents it at its next S1. */
  deviceToken?: string;
}

/** The devices a user's list keeps: the oldest seen is forgotten beyond this. */
export const MAX_DEVICES = 10;
/** A known device's last-seen time is written at most this often (one write less per sign-in). */
const DEVICE_SEEN_EVERY_MS = 3_600_000;

/**
 * Where S2 counts a wrong password: on the known device the attempt came from (its own counter, rule 57), else
 * on the username (rule 48). A whole sign-in's success clears the same count.
 */
export const passwordCountKey = (keyed: Keyed, attempt: SignInAttempt): string =>
  attempt.deviceHash ? deviceLockKey(attempt.deviceHash) : passwordLockKey(keyed, attempt.usernameKey);

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
 * Ends the attempt and opens a signed-in session with a new 256-bit token, stored only as its hash (rule 51),
 * with its entry in the customer's activity. A parallel call that already opened one wins; this one finds the
 * attempt dead. A device not known for this user gets a device token, and the customer an email (rule 56).
 */
export async function openSession(
  deps: SignedInDeps & { random: RandomSource },
  attempt: SignInAttempt,
  user: OnlineUser,
): Promise<SignedInResult> {
  const now = deps.clock.now();
  const { token, tokenHash } = newToken(deps.random);
  const client = attempt.client ?? { device: 'Navegador desconocido', place: 'desconocida' };
  const session: SignedInSession = {
    sessionId: deps.random.uuid(),
    tokenHash,
    userPk: user.userPk,
    epoch: user.sessionEpoch,
    client,
    createdAt: now,
    lastSeenAt: now,
  };
  const activity = auditEntry(deps.random, now, {
    customerId: user.customerId,
    kind: 'sign-in',
    actor: 'customer',
    client,
    details: { newDevice: attempt.deviceHash === undefined },
  });
  const device = newDevice(deps, attempt, user, client);
  if (
    !(await deps.signIns.openSession(attempt.signInId, attempt.status, session, activity, device?.remembered))
  ) {
    return failSignIn('session_invalid');
  }
  if (device) deps.events.record({ event: 'new_device', signInId: attempt.signInId, userId: user.userId });
  else await seeKnownDevice(deps, attempt, user);
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
    ...(device ? { deviceToken: device.token } : {}),
  };
}

/** A known device's last sight, written at most every DEVICE_SEEN_EVERY_MS. */
async function seeKnownDevice(deps: SignedInDeps, attempt: SignInAttempt, user: OnlineUser): Promise<void> {
  const known = attempt.deviceHash ? user.devices[attempt.deviceHash] : undefined;
  const now = deps.clock.now();
  if (attempt.deviceHash && known && now - known.lastSeen >= DEVICE_SEEN_EVERY_MS) {
    await deps.accounts.seeDevice(user.userPk, attempt.deviceHash, now);
  }
}

/**
 * A sign-in without a known device's token gets a new one: it joins the user's list (the one seen longest ago
 * forgotten beyond MAX_DEVICES) and the customer is told by email (rule 56), with the session's opening.
 */
function newDevice(
  deps: SignedInDeps & { random: RandomSource },
  attempt: SignInAttempt,
  user: OnlineUser,
  client: ClientLabel,
): { token: string; remembered: NewDevice } | undefined {
  if (attempt.deviceHash && user.devices[attempt.deviceHash]) return undefined;
  const now = deps.clock.now();
  const { token, tokenHash } = newToken(deps.random);
  const forget = Object.entries(user.devices)
    .sort(([, a], [, b]) => b.lastSeen - a.lastSeen)
    .slice(MAX_DEVICES - 1)
    .map(([hash]) => hash);
  return {
    token,
    remembered: {
      hash: tokenHash,
      known: { device: client.device, firstSeen: now, lastSeen: now },
      forget,
      message: {
        kind: 'new-device',
        messageId: deps.random.uuid(),
        customerId: user.customerId,
        username: user.username,
        device: client.device,
        place: client.place,
        at: now,
        createdAt: now,
      },
    },
  };
}
