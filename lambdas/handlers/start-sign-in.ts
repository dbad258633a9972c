// POST /v1/sign-ins: S1, the username and the security image it shows.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { clock, config, logger, random } from '../runtime.ts';
import { startSignIn } from '../sign-in/start-sign-in.ts';
import { access, accounts, db, signIns } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    clock,
    random,
    keyed: await keyed(),
    events: request.log,
    limits,
    signIns: signIns(),
    accounts: accounts(),
    access: access(),
    rules: config.signIn,
  };
  return {
    status: 201,
    body: await startSignIn(deps, {
      readBody: request.json,
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
    }),
  };
});
