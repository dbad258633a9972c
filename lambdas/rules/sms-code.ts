// The SMS-code rules, one implementation for every flow that proves a phone (the registration's step 2-3,
// the digital-token activation): lifetime, sends, cooldown, per-phone cap, attempts counted before the
// comparison, the last wrong try locking the code. Nothing here knows the Registration type: a code
// belongs to a subject id (the code table's key), and the caller supplies the phone and the message.
import { timingSafeEqual } from 'node:crypto';
import type { SmsSender } from '../ports/notifications.ts';
import type { CodeStore, LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { fail, type RateLimitReason, retryAfterSeconds } from './errors.ts';
import { maskPhone } from './masking.ts';

export interface SmsCodeRules {
  ttlSeconds: number;
  maxAttempts: number;
  maxSends: number;
  cooldownSeconds: number;
  perPhonePerHour: number;
}

export interface SmsCodeDeps {
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  limits: LimitStore;
  sms: SmsSender;
  events: EventLog;
  otp: SmsCodeRules;
}

export type CheckSmsCodeDeps = Pick<SmsCodeDeps, 'clock' | 'keyed' | 'codes' | 'events'> & {
  otp: Pick<SmsCodeRules, 'maxAttempts'>;
};

/** Ids and masks that identify the subject in security events (never a secret). */
export type EventFields = Record<string, string>;

export interface IssueSmsCodeRequest {
  /** The code table's key: a registration id, or another flow's id that cannot collide with one. */
  subjectId: string;
  /** E.164 phone on file. */
  phone: string;
  /** The SMS text for a code (one GSM-7 segment, rule 16). */
  message: (code: string, ttlSeconds: number) => string;
  /** When the subject ends: the Retry-After of `sends_per_registration`. */
  subjectEndsAt: number;
  /** Runs once the code is stored and the phone counted, before the SMS; if it throws, both are undone. */
  beforeSend?: () => Promise<void>;
  /** Runs after the SMS failed and the code was undone (e.g. to move the caller's state back). */
  afterSendFailed?: () => Promise<void>;
  events: EventFields;
}

export interface IssuedSmsCode {
  expiresAt: number;
  resendAvailableAt: number;
  sendsLeft: number;
}

export interface CheckSmsCodeRequest {
  subjectId: string;
  code: string;
  /**
   * Runs after a wrong code was counted and before the answer (e.g. a per-customer failure count). It may
   * throw its own refusal, which then replaces otp_invalid / otp_locked.
   */
  onWrongCode?: () => Promise<void>;
  events: EventFields;
}

/** A right code: its digest (to mark it used in the caller's own write) and the tries it left. */
export type CheckedSmsCode = { found: true; codeHmac: string } | { found: false };

const HOUR = 3_600_000;

/** Six digits from crypto.randomInt, leading zeros kept (rule 9). */
export const newCode = (random: RandomSource): string => random.int(1_000_000).toString().padStart(6, '0');

/** The code's keyed digest binds it to its subject (rule 11). */
const codeSubject = (subjectId: string, code: string): string => `${subjectId}:${code}`;
export const codeDigest = (keyed: Keyed, subjectId: string, code: string): string =>
  keyed.digest('otp', codeSubject(subjectId, code));

/** The per-phone window's key: a keyed digest, so the table never holds a phone number. */
export const phoneLimitKey = (keyed: Keyed, phone: string): string => `sms#${keyed.digest('phone', phone)}`;

const sameDigest = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Issues a fresh code to `phone` within the cooldown, the sends of the subject and the per-phone cap, and
 * sends it. Refusals throw rate_limited with the limit's `reason`; a failed SMS undoes the code and the
 * phone count (the send is not burnt and no undelivered code stays usable) and rethrows.
 */
export async function issueSmsCode(deps: SmsCodeDeps, request: IssueSmsCodeRequest): Promise<IssuedSmsCode> {
  const { otp } = deps;
  const now = deps.clock.now();
  const cooldownMs = otp.cooldownSeconds * 1000;
  const rateLimited = (reason: RateLimitReason, until: number): never => {
    deps.events.record({ event: 'rate_limited', ...request.events, limit: reason });
    return fail('rate_limited', { reason, retryAfterSeconds: retryAfterSeconds(until, now) });
  };

  const previous = await deps.codes.get(request.subjectId);
  if (previous && previous.sends >= otp.maxSends)
    rateLimited('sends_per_registration', request.subjectEndsAt);
  if (previous && previous.lastSentAt + cooldownMs > now) {
    rateLimited('resend_cooldown', previous.lastSentAt + cooldownMs);
  }

  const phoneKey = phoneLimitKey(deps.keyed, request.phone);
  const phoneHit = await deps.limits.hit(phoneKey, otp.perPhonePerHour, HOUR, now);
  if (!phoneHit.allowed) return rateLimited('sends_per_phone', phoneHit.retryAt);
  const refundPhone = () => deps.limits.refund(phoneKey, phoneHit.hitId);

  const code = newCode(deps.random);
  const codeHmac = codeDigest(deps.keyed, request.subjectId, code);
  const expiresAt = now + otp.ttlSeconds * 1000;
  let issued: Awaited<ReturnType<CodeStore['issue']>>;
  try {
    issued = await deps.codes.issue(
      { registrationId: request.subjectId, codeHmac, expiresAt, lastSentAt: now },
      { maxSends: otp.maxSends, cooldownMs },
    );
  } catch (error) {
    await refundPhone();
    throw error;
  }
  if (!issued.issued) {
    // A parallel send won the cooldown: this one counts toward nothing.
    await refundPhone();
    return rateLimited('resend_cooldown', now + cooldownMs);
  }

  const undoCode = async () => {
    await deps.codes.restore(request.subjectId, codeHmac, issued.previous);
    await refundPhone();
  };
  try {
    await request.beforeSend?.();
  } catch (error) {
    await undoCode();
    throw error;
  }
  try {
    await deps.sms.send(request.phone, request.message(code, otp.ttlSeconds));
  } catch (error) {
    await undoCode();
    await request.afterSendFailed?.();
    throw error;
  }

  const sends = (issued.previous?.sends ?? 0) + 1;
  deps.events.record({ event: 'otp_sent', ...request.events, phone: maskPhone(request.phone), sends });
  return { expiresAt, resendAvailableAt: now + cooldownMs, sendsLeft: Math.max(0, otp.maxSends - sends) };
}

/**
 * Checks a code: the attempt is counted before the comparison (a parallel guess cannot skip the count), the
 * comparison is timing-safe. A wrong code with tries left throws otp_invalid with `attemptsLeft` >= 1; the
 * wrong try that uses the last attempt, and every try after it, throws otp_locked; an expired code
 * otp_expired. `found: false` when the subject has no code (the caller decides what that means).
 * A right code is returned, not consumed: the caller marks it used in the same write that moves its state.
 */
export async function checkSmsCode(
  deps: CheckSmsCodeDeps,
  request: CheckSmsCodeRequest,
): Promise<CheckedSmsCode> {
  const refuse = (reason: string): void =>
    deps.events.record({ event: 'otp_failure', ...request.events, reason });
  const now = deps.clock.now();
  const { maxAttempts } = deps.otp;
  const counted = await deps.codes.countAttempt(request.subjectId, now, maxAttempts);
  if (!counted) {
    const stored = await deps.codes.get(request.subjectId);
    if (!stored) return { found: false };
    if (stored.expiresAt <= now) {
      refuse('expired');
      return fail('otp_expired');
    }
    refuse(stored.used ? 'used' : 'locked');
    return fail('otp_locked');
  }
  // Under every key version (rule 62): a code sent just before a rotation is still right just after it.
  const candidates = deps.keyed.digests('otp', codeSubject(request.subjectId, request.code));
  if (candidates.some((digest) => sameDigest(digest, counted.codeHmac))) {
    return { found: true, codeHmac: counted.codeHmac };
  }
  const attemptsLeft = maxAttempts - counted.attempts;
  refuse('wrong_code');
  await request.onWrongCode?.();
  return attemptsLeft > 0 ? fail('otp_invalid', { attemptsLeft }) : fail('otp_locked');
}
