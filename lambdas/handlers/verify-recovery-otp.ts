// POST /v1/recoveries/{id}/otp/verify: R3, check the code, rotate the token and show the username.
import { DynamoCodeStore } from '../adapters/dynamodb/code-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { verifyRecoveryCode } from '../recovery/code.ts';
import { recoveryInput } from '../recovery/session.ts';
import { config, logger, random } from '../runtime.ts';
import { accounts, db, directory, recoveryDeps } from '../storage.ts';

const codes = new DynamoCodeStore(db(), config.table('codes'));
const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...recoveryDeps(request.log),
    random,
    keyed: await keyed(),
    codes,
    limits,
    accounts: accounts(),
    directory: directory(),
    otp: config.otp,
    pin: config.pin,
  };
  const input = { ...recoveryInput(request.session()), readBody: request.json };
  return { status: 200, body: await verifyRecoveryCode(deps, input) };
});
