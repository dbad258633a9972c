// DELETE /v1/registrations/{id}: cancel and free the username reservation.
import { apiHandler } from '../http/api-handler.ts';
import { cancelRegistration } from '../registration/finish.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => {
  await cancelRegistration(sessionDeps(request.log), request.session());
  return { status: 204 };
});
