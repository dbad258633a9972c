// Locally, nothing streams the outbox table and nothing schedules: this loop runs the scheduled sweeps' use
// cases. The outbox sweep delivers pending (and abandoned) emails through the SES emulator with the same use
// case the AWS stream consumer runs; the hold sweep applies held token resets whose hold ended (rule 54).
import { handler as sweepHeldResets } from '../../lambdas/handlers/sweep-held-resets.ts';
import { outboxDelivery } from '../../lambdas/outbox-delivery.ts';
import { sweepOutbox } from '../../lambdas/registration/outbox-sweep.ts';
import { logger } from '../../lambdas/runtime.ts';

export function startOutboxDrain(intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      // A failed delivery stays due and is tried again on a later tick.
      await sweepHeldResets();
    } catch (error) {
      logger.error('hold sweep failed', { problem: (error as Error).name });
    }
    try {
      await sweepOutbox(outboxDelivery());
    } catch (error) {
      logger.error('outbox drain failed', { problem: (error as Error).name });
    }
  };
  const timer = setInterval(() => {
    if (!stopped) running = running.then(tick);
  }, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
