// GET /v1/recoveries/{id}: resume a recovery after a reload.
import { apiHandler } from '../http/api-handler.ts';
import { getRecovery } from '../recovery/resume.ts';
import { recoveryInput } from '../recovery/session.ts';
import { logger } from '../runtime.ts';
import { recoveryDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await getRecovery(recoveryDeps(request.log), recoveryInput(request.session())),
}));
