// DELETE /v1/me/sessions/{id}: ends one of the customer's sessions («Cerrar»).
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';
import { endSession } from '../self-service/sessions.ts';
import { signedInDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => {
  const { registrationId: sessionId, token } = request.session();
  await endSession(signedInDeps(request.log), { token, sessionId });
  return { status: 204 };
});
