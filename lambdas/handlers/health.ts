// GET /v1/health: the service answers (no dependency is called, so it never fails on one).
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';

export const handler = apiHandler(logger, async () => ({ status: 200, body: { status: 'ok' } }));
