// PUT /v1/recoveries/{id}/password: R4, the new password; sessions end, locks clear, maybe the token resets.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { resetPassword } from '../recovery/new-password.ts';
import { recoveryInput } from '../recovery/session.ts';
import { config, logger, random } from '../runtime.ts';
import { access, accounts, db, recoveryDeps } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...recoveryDeps(request.log),
    random,
    keyed: await keyed(),
    hasher: await hasher(),
    limits,
    access: access(),
    accounts: accounts(),
    rules: { recoveryMaxPerCustomerPerDay: config.recoveryMaxPerCustomerPerDay },
  };
  const input = { ...recoveryInput(request.session()), readBody: request.json };
  return { status: 200, body: await resetPassword(deps, input) };
});
