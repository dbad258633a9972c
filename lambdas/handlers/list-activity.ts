// GET /v1/me/activity: the customer's own last security events, what and when.
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';
import { listActivity } from '../self-service/activity.ts';
import { access, signedInDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await listActivity({ ...signedInDeps(request.log), access: access() }, request.session()),
}));
