// Finding the customer the way an agent is asked: by the internal customer id, a cédula, a RUC or the online
// username. One value in, one customer out; a value that names several customers (a RUC with several users)
// is refused with the candidates, one that names nobody says which value was not found. Read like a status.
import * as z from 'zod/mini';
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { AccountStore } from '../ports/sign-in.ts';
import type { EventLog } from '../ports/system.ts';
import { usernameKey } from '../registration/registration.ts';
import { USERNAME_PATTERN } from '../rules/credentials-policy.ts';
import { fail } from '../rules/errors.ts';
import { isValidCedula, isValidRuc } from '../rules/identity-numbers.ts';
import { parseBody } from '../rules/validation.ts';
import { isCustomerId } from './actions.ts';

export const lookupSchema = z.strictObject({
  query: z.string().check(z.minLength(1, 'required'), z.maxLength(64, 'lookup_value')),
});

export interface LookupDeps {
  events: EventLog;
  directory: Pick<CustomerDirectory, 'getCustomer' | 'findByIdentityNumber'>;
  accounts: Pick<AccountStore, 'findByUsername'>;
}

export type MatchedBy = 'customer-id' | 'cedula' | 'ruc' | 'username';

export async function lookupCustomer(
  deps: LookupDeps,
  input: { actor: string; readBody: () => unknown },
): Promise<{ customerId: string; matchedBy: MatchedBy }> {
  const query = parseBody(lookupSchema, input.readBody()).query.trim();
  const found = new Map<string, MatchedBy>();
  const add = (customerIds: string[], by: MatchedBy) => {
    for (const id of customerIds) if (!found.has(id)) found.set(id, by);
  };
  if (/^\d{10}$/.test(query) && isValidCedula(query))
    add(await deps.directory.findByIdentityNumber(query), 'cedula');
  if (/^\d{13}$/.test(query) && isValidRuc(query))
    add(await deps.directory.findByIdentityNumber(query), 'ruc');
  if (isCustomerId(query) && (await deps.directory.getCustomer(query))) add([query], 'customer-id');
  if (USERNAME_PATTERN.test(query)) {
    const user = await deps.accounts.findByUsername(usernameKey(query));
    if (user) add([user.customerId], 'username');
  }
  deps.events.record({ event: 'staff_lookup', actor: input.actor, matches: found.size });
  if (found.size === 0) return fail('not_found', { value: query });
  if (found.size > 1) return fail('customer_ambiguous', { candidates: [...found.keys()].sort() });
  const [[customerId, matchedBy]] = [...found] as [[string, MatchedBy]];
  return { customerId, matchedBy };
}
