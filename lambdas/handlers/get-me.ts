// GET /v1/me: the signed-in customer's username, masked contact, second factor and security image.
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';
import { getMe } from '../sign-in/me.ts';
import { directory, signedInDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await getMe({ ...signedInDeps(request.log), directory: directory() }, request.session()),
}));
