// PUT /v1/registrations/{id}/contact: step 7, home and work phones.
import { apiHandler } from '../http/api-handler.ts';
import { updateContact } from '../registration/profile-steps.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await updateContact(sessionDeps(request.log), { ...request.session(), readBody: request.json }),
}));
