// The staff's identity check for phone banking (rule 59): the caller gives one of the customer's challenge
// answers, staff type it, and learn only whether it matches. Challenge answers are never a self-service
// factor; this check is their only use. At most IDENTITY_CHECKS_PER_CUSTOMER_PER_DAY tries per customer a
// day, counted before the comparison, each written to the audit trail (who, which question, the outcome;
// never the answer).
import * as z from 'zod/mini';
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { AccessStore } from '../ports/recovery.ts';
import type { AccountStore } from '../ports/sign-in.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Hasher, RandomSource } from '../ports/system.ts';
import { answerText } from '../registration/profile-steps.ts';
import { auditEntryId } from '../rules/audit.ts';
import { normaliseAnswer } from '../rules/credentials-policy.ts';
import { verifyOrDummy } from '../rules/equal-work.ts';
import { fail, retryAfterSeconds } from '../rules/errors.ts';
import { identityCheckKey } from '../rules/lock-keys.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';
import { isCustomerId } from './actions.ts';

export const verifyAnswerSchema = z.strictObject({
  questionId: z.string().check(z.minLength(1, 'required'), z.maxLength(64, 'question_unknown')),
  answer: answerText,
});

const DAY_MS = 24 * 3600 * 1000;

export interface VerifyAnswerDeps {
  clock: Clock;
  random: RandomSource;
  hasher: Hasher;
  events: EventLog;
  directory: Pick<CustomerDirectory, 'getCustomer'>;
  accounts: Pick<AccountStore, 'getUser'>;
  limits: LimitStore;
  access: Pick<AccessStore, 'record'>;
  identityChecksPerCustomerPerDay: number;
}

export async function verifyAnswer(
  deps: VerifyAnswerDeps,
  input: { customerId: string; actor: string; readBody: () => unknown },
): Promise<{ match: boolean }> {
  if (!isCustomerId(input.customerId)) return fail('not_found');
  const { questionId, answer } = parseBody(verifyAnswerSchema, input.readBody());
  const customer = await deps.directory.getCustomer(input.customerId);
  if (!customer) return fail('not_found');
  const user = await deps.accounts.getUser(`CUSTOMER#${customer.customerId}`);
  if (!user) return fail('not_registered');
  const chosen = user.answers?.find((a) => a.questionId === questionId);
  // Only the three questions the customer chose can be asked (status lists them).
  rejectFields(chosen ? [] : [fieldError('questionId', 'question_not_chosen')]);

  const now = deps.clock.now();
  const key = identityCheckKey(customer.customerId);
  const hit = await deps.limits.hit(key, deps.identityChecksPerCustomerPerDay, DAY_MS, now);
  if (!hit.allowed)
    return fail('rate_limited', {
      reason: 'identity_checks',
      retryAfterSeconds: retryAfterSeconds(hit.retryAt, now),
    });
  let match: boolean;
  try {
    // Compared as it was stored: the registration's normalisation, argon2id with the pepper.
    match = await verifyOrDummy(deps.hasher, chosen?.answerHash, normaliseAnswer(answer));
  } catch (error) {
    // An outage proved nothing: the try is given back.
    await deps.limits.refund(key, hit.hitId).catch(() => undefined);
    throw error;
  }
  // The outcome is answered only once it is in the audit trail.
  await deps.access.record({
    customerId: customer.customerId,
    eventId: auditEntryId(now, deps.random),
    at: now,
    kind: 'identity-check',
    actor: input.actor,
    details: { questionId, match },
  });
  deps.events.record({
    event: 'staff_identity_check',
    customerId: customer.customerId,
    actor: input.actor,
    match,
  });
  return { match };
}
