// Step 1: prove a card, company key or virtual key with its 4-digit PIN and open a registration.
import * as z from 'zod/mini';
import {
  type Credential,
  type CustomerDirectory,
  credentialIdentifier,
} from '../ports/customer-directory.ts';
import { ConflictError, type LimitStore, type RegistrationStore, type UserStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { countAddress } from '../rules/address-limit.ts';
import { DependencyError, fail } from '../rules/errors.ts';
import { isValidCedula, isValidRuc, passesLuhn } from '../rules/identity-numbers.ts';
import { pinKey as pinKeyOf } from '../rules/lock-keys.ts';
import { lockedCheck } from '../rules/lockout.ts';
import { maskEmail, maskPhone } from '../rules/masking.ts';
import { newToken } from '../rules/tokens.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';
import { expiresAt, type Registration, usernameKey } from './registration.ts';
import type { SessionRules } from './session.ts';

const pin = z.string().check(z.regex(/^\d{4}$/, 'pin_format'));
const cedula = z
  .string()
  .check(z.regex(/^\d{10}$/, 'cedula_format'), z.refine(isValidCedula, 'cedula_format'));

export const startRegistrationSchema = z.discriminatedUnion('type', [
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

export interface StartRegistrationDeps {
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  events: EventLog;
  directory: CustomerDirectory;
  registrations: RegistrationStore;
  users: UserStore;
  limits: LimitStore;
  rules: {
    session: SessionRules;
    pin: { maxAttempts: number; lockSeconds: number };
    identifyPerIpPerMinute: number;
  };
}

export interface StartRegistrationResult {
  registrationId: string;
  token: string;
  step: 'verify-contact';
  contact: { phone: string; email: string };
  expiresAt: string;
}

/** An expiry already in the past is a format error (422), checked before any lookup. */
function rejectPastExpiry(credential: Credential, now: number): void {
  if (credential.type !== 'card') return;
  const today = new Date(now);
  const expired =
    credential.expiryYear < today.getUTCFullYear() ||
    (credential.expiryYear === today.getUTCFullYear() && credential.expiryMonth < today.getUTCMonth() + 1);
  rejectFields(expired ? [fieldError('expiryYear', 'card_expired')] : []);
}

/**
 * Creates the registration and closes the customer's other open one in the same transaction (rule 41): its
 * token dies and its username reservation is freed. A parallel step 1 or step of the old registration makes
 * the write lose; it is read again and retried, then fails closed (503).
 */
async function openInPlaceOfOthers(deps: StartRegistrationDeps, registration: Registration): Promise<void> {
  const now = registration.createdAt;
  for (let round = 0; round < 3; round++) {
    const pointer = await deps.registrations.lastOpenedBy(registration.customerId);
    const previous = pointer ? await deps.registrations.get(pointer) : undefined;
    const close =
      previous?.status === 'open'
        ? {
            next: {
              ...previous,
              status: 'cancelled' as const,
              version: previous.version + 1,
              lastSeenAt: now,
            },
            expectedVersion: previous.version,
            usernameKey: previous.username ? usernameKey(previous.username) : undefined,
          }
        : undefined;
    try {
      await deps.registrations.create(registration, { pointer, close });
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    if (close) {
      deps.events.record({
        event: 'registration_cancelled',
        registrationId: close.next.registrationId,
        reason: 'superseded',
      });
    }
    return;
  }
  throw new DependencyError('step 1 kept losing to parallel writes of the same customer');
}

export async function startRegistration(
  deps: StartRegistrationDeps,
  input: { readBody: () => unknown; sourceIp: string },
): Promise<StartRegistrationResult> {
  await countAddress(deps, 'identify', input.sourceIp, deps.rules.identifyPerIpPerMinute);
  const credential: Credential = parseBody(startRegistrationSchema, input.readBody());
  rejectPastExpiry(credential, deps.clock.now());

  const identifier = deps.keyed.digest('credential', credentialIdentifier(credential));
  const pinKey = pinKeyOf(identifier);
  const checked = await lockedCheck(deps, pinKey, deps.rules.pin, () =>
    deps.directory.authenticate(credential),
  );
  if (checked.outcome === 'locked') {
    deps.events.record({ event: 'credential_locked', credentialType: credential.type, phase: 'refused' });
    return fail('credential_locked', { retryAfterSeconds: checked.retryAfterSeconds });
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
      return fail('credential_locked', { retryAfterSeconds: deps.rules.pin.lockSeconds });
    }
    return fail('invalid_credentials');
  }
  const customer = checked.value;

  if (customer.registered || (await deps.users.customerHasUser(customer.customerId))) {
    deps.events.record({
      event: 'credential_failure',
      credentialType: credential.type,
      reason: 'already_registered',
    });
    return fail('already_registered');
  }

  const now = deps.clock.now();
  const { token, tokenHash } = newToken(deps.random);
  const registration: Registration = {
    registrationId: deps.random.uuid(),
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
  };
  await openInPlaceOfOthers(deps, registration);
  deps.events.record({
    event: 'registration_started',
    registrationId: registration.registrationId,
    credentialType: credential.type,
  });
  return {
    registrationId: registration.registrationId,
    token,
    step: 'verify-contact',
    contact: registration.contact,
    expiresAt: new Date(expiresAt(registration, deps.rules.session)).toISOString(),
  };
}
