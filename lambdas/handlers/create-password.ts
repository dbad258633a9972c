// PUT /v1/registrations/{id}/password: step 5, the password, stored only as argon2id.

import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { createPassword } from '../registration/create-password.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => {
  const deps = { ...sessionDeps(request.log), hasher: await hasher() };
  return { status: 200, body: await createPassword(deps, { ...request.session(), readBody: request.json }) };
});
