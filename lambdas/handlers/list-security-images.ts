// GET /v1/registrations/{id}/security-images: step 6, the anti-phishing images to choose from.
import { apiHandler } from '../http/api-handler.ts';
import { listSecurityImages } from '../registration/profile-steps.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await listSecurityImages(sessionDeps(request.log), request.session()),
}));
