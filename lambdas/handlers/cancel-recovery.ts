// DELETE /v1/recoveries/{id}: cancel a recovery.
import { apiHandler } from '../http/api-handler.ts';
import { cancelRecovery } from '../recovery/resume.ts';
import { recoveryInput } from '../recovery/session.ts';
import { logger } from '../runtime.ts';
import { recoveryDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => {
  await cancelRecovery(recoveryDeps(request.log), recoveryInput(request.session()));
  return { status: 204 };
});
