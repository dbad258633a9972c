// GET /v1/customers/{customerId} (assisted-service API, AWS_IAM): what staff see of a customer's access.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { customerStatus } from '../assisted/status.ts';
import { staffApiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { clock, config, logger } from '../runtime.ts';
import { access, accounts, db, directory, recoveries, registrations } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = staffApiHandler(logger, async (request) => {
  const deps = {
    clock,
    keyed: await keyed(),
    events: request.log,
    directory: directory(),
    accounts: accounts(),
    limits,
    registrations: registrations(),
    recoveries: recoveries(),
    access: access(),
    otp: config.otp,
    pin: config.pin,
    session: config.session,
    signIn: config.signIn,
  };
  const input = { customerId: request.pathParameter('customerId'), actor: request.actor };
  return { status: 200, body: await customerStatus(deps, input) };
});
