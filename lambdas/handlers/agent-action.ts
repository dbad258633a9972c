// POST /v1/customers/{customerId}/actions/{action} (assisted-service API, AWS_IAM): unlock, revoke-sessions,
// reset-token, disable or enable, with a written reason; audited, and the customer is emailed.
import { changeAccess } from '../assisted/actions.ts';
import { staffApiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { clock, logger, random } from '../runtime.ts';
import { access, accounts, directory } from '../storage.ts';

export const handler = staffApiHandler(logger, async (request) => {
  const deps = {
    clock,
    random,
    keyed: await keyed(),
    events: request.log,
    directory: directory(),
    accounts: accounts(),
    access: access(),
  };
  const input = {
    customerId: request.pathParameter('customerId'),
    action: request.pathParameter('action'),
    actor: request.actor,
    idempotencyKey: request.idempotencyKey,
    readBody: request.json,
  };
  return { status: 200, body: await changeAccess(deps, input) };
});
