// GET /v1/me/sessions: where the customer is signed in (browser, coarse place, times), the current one marked.
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';
import { listSessions } from '../self-service/sessions.ts';
import { signedInDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await listSessions(signedInDeps(request.log), request.session()),
}));
