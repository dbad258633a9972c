// Step 2: send a fresh six-digit code by SMS to the phone on file, within the resend and pumping limits.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { SmsSender } from '../ports/notifications.ts';
import { type CodeStore, ConflictError, type LimitStore } from '../ports/stores.ts';
import type { Keyed, RandomSource } from '../ports/system.ts';
import { DependencyError, fail } from './errors.ts';
import { maskPhone } from './masking.ts';
import { explainConflict, loadSession, type SessionDeps, type SessionInput } from './session.ts';

export interface OtpRules {
  ttlSeconds: number;
  maxAttempts: number;
  maxSends: number;
  cooldownSeconds: number;
  perPhonePerHour: number;
}

export interface SendOtpDeps extends SessionDeps {
  random: RandomSource;
  keyed: Keyed;
  codes: CodeStore;
  limits: LimitStore;
  directory: CustomerDirectory;
  sms: SmsSender;
  otp: OtpRules;
}

export interface SendOtpResult {
  step: 'enter-otp';
  expiresAt: string;
  resendAvailableAt: string;
  sendsLeft: number;
}

const HOUR = 3_600_000;

/** Six digits from crypto.randomInt, leading zeros kept (rule 9). */
export const newCode = (random: RandomSource): string => random.int(1_000_000).toString().padStart(6, '0');

/** The code's keyed digest binds it to its registration (rule 11). */
export const codeDigest = (keyed: Keyed, registrationId: string, code: string): string =>
  keyed.digest('otp', `${registrationId}:${code}`);

/** The per-phone send counters of one phone number: this prefix and the end of the hour (rule 14). The phone is
 * keyed, never stored; the privacy tool finds a customer's counters by the same prefix. */
export const phoneCounterPrefix = (keyed: Keyed, phone: string): string =>
  `sms#${keyed.digest('phone', phone)}#`;

/** One GSM-7 segment: no accented vowels, at most 160 characters (rule 16). */
export const otpMessage = (code: string, ttlSeconds: number): string =>
  `Produbanco: tu clave temporal de registro es ${code}. Vence en ${Math.round(ttlSeconds / 60)} minutos. No la compartas con nadie.`;

export async function sendOtp(deps: SendOtpDeps, input: SessionInput): Promise<SendOtpResult> {
  const registration = await loadSession(deps, input);
  if (registration.step !== 'verify-contact' && registration.step !== 'enter-otp') {
    deps.events.record({
      event: 'step_refused',
      registrationId: registration.registrationId,
      requested: 'otp',
    });
    return fail('step_out_of_order', { currentStep: registration.step });
  }
  const now = deps.clock.now();
  const { otp } = deps;
  const sessionEnds = registration.createdAt + deps.session.maxSeconds * 1000;
  const rateLimited = (limit: string, until: number): never => {
    deps.events.record({ event: 'rate_limited', registrationId: registration.registrationId, limit });
    return fail('rate_limited', { retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) });
  };

  const previous = await deps.codes.get(registration.registrationId);
  if (previous && previous.sends >= otp.maxSends) rateLimited('sends_per_registration', sessionEnds);
  if (previous && previous.lastSentAt + otp.cooldownSeconds * 1000 > now) {
    rateLimited('resend_cooldown', previous.lastSentAt + otp.cooldownSeconds * 1000);
  }

  const customer = await deps.directory.getCustomer(registration.customerId);
  if (!customer) throw new DependencyError('customer of an open registration is missing from the directory');
  const hourEnd = (Math.floor(now / HOUR) + 1) * HOUR;
  const phoneKey = `${phoneCounterPrefix(deps.keyed, customer.phone)}${hourEnd}`;
  if (!(await deps.limits.hit(phoneKey, otp.perPhonePerHour, hourEnd)))
    rateLimited('sends_per_phone', hourEnd);

  const code = newCode(deps.random);
  const codeHmac = codeDigest(deps.keyed, registration.registrationId, code);
  const codeExpiresAt = now + otp.ttlSeconds * 1000;
  let issued: Awaited<ReturnType<CodeStore['issue']>>;
  try {
    issued = await deps.codes.issue(
      { registrationId: registration.registrationId, codeHmac, expiresAt: codeExpiresAt, lastSentAt: now },
      { maxSends: otp.maxSends, cooldownMs: otp.cooldownSeconds * 1000 },
    );
  } catch (error) {
    await deps.limits.refund(phoneKey);
    throw error;
  }
  if (!issued.issued) {
    // A parallel send won the cooldown: this one counts toward nothing.
    await deps.limits.refund(phoneKey);
    return rateLimited('resend_cooldown', now + otp.cooldownSeconds * 1000);
  }

  // Undo the code and the phone count: the send is not burnt and no undelivered code stays usable.
  const undoCode = async () => {
    await deps.codes.restore(registration.registrationId, codeHmac, issued.previous);
    await deps.limits.refund(phoneKey);
  };
  const moves = registration.step === 'verify-contact';
  const next = {
    ...registration,
    step: 'enter-otp' as const,
    version: registration.version + 1,
    lastSeenAt: now,
  };
  try {
    if (moves) await deps.registrations.save(next, registration.version);
    else await deps.registrations.touch(registration.registrationId, now);
  } catch (error) {
    await undoCode();
    if (error instanceof ConflictError) return explainConflict(deps, input);
    throw error;
  }
  try {
    await deps.sms.send(customer.phone, otpMessage(code, otp.ttlSeconds));
  } catch (error) {
    await undoCode();
    if (moves) await deps.registrations.save({ ...registration, version: next.version + 1 }, next.version);
    throw error;
  }

  const sends = (issued.previous?.sends ?? 0) + 1;
  deps.events.record({
    event: 'otp_sent',
    registrationId: registration.registrationId,
    phone: maskPhone(customer.phone),
    sends,
  });
  return {
    step: 'enter-otp',
    expiresAt: new Date(codeExpiresAt).toISOString(),
    resendAvailableAt: new Date(now + otp.cooldownSeconds * 1000).toISOString(),
    sendsLeft: Math.max(0, otp.maxSends - sends),
  };
}
