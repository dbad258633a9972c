// DELETE /v1/me/session: sign-out; the session token is dead from then on.
import { apiHandler } from '../http/api-handler.ts';
import { logger } from '../runtime.ts';
import { signOut } from '../sign-in/me.ts';
import { signedInDeps } from '../storage.ts';

export const handler = apiHandler(logger, async (request) => {
  await signOut(signedInDeps(request.log), request.session());
  return { status: 204 };
});
