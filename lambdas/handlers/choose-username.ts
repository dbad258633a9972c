// PUT /v1/registrations/{id}/username: step 4, reserve a unique username.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { DynamoUserStore } from '../adapters/dynamodb/user-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { chooseUsername } from '../registration/choose-username.ts';
import { config, logger } from '../runtime.ts';
import { db, sessionDeps } from '../storage.ts';

const users = new DynamoUserStore(db(), config.table('users'));
const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const deps = { ...sessionDeps(request.log), users, limits, usernameMaxTries: config.usernameMaxTries };
  return { status: 200, body: await chooseUsername(deps, { ...request.session(), readBody: request.json }) };
});
