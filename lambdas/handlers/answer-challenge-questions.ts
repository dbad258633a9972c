// PUT /v1/registrations/{id}/challenge-answers: step 8, three answers (argon2id) and the terms.

import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { answerChallengeQuestions } from '../registration/profile-steps.ts';
import { logger } from '../runtime.ts';
import { sessionDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => {
  const deps = { ...sessionDeps(request.log), hasher: await hasher() };
  return {
    status: 200,
    body: await answerChallengeQuestions(deps, { ...request.session(), readBody: request.json }),
  };
});
