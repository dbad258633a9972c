// POST /v1/customers/{customerId}/actions/{action} (assisted-service API, AWS_IAM): unlock, revoke-sessions,
// reset-token, disable or enable, with a written reason; audited, and the customer is emailed.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { changeAccess } from '../assisted/actions.ts';
import { staffApiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { clock, config, logger, random } from '../runtime.ts';
import { access, accounts, db, directory } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = staffApiHandler(logger, async (request) => {
  const deps = {
    clock,
    random,
    keyed: await keyed(),
    events: request.log,
    directory: directory(),
    accounts: accounts(),
    access: access(),
    limits,
    otp: config.otp,
    pin: config.pin,
    signIn: config.signIn,
    staffMaxChangesPerHour: config.staff.maxChangesPerHour,
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
