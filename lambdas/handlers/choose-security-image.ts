// PUT /v1/registrations/{id}/security-image: step 6, the chosen image.
import { apiHandler } from '../http/api-handler.ts';
import { chooseSecurityImage } from '../registration/profile-steps.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await chooseSecurityImage(sessionDeps(request.log), { ...request.session(), readBody: request.json }),
}));
