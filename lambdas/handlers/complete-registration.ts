// POST /v1/registrations/{id}/complete: step 11, the user, its username, the customer link and the
// completion email (outbox) in one transaction.
import { apiHandler } from '../http/api-handler.ts';
import { completeRegistration } from '../registration/finish.ts';
import { logger, random } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 201,
  body: await completeRegistration({ ...sessionDeps(request.log), random }, request.session()),
}));
