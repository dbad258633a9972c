// The scheduled outbox sweep (every 5 minutes, EventBridge): delivers completion emails a dead worker left
// `sending` or the stream gave up on, and publishes the age of the oldest unsent one for its alarm (rule 43).
import { emfLine } from '../adapters/metrics.ts';
import { outboxDelivery } from '../outbox-delivery.ts';
import { OLDEST_UNSENT_METRIC, type SweepReport, sweepOutbox } from '../registration/outbox-sweep.ts';
import { clock, config } from '../runtime.ts';

export async function handler(): Promise<SweepReport> {
  const report = await sweepOutbox(outboxDelivery());
  process.stdout.write(
    `${emfLine(
      config.metricsNamespace,
      {
        [OLDEST_UNSENT_METRIC]: { value: report.oldestUnsentSeconds, unit: 'Seconds' },
        UnsentEmails: { value: report.unsent, unit: 'Count' },
        SweptEmailsSent: { value: report.sent, unit: 'Count' },
      },
      clock.now(),
    )}\n`,
  );
  return report;
}
