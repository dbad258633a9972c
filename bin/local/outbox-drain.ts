// Locally, nothing streams the outbox table: this loop delivers pending completion emails through the SES
// emulator with the same use case the AWS stream consumer runs.
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoOutbox } from '../../lambdas/adapters/dynamodb/outbox.ts';
import { SesEmailSender } from '../../lambdas/adapters/email.ts';
import { deliverCompletionMessage } from '../../lambdas/registration/completion-email.ts';
import { clock, config, logger } from '../../lambdas/runtime.ts';
import { db, directory } from '../../lambdas/storage.ts';

export function startOutboxDrain(intervalMs: number): { stop(): Promise<void> } {
  const outbox = new DynamoOutbox(db(), config.table('outbox'));
  const email = new SesEmailSender(new SESClient({ endpoint: config.sesEndpoint }), config.email.from);
  const deps = { outbox, clock, directory: directory(), email, events: logger };
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      for (const messageId of await outbox.pending(clock.now())) {
        // A failed delivery stays pending and is tried again on a later tick.
        await deliverCompletionMessage(deps, messageId).catch(() => undefined);
      }
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
