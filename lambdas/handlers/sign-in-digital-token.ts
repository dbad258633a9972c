// POST /v1/sign-ins/{id}/digital-token: S3, the code of the active digital token.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { config, logger, random } from '../runtime.ts';
import { signInWithDigitalToken } from '../sign-in/digital-token.ts';
import { db, signedInDeps } from '../storage.ts';
import { secretBox } from '../token-key.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const [keys, box] = await Promise.all([keyed(), secretBox()]);
  const deps = { ...signedInDeps(request.log), random, box, keyed: keys, limits, rules: config.signIn };
  return {
    status: 200,
    body: await signInWithDigitalToken(deps, { ...request.session(), readBody: request.json }),
  };
});
