// GET /v1/registrations/{id}/challenge-questions: step 8, the questions and the terms.
import { apiHandler } from '../http/api-handler.ts';
import { listChallengeQuestions } from '../registration/profile-steps.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await listChallengeQuestions(sessionDeps(request.log), request.session()),
}));
