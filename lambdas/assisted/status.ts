// The assisted service's view of a customer, for branch and call-center staff: the user, the second factor,
// every lock with its end, the open registration and recovery, the live sessions and open sign-ins, and the
// latest security events of the audit trail. Masks and times only: never a hash, a token or an answer.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { AccessStore, AuditEntry, RecoveryStore } from '../ports/recovery.ts';
import type { AccountStore, SecondFactorState } from '../ports/sign-in.ts';
import type { RegistrationStore } from '../ports/stores.ts';
import type { EventLog } from '../ports/system.ts';
import { expiresAt as registrationExpiresAt } from '../registration/registration.ts';
import { challengeQuestions } from '../rules/catalog.ts';
import { fail } from '../rules/errors.ts';
import { maskEmail, maskPhone } from '../rules/masking.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { type SignInRules, secondFactorOf } from '../sign-in/session.ts';
import { isCustomerId } from './actions.ts';
import { type CustomerLock, customerLocks, type LockDeps } from './locks.ts';

export interface StatusDeps extends LockDeps {
  events: EventLog;
  directory: CustomerDirectory;
  accounts: Pick<AccountStore, 'getUser'>;
  registrations: Pick<RegistrationStore, 'lastOpenedBy' | 'get'>;
  recoveries: Pick<RecoveryStore, 'lastOpenedBy' | 'get'>;
  access: Pick<AccessStore, 'sessionsOf' | 'recent'>;
  session: { idleSeconds: number; maxSeconds: number };
}

export interface CustomerStatus {
  customerId: string;
  name?: string;
  contact: { phone: string; email: string };
  user?: { username: string; disabled?: { at: string; by: string } };
  secondFactor?: SecondFactorState;
  /** The questions the customer answered at registration (for the identity check): never the answers. */
  challengeQuestions?: { id: string; text: string }[];
  locks: (Omit<CustomerLock, 'until'> & { until: string })[];
  openRegistration?: { step: string; expiresAt: string };
  openRecovery?: { step: string; expiresAt: string };
  /** A recovery's token reset waiting out its hold (rule 54): staff may release or cancel it. */
  heldReset?: { requestedAt: string; until: string };
  /** The browsers the user signed in from (rule 57): label and when, never the device token. */
  devices?: { device: string; firstSeen: string; lastSeen: string }[];
  sessions: { active: number; openSignIns: number };
  recentEvents: (Omit<AuditEntry, 'customerId' | 'at'> & { at: string })[];
}

/** Audit entries shown to staff: the latest ones first. */
export const RECENT_EVENTS = 20;

const iso = (ms: number): string => new Date(ms).toISOString();
const alive = (item: { createdAt: number; lastSeenAt: number }, rules: SignInRules, now: number) =>
  now < sessionExpiresAt(item, rules);

export async function customerStatus(
  deps: StatusDeps,
  input: { customerId: string; actor: string },
): Promise<CustomerStatus> {
  const customer = isCustomerId(input.customerId)
    ? await deps.directory.getCustomer(input.customerId)
    : undefined;
  if (!customer) return fail('not_found');
  const now = deps.clock.now();
  const user = await deps.accounts.getUser(`CUSTOMER#${customer.customerId}`);

  const locks = (await customerLocks(deps, customer, user)).map((lock) => ({
    ...lock,
    until: iso(lock.until),
  }));

  const registrationId = await deps.registrations.lastOpenedBy(customer.customerId);
  const registration = registrationId ? await deps.registrations.get(registrationId) : undefined;
  const registrationEnds = registration && registrationExpiresAt(registration, deps.session);
  const recoveryId = await deps.recoveries.lastOpenedBy(customer.customerId);
  const recovery = recoveryId ? await deps.recoveries.get(recoveryId) : undefined;
  const recoveryEnds = recovery && sessionExpiresAt(recovery, deps.session);

  const sessions = user ? await deps.access.sessionsOf(user.userPk) : [];
  const live = sessions.filter((s) => s.epoch === user?.sessionEpoch && alive(s, deps.signIn, now));
  const recent = await deps.access.recent(customer.customerId, RECENT_EVENTS);

  deps.events.record({ event: 'staff_status_read', customerId: customer.customerId, actor: input.actor });
  return {
    customerId: customer.customerId,
    ...(customer.name ? { name: customer.name } : {}),
    contact: { phone: maskPhone(customer.phone), email: maskEmail(customer.email) },
    ...(user
      ? {
          user: {
            username: user.username,
            ...(user.disabledAt !== undefined
              ? { disabled: { at: iso(user.disabledAt), by: user.disabledBy ?? 'desconocido' } }
              : {}),
          },
          secondFactor: secondFactorOf(user),
          ...(user.heldReset
            ? {
                heldReset: { requestedAt: iso(user.heldReset.requestedAt), until: iso(user.heldReset.until) },
              }
            : {}),
          devices: Object.values(user.devices).map((d) => ({
            device: d.device,
            firstSeen: iso(d.firstSeen),
            lastSeen: iso(d.lastSeen),
          })),
          challengeQuestions: (user.answers ?? []).map(({ questionId }) => ({
            id: questionId,
            text: challengeQuestions.find((q) => q.id === questionId)?.text ?? questionId,
          })),
        }
      : {}),
    locks,
    ...(registration?.status === 'open' && registrationEnds && registrationEnds > now
      ? { openRegistration: { step: registration.step, expiresAt: iso(registrationEnds) } }
      : {}),
    ...(recovery?.status === 'open' && recoveryEnds && recoveryEnds > now
      ? { openRecovery: { step: recovery.step, expiresAt: iso(recoveryEnds) } }
      : {}),
    sessions: {
      active: live.filter((s) => s.kind === 'session').length,
      openSignIns: live.filter((s) => s.kind === 'sign-in').length,
    },
    recentEvents: recent.map(({ customerId: _c, at, ...entry }) => ({ ...entry, at: iso(at) })),
  };
}
