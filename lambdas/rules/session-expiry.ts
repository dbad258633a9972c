// The idle and absolute expiry of every session-like item (rule 23 for registrations and recoveries, rule 51
// for sign-in attempts and signed-in sessions): whichever comes first.

export interface SessionTimeouts {
  idleSeconds: number;
  maxSeconds: number;
}

export const sessionExpiresAt = (
  item: { createdAt: number; lastSeenAt: number },
  timeouts: SessionTimeouts,
): number =>
  Math.min(item.createdAt + timeouts.maxSeconds * 1000, item.lastSeenAt + timeouts.idleSeconds * 1000);
