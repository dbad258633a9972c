// Step 1: prove a card, company key or virtual key with its 4-digit PIN and open a registration.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import { ConflictError, type LimitStore, type RegistrationStore, type UserStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { DependencyError, fail } from '../rules/errors.ts';
import { identifyCustomer } from '../rules/identify-customer.ts';
import { maskEmail, maskPhone } from '../rules/masking.ts';
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
