// The customer's own recent security events (GET /v1/me/activity): what happened and when, from the audit
// trail; never who on the bank's side, nor why (the staff's reason stays with staff).
import type { AccessStore, AuditEntry } from '../ports/recovery.ts';
import { loadSignedIn, type SignedInDeps } from '../signed-in/session.ts';

/** How many events the customer sees. */
export const ACTIVITY_SIZE = 20;

export interface ActivityEvent {
  at: string;
  kind: string;
  device?: string;
  place?: string;
  details?: Record<string, string | number | boolean>;
}

/** What the customer is shown of an entry: the staff action, not the staff member or the reason. */
export function activityOf(entry: AuditEntry): ActivityEvent {
  const details: Record<string, string | number | boolean> = { ...entry.details };
  if (entry.kind === 'staff-change' && entry.action) details.action = entry.action;
  const kind =
    entry.kind === 'recovery-completed' && entry.details?.tokenReset === true ? 'token-reset' : entry.kind;
  return {
    at: new Date(entry.at).toISOString(),
    kind,
    ...(entry.client ? { device: entry.client.device, place: entry.client.place } : {}),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

export async function listActivity(
  deps: SignedInDeps & { access: Pick<AccessStore, 'recent'> },
  input: { token: string | undefined },
): Promise<{ events: ActivityEvent[] }> {
  const { user } = await loadSignedIn(deps, input.token);
  const entries = await deps.access.recent(user.customerId, ACTIVITY_SIZE);
  return { events: entries.map(activityOf) };
}
