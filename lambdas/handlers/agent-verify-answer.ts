// POST /v1/customers/{customerId}/verify-answer (assisted-service API, AWS_IAM): the phone-banking identity
// check by one of the customer's challenge answers; 200 { match }, at most 3 a customer a day, audited.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { verifyAnswer } from '../assisted/verify-answer.ts';
import { hasher } from '../hashing.ts';
import { staffApiHandler } from '../http/api-handler.ts';
import { clock, config, logger, random } from '../runtime.ts';
import { access, accounts, db, directory } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = staffApiHandler(logger, async (request) => {
  const deps = {
    clock,
    random,
    hasher: await hasher(),
    events: request.log,
    directory: directory(),
    accounts: accounts(),
    limits,
    access: access(),
    identityChecksPerCustomerPerDay: config.staff.identityChecksPerCustomerPerDay,
  };
  const input = {
    customerId: request.pathParameter('customerId'),
    actor: request.actor,
    readBody: request.json,
  };
  return { status: 200, body: await verifyAnswer(deps, input) };
});
