// The scheduled outbox sweep (rule 43): a message whose worker died mid-send (timeout, crash, a release that
// threw) stays `sending` and the stream never offers it again; the sweep delivers every due message with the
// same use case as the stream consumer, and reports how old the oldest unsent message is for the alarm.
import type { Clock } from '../ports/system.ts';
import { type DeliverDeps, deliverCompletionMessage } from './completion-email.ts';

/** The metric the sweep publishes and lib/observability.ts alarms on. */
export const OLDEST_UNSENT_METRIC = 'OldestUnsentEmailAgeSeconds';

export interface SweepReport {
  /** Messages this sweep sent, found claimed by another delivery (or sent), or failed to send. */
  sent: number;
  skipped: number;
  failed: number;
  /** Messages still unsent after the sweep, and the age of the oldest (0 when none). */
  unsent: number;
  oldestUnsentSeconds: number;
}

/** Delivers each due message once; a failure is counted and left for the next sweep, never thrown. */
export async function sweepOutbox(deps: DeliverDeps & { clock: Clock }): Promise<SweepReport> {
  const now = deps.clock.now();
  const messages = await deps.outbox.unsent(now);
  const delivered = new Set<string>();
  const report = { sent: 0, skipped: 0, failed: 0 };
  for (const message of messages.filter((candidate) => candidate.due)) {
    try {
      const outcome = await deliverCompletionMessage(deps, message.messageId);
      report[outcome] += 1;
      if (outcome === 'sent') delivered.add(message.messageId);
    } catch {
      // deliverCompletionMessage gave the claim back and logged email_failed: the next sweep retries it.
      report.failed += 1;
    }
  }
  const left = messages.filter((message) => !delivered.has(message.messageId));
  const oldest = left[0]?.createdAt;
  return {
    ...report,
    unsent: left.length,
    oldestUnsentSeconds: oldest === undefined ? 0 : Math.max(0, Math.floor((now - oldest) / 1000)),
  };
}
