// POST /v1/sign-ins/{id}/password: S2, the password; a session, or the digital-token step.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { config, logger, random } from '../runtime.ts';
import { signInWithPassword } from '../sign-in/password.ts';
import { access, db, signedInDeps } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const [keys, hashing] = await Promise.all([keyed(), hasher()]);
  const deps = {
    ...signedInDeps(request.log),
    random,
    keyed: keys,
    hasher: hashing,
    limits,
    access: access(),
    rules: config.signIn,
  };
  return {
    status: 200,
    body: await signInWithPassword(deps, { ...request.session(), readBody: request.json }),
  };
});
