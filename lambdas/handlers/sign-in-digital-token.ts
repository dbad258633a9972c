// POST /v1/sign-ins/{id}/digital-token: S3, the code of the active digital token.
import { apiHandler } from '../http/api-handler.ts';
import { config, logger, random } from '../runtime.ts';
import { signInWithDigitalToken } from '../sign-in/digital-token.ts';
import { signedInDeps } from '../storage.ts';
import { secretBox } from '../token-key.ts';

export const handler = apiHandler(logger, async (request) => {
  const deps = { ...signedInDeps(request.log), random, box: await secretBox(), rules: config.signIn };
  return {
    status: 200,
    body: await signInWithDigitalToken(deps, { ...request.session(), readBody: request.json }),
  };
});
