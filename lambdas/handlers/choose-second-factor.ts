// PUT /v1/registrations/{id}/second-factor: steps 9-10, smartphone and digital token or later.
import { apiHandler } from '../http/api-handler.ts';
import { chooseSecondFactor } from '../registration/profile-steps.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await chooseSecondFactor(sessionDeps(request.log), { ...request.session(), readBody: request.json }),
}));
