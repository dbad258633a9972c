// Locally, nothing streams the outbox table and nothing schedules: this loop runs the scheduled sweep's use
// case, which delivers pending (and abandoned) completion emails through the SES emulator with the same use
// case the AWS stream consumer runs.
import { outboxDelivery } from '../../lambdas/outbox-delivery.ts';
import { sweepOutbox } from '../../lambdas/registration/outbox-sweep.ts';
import { logger } from '../../lambdas/runtime.ts';

export function startOutboxDrain(intervalMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      // A failed delivery stays due and is tried again on a later tick.
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
