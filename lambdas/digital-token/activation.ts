// T1-T3: binding a digital token to a signed-in user (rule 50). T1 proves the phone on file with an SMS code
// (the registration's code rules, one implementation); T2 makes a new 160-bit seed, sealed before it is
// stored and shown once; T3 takes the first code from the app, activates the token and queues the email.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { SmsSender } from '../ports/notifications.ts';
import type { OnlineUser, SignedInSession } from '../ports/sign-in.ts';
import { type CodeStore, ConflictError, type LimitStore } from '../ports/stores.ts';
import type { Keyed, RandomSource, SecretBox } from '../ports/system.ts';
import { verifyOtpSchema } from '../registration/verify-otp.ts';
import { auditEntryId } from '../rules/audit.ts';
import { DependencyError, retryAfterSeconds } from '../rules/errors.ts';
import { boundReachedUntil, countFailure, type FailureBound } from '../rules/failure-window.ts';
import { activationFailureKey } from '../rules/lock-keys.ts';
import { checkSmsCode, issueSmsCode, type SmsCodeRules } from '../rules/sms-code.ts';
import { parseBody } from '../rules/validation.ts';
import { waitText } from '../rules/wait-text.ts';
import { refuseTokenCode, tokenCodeSchema } from '../sign-in/digital-token.ts';
import { failSignIn, type SignInRules } from '../sign-in/session.ts';
import { loadSignedIn, type SignedInDeps } from '../signed-in/session.ts';
import { base32, matchingStep, otpauthUri, SEED_BYTES } from './totp.ts';

export interface ActivationCodeDeps extends SignedInDeps {
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  otp: SmsCodeRules;
}

export interface SendActivationCodeDeps extends ActivationCodeDeps {
  limits: LimitStore;
  sms: SmsSender;
  directory: CustomerDirectory;
}

/** The code table's key of an activation: one per signed-in session, never a registration id. */
export const activationCodeKey = (sessionId: string): string => `token-activation#${sessionId}`;

/** One GSM-7 segment: no accented vowels, at most 160 characters (rule 16). */
export const activationMessage = (code: string, ttlSeconds: number): string =>
  `Produbanco: tu clave temporal para activar tu Token digital es ${code}. Vence en ${waitText(ttlSeconds)}. No la compartas con nadie.`;

/** After a lost write: whether a recovery or staff raised the user's epoch since the session opened. */
async function sessionEnded(
  deps: SignedInDeps,
  user: OnlineUser,
  session: SignedInSession,
): Promise<boolean> {
  const now = await deps.accounts.getUser(user.userPk);
  return !now || now.sessionEpoch !== (session.epoch ?? 0);
}

async function loadWithoutToken(deps: SignedInDeps, token: string | undefined) {
  const signedIn = await loadSignedIn(deps, token);
  if (signedIn.user.digitalToken) {
    deps.events.record({
      event: 'step_refused',
      sessionId: signedIn.session.sessionId,
      requested: 'activation',
    });
    return failSignIn('token_already_active');
  }
  return signedIn;
}

/** T1: an SMS code to the phone on file, under the registration's rules (lifetime, sends, cooldown, cap). */
export async function sendActivationCode(
  deps: SendActivationCodeDeps,
  input: { token: string | undefined },
): Promise<{ step: 'enter-otp'; expiresAt: string; resendAvailableAt: string; sendsLeft: number }> {
  const { session, user } = await loadWithoutToken(deps, input.token);
  const customer = await deps.directory.getCustomer(user.customerId);
  if (!customer) throw new DependencyError('the customer of a user is missing from the directory');
  const issued = await issueSmsCode(deps, {
    subjectId: activationCodeKey(session.sessionId),
    phone: customer.phone,
    message: activationMessage,
    subjectEndsAt: session.createdAt + deps.rules.maxSeconds * 1000,
    events: { sessionId: session.sessionId, purpose: 'token-activation' },
  });
  return {
    step: 'enter-otp',
    expiresAt: new Date(issued.expiresAt).toISOString(),
    resendAvailableAt: new Date(issued.resendAvailableAt).toISOString(),
    sendsLeft: issued.sendsLeft,
  };
}

export interface VerifyActivationCodeDeps extends ActivationCodeDeps {
  box: SecretBox;
  qrSvg: (text: string) => Promise<string>;
  limits: LimitStore;
  otp: SmsCodeRules & { maxFailuresPerCustomer: number };
  pin: { lockSeconds: number };
}

/**
 * A customer's wrong activation codes across sessions, bounded like rule 40 (OTP_MAX_FAILURES_PER_CUSTOMER
 * within PIN_LOCK_SECONDS): signing in again gives a new code, never new guesses.
 */
export const activationBound = (
  deps: { otp: { maxFailuresPerCustomer: number }; pin: { lockSeconds: number } },
  customerId: string,
): FailureBound => ({
  key: activationFailureKey(customerId),
  max: deps.otp.maxFailuresPerCustomer,
  windowMs: deps.pin.lockSeconds * 1000,
});

/** T2: the SMS code, then a new seed: sealed with the user id as AAD before it is stored, shown this once. */
export async function verifyActivationCode(
  deps: VerifyActivationCodeDeps,
  input: { token: string | undefined; readBody: () => unknown },
): Promise<{ step: 'scan'; otpauthUri: string; secret: string; qrSvg: string }> {
  const { session, user } = await loadWithoutToken(deps, input.token);
  const { code } = parseBody(verifyOtpSchema, input.readBody());
  const subjectId = activationCodeKey(session.sessionId);
  const bound = activationBound(deps, user.customerId);
  const locked = (until: number): never => {
    deps.events.record({ event: 'otp_failure', sessionId: session.sessionId, reason: 'customer_locked' });
    return failSignIn('credential_locked', { retryAfterSeconds: retryAfterSeconds(until, deps.clock.now()) });
  };
  const lockedUntil = await boundReachedUntil(deps, bound);
  if (lockedUntil !== undefined) return locked(lockedUntil);
  const checked = await checkSmsCode(deps, {
    subjectId,
    code,
    events: { sessionId: session.sessionId },
    onWrongCode: async () => {
      const until = await countFailure(deps, bound);
      if (until !== undefined) locked(until);
    },
  });
  if (!checked.found) return failSignIn('step_out_of_order', { currentStep: 'signed-in' });

  const seed = deps.random.bytes(SEED_BYTES);
  const sealedSecret = deps.box.seal(seed, user.userId);
  const pending = {
    sealedSecret,
    sessionId: session.sessionId,
    createdAt: deps.clock.now(),
    attempts: 0,
    epoch: session.epoch ?? 0,
  };
  try {
    await deps.accounts.startActivation(user.userPk, pending, { key: subjectId, codeHmac: checked.codeHmac });
  } catch (error) {
    // A recovery or staff ended this session meanwhile; else a parallel call used the code first (or
    // activated a token): this one is the replay.
    if (error instanceof ConflictError)
      return failSignIn((await sessionEnded(deps, user, session)) ? 'session_invalid' : 'otp_locked');
    throw error;
  }
  deps.events.record({
    event: 'token_activation_started',
    sessionId: session.sessionId,
    userId: user.userId,
  });
  const uri = otpauthUri(user.username, seed);
  return { step: 'scan', otpauthUri: uri, secret: base32(seed), qrSvg: await deps.qrSvg(uri) };
}

export interface ConfirmActivationDeps extends SignedInDeps {
  random: RandomSource;
  box: SecretBox;
  rules: SignInRules;
}

/** T3: the first code from the app proves the seed was stored; the token is active and the customer told. */
export async function confirmActivation(
  deps: ConfirmActivationDeps,
  input: { token: string | undefined; readBody: () => unknown },
): Promise<{ secondFactor: 'active' }> {
  const { session, user } = await loadWithoutToken(deps, input.token);
  const pending = user.pendingToken;
  if (!pending || pending.sessionId !== session.sessionId) {
    deps.events.record({
      event: 'step_refused',
      sessionId: session.sessionId,
      requested: 'activation/confirm',
    });
    return failSignIn('step_out_of_order', { currentStep: 'signed-in' });
  }
  const { code } = parseBody(tokenCodeSchema, input.readBody());
  const max = deps.rules.tokenMaxAttempts;
  const event = { sessionId: session.sessionId };
  const counted = await deps.accounts.countActivationAttempt(user.userPk, pending.sealedSecret, max);
  if (counted === undefined) return refuseTokenCode(deps, event, 'locked', 0);
  const now = deps.clock.now();
  const step = matchingStep(deps.box.open(pending.sealedSecret, user.userId), code, now);
  if (step === undefined) return refuseTokenCode(deps, event, 'wrong_code', max - counted);

  try {
    await deps.accounts.activate(
      user.userPk,
      { sealedSecret: pending.sealedSecret, lastStep: step, activatedAt: now },
      {
        kind: 'token-activated',
        messageId: deps.random.uuid(),
        customerId: user.customerId,
        username: user.username,
        activatedAt: now,
        createdAt: now,
      },
      {
        customerId: user.customerId,
        eventId: auditEntryId(now, deps.random),
        at: now,
        kind: 'token-activated',
        actor: 'customer',
      },
    );
  } catch (error) {
    if (error instanceof ConflictError) {
      return failSignIn(
        (await sessionEnded(deps, user, session)) ? 'session_invalid' : 'token_already_active',
      );
    }
    throw error;
  }
  deps.events.record({ event: 'token_activated', sessionId: session.sessionId, userId: user.userId });
  return { secondFactor: 'active' };
}
