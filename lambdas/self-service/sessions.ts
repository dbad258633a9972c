// The signed-in customer's sessions (rule 58): see where they are signed in, end any one, or end every other.
import type { UserSession } from '../ports/sign-in.ts';
import { fail } from '../rules/errors.ts';
import { sessionExpiresAt } from '../rules/session-expiry.ts';
import { isIssuedId } from '../rules/tokens.ts';
import { loadSignedIn, type SignedIn, type SignedInDeps } from '../signed-in/session.ts';

export interface SessionView {
  id: string;
  /** The session this call was made with. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  device: string;
  place: string;
}

/** The user's sessions still alive: opened under the current epoch, within their idle and absolute limits. */
async function liveSessions(deps: SignedInDeps, signedIn: SignedIn): Promise<UserSession[]> {
  const now = deps.clock.now();
  return (await deps.signIns.sessionsOf(signedIn.user.userPk)).filter(
    (session) => session.epoch === signedIn.user.sessionEpoch && now < sessionExpiresAt(session, deps.rules),
  );
}

const viewOf = (session: UserSession, current: string): SessionView => ({
  id: session.sessionId,
  current: session.sessionId === current,
  createdAt: new Date(session.createdAt).toISOString(),
  lastSeenAt: new Date(session.lastSeenAt).toISOString(),
  device: session.client?.device ?? 'Navegador desconocido',
  place: session.client?.place ?? 'desconocida',
});

export async function listSessions(
  deps: SignedInDeps,
  input: { token: string | undefined },
): Promise<{ sessions: SessionView[] }> {
  const signedIn = await loadSignedIn(deps, input.token);
  const sessions = await liveSessions(deps, signedIn);
  return { sessions: sessions.map((session) => viewOf(session, signedIn.session.sessionId)) };
}

/** Ends one of the customer's sessions (the current one too: that is signing out); 404 for any other id. */
export async function endSession(
  deps: SignedInDeps,
  input: { token: string | undefined; sessionId: string },
): Promise<void> {
  const signedIn = await loadSignedIn(deps, input.token);
  const target = isIssuedId(input.sessionId)
    ? (await liveSessions(deps, signedIn)).find((session) => session.sessionId === input.sessionId)
    : undefined;
  if (!target) return fail('not_found');
  await deps.signIns.endSession(target.tokenHash);
  deps.events.record({ event: 'session_ended', sessionId: target.sessionId, userId: signedIn.user.userId });
}

/** «Cerrar sesión en los demás dispositivos»: every session but the current one ends. */
export async function endOtherSessions(
  deps: SignedInDeps,
  input: { token: string | undefined },
): Promise<{ ended: number }> {
  const signedIn = await loadSignedIn(deps, input.token);
  const others = (await liveSessions(deps, signedIn)).filter(
    (session) => session.sessionId !== signedIn.session.sessionId,
  );
  for (const session of others) await deps.signIns.endSession(session.tokenHash);
  deps.events.record({ event: 'session_ended', userId: signedIn.user.userId, ended: others.length });
  return { ended: others.length };
}
