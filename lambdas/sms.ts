// The SMS sender of the functions that send codes: SNS in AWS, the local outbox file on a developer's machine.
// Only those functions import this module, so no other bundle carries the SNS client.
import { LocalOutboxSmsSender, SnsSmsSender } from './adapters/sms.ts';
import type { SmsSender } from './ports/notifications.ts';
import { config } from './runtime.ts';

export const smsSender = (): SmsSender =>
  config.mode === 'local' && config.localOutboxDir
    ? new LocalOutboxSmsSender(config.localOutboxDir)
    : new SnsSmsSender(undefined, config.sms);
