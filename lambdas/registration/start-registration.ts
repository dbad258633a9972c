// Step 1: prove a card, company key or virtual key with its 4-digit PIN and open a registration.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { LimitStore, RegistrationStore, UserStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { fail } from '../rules/errors.ts';
import { identifyCustomer } from '../rules/identify-customer.ts';
import { maskEmail, maskPhone } from '../rules/masking.ts';
import { openInPlaceOfOthers } from '../rules/supersede.ts';
import { newToken } from '../rules/tokens.ts';
import { expiresAt, type Registration, usernameKey } from './registration.ts';
import type { SessionRules } from './session.ts';

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

export async function startRegistration(
  deps: StartRegistrationDeps,
  input: { readBody: () => unknown; sourceIp: string },
): Promise<StartRegistrationResult> {
  const { customer, credential } = await identifyCustomer(deps, input);

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
  // Rule 41: the customer's other open registration closes in the same transaction (its username is freed).
  const closed = await openInPlaceOfOthers(
    deps.registrations,
    registration.customerId,
    registration,
    registration.createdAt,
    (previous) => ({ usernameKey: previous.username ? usernameKey(previous.username) : undefined }),
  );
  if (closed)
    deps.events.record({
      event: 'registration_cancelled',
      registrationId: closed.registrationId,
      reason: 'superseded',
    });
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
