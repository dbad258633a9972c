// Step 1's proof, one implementation for every journey that starts from a card, company key or virtual key
// and its 4-digit PIN (registration, recovery): the per-address limit, the formats, and the PIN check under
// the credential's counter and lock (rule 3). Both journeys count on the same counter, so alternating them
// gives no extra tries.
import * as z from 'zod/mini';
import {
  type Credential,
  type Customer,
  type CustomerDirectory,
  credentialIdentifier,
} from '../ports/customer-directory.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed } from '../ports/system.ts';
import { countAddress } from './address-limit.ts';
import { type ErrorExtras, fail, retryAfterSeconds } from './errors.ts';
import { isValidCedula, isValidRuc, passesLuhn } from './identity-numbers.ts';
import { pinKey as pinKeyOf } from './lock-keys.ts';
import { lockedCheck } from './lockout.ts';
import { fieldError, parseBody, rejectFields } from './validation.ts';

const pin = z.string().check(z.regex(/^\d{4}$/, 'pin_format'));
const cedula = z
  .string()
  .check(z.regex(/^\d{10}$/, 'cedula_format'), z.refine(isValidCedula, 'cedula_format'));

/** The identification body of step 1 and of R1. */
export const identificationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('card'),
    cardNumber: z
      .string()
      .check(z.regex(/^\d{13,19}$/, 'card_number_format'), z.refine(passesLuhn, 'card_number_checksum')),
    expiryMonth: z.int().check(z.gte(1, 'expiry_month_format'), z.lte(12, 'expiry_month_format')),
    expiryYear: z.int().check(z.gte(2000, 'expiry_year_format'), z.lte(2100, 'expiry_year_format')),
    pin,
  }),
  z.strictObject({
    type: z.literal('company'),
    ruc: z.string().check(z.regex(/^\d{13}$/, 'ruc_format'), z.refine(isValidRuc, 'ruc_format')),
    cedula: z.optional(cedula),
    pin,
  }),
  z.strictObject({ type: z.literal('virtual-key'), cedula, pin }),
]);

/** An expiry already in the past is a format error (422), checked before any lookup. */
function rejectPastExpiry(credential: Credential, now: number): void {
  if (credential.type !== 'card') return;
  const today = new Date(now);
  const expired =
    credential.expiryYear < today.getUTCFullYear() ||
    (credential.expiryYear === today.getUTCFullYear() && credential.expiryMonth < today.getUTCMonth() + 1);
  rejectFields(expired ? [fieldError('expiryYear', 'card_expired')] : []);
}

export interface IdentifyDeps {
  clock: Clock;
  keyed: Keyed;
  events: EventLog;
  directory: CustomerDirectory;
  limits: LimitStore;
  rules: {
    pin: { maxAttempts: number; lockSeconds: number };
    identifyPerIpPerMinute: number;
  };
}

/** The latest end of a PIN lock still on under any of `digests`, else undefined. */
async function lockUnderOlderKeys(deps: IdentifyDeps, digests: string[]): Promise<number | undefined> {
  const now = deps.clock.now();
  const ends = await Promise.all(
    digests.map((digest) => deps.limits.lockedUntil(pinKeyOf(digest), now, deps.rules.pin.maxAttempts)),
  );
  return ends.reduce<number | undefined>(
    (latest, end) => (end && end > (latest ?? 0) ? end : latest),
    undefined,
  );
}

/**
 * The customer a step-1 body proves, or the refusal every journey gives: 422 formats, 429 per address,
 * 423 while the credential is locked (and on the wrong PIN that locks it), 401 for every other failure.
 */
export async function identifyCustomer(
  deps: IdentifyDeps,
  input: { readBody: () => unknown; sourceIp: string },
  journey?: ErrorExtras['journey'],
): Promise<{ customer: Customer; credential: Credential }> {
  const extras = journey ? { journey } : {};
  await countAddress(deps, 'identify', input.sourceIp, deps.rules.identifyPerIpPerMinute);
  const credential: Credential = parseBody(identificationSchema, input.readBody());
  rejectPastExpiry(credential, deps.clock.now());

  const [identifier, ...older] = deps.keyed.digests('credential', credentialIdentifier(credential));
  const pinKey = pinKeyOf(identifier as string);
  // A lock kept under an older key version still holds (rule 62): one engaged before a rotation, or rule
  // 40's lock of every credential, which uses the digests the directory was loaded with.
  const olderLock = await lockUnderOlderKeys(deps, older);
  const checked = olderLock
    ? ({ outcome: 'locked', retryAfterSeconds: retryAfterSeconds(olderLock, deps.clock.now()) } as const)
    : await lockedCheck(deps, pinKey, deps.rules.pin, () => deps.directory.authenticate(credential));
  if (checked.outcome === 'locked') {
    deps.events.record({ event: 'credential_locked', credentialType: credential.type, phase: 'refused' });
    return fail('credential_locked', { ...extras, retryAfterSeconds: checked.retryAfterSeconds });
  }
  if (checked.outcome === 'failed') {
    deps.events.record({
      event: 'credential_failure',
      credentialType: credential.type,
      tries: checked.tries,
    });
    if (checked.lockedNow) {
      deps.events.record({ event: 'credential_locked', credentialType: credential.type, phase: 'engaged' });
      // The try that locks says so, with the wait, so the customer does not retry blind for a day. It tells
      // nothing about the card: unknown identifiers are counted and locked the same way (rule 3).
      return fail('credential_locked', { ...extras, retryAfterSeconds: deps.rules.pin.lockSeconds });
    }
    return fail('invalid_credentials', extras);
  }
  return { customer: checked.value, credential };
}
