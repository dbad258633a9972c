// POST /v1/customer-lookups (assisted-service API, AWS_IAM): the customer a customer id, cédula, RUC or
// username names. In the body, not the path: identity numbers stay out of access logs.
import { lookupCustomer } from '../assisted/lookup.ts';
import { staffApiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { logger } from '../runtime.ts';
import { accounts, directory } from '../storage.ts';

const customers = directory({ keyed });

export const handler = staffApiHandler(logger, async (request) => {
  const deps = { events: request.log, directory: customers, accounts: accounts() };
  return { status: 200, body: await lookupCustomer(deps, { actor: request.actor, readBody: request.json }) };
});
