// POST /v1/me/digital-token/activation/confirm: T3, the first code from the app activates the token.
import { confirmActivation } from '../digital-token/activation.ts';
import { apiHandler } from '../http/api-handler.ts';
import { config, logger, random } from '../runtime.ts';
import { signedInDeps } from '../storage.ts';
import { secretBox } from '../token-key.ts';

export const handler = apiHandler(logger, async (request) => {
  const deps = { ...signedInDeps(request.log), random, box: await secretBox(), rules: config.signIn };
  return {
    status: 200,
    body: await confirmActivation(deps, { ...request.session(), readBody: request.json }),
  };
});
