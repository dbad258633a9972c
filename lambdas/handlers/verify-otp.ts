// POST /v1/registrations/{id}/otp/verify: check the code and rotate the token.
import { DynamoCodeStore } from '../adapters/dynamodb/code-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { verifyOtp } from '../registration/verify-otp.ts';
import { config, logger, random } from '../runtime.ts';
import { db, directory, sessionDeps } from '../storage.ts';

const codes = new DynamoCodeStore(db(), config.table('codes'));
const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...sessionDeps(request.log),
    random,
    keyed: await keyed(),
    codes,
    limits,
    directory: directory(),
    otp: config.otp,
    pin: config.pin,
  };
  return { status: 200, body: await verifyOtp(deps, { ...request.session(), readBody: request.json }) };
});
