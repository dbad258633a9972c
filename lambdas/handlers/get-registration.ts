// GET /v1/registrations/{id}: resume after a reload.
import { apiHandler } from '../http/api-handler.ts';
import { getRegistration } from '../registration/finish.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await getRegistration(sessionDeps(request.log), request.session()),
}));
