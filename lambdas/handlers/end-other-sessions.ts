// POST /v1/me/sessions/end-others: «Cerrar sesión en los demás dispositivos».
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';
import { endOtherSessions } from '../self-service/sessions.ts';
import { signedInDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await endOtherSessions(signedInDeps(request.log), request.session()),
}));
