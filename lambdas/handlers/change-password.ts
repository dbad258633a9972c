// PUT /v1/me/password: the signed-in customer's new password; every other session ends, this one stays.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { config, logger, random } from '../runtime.ts';
import { changePassword } from '../self-service/password.ts';
import { access, db, directory, signedInDeps } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const [keys, hashing] = await Promise.all([keyed(), hasher()]);
  await changePassword(
    {
      ...signedInDeps(request.log),
      random,
      keyed: keys,
      hasher: hashing,
      limits,
      directory: directory(),
      access: access(),
      rules: config.signIn,
    },
    {
      token: request.session().token,
      readBody: request.json,
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
    },
  );
  return { status: 204 };
});
