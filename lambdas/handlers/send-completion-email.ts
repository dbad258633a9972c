// The outbox stream consumer: sends each new completion email through SES. The only function that sends
// email. Failed records are reported so the stream retries them, then its on-failure destination keeps them.
import { SESClient } from '@aws-sdk/client-ses';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoOutbox } from '../adapters/dynamodb/outbox.ts';
import { SesEmailSender } from '../adapters/email.ts';
import { deliverCompletionMessage } from '../registration/completion-email.ts';
import { clock, config, logger } from '../runtime.ts';
import { db, directory } from '../storage.ts';

const outbox = new DynamoOutbox(db(), config.table('outbox'));
const email = new SesEmailSender(
  new SESClient(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}),
  config.email.from,
  config.email.configurationSet,
);

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const messageId = image?.messageId?.S;
    if (record.eventName !== 'INSERT' || !messageId || image?.status?.S !== 'pending') continue;
    try {
      await deliverCompletionMessage(
        { outbox, clock, directory: directory(), email, events: logger },
        messageId,
      );
    } catch (error) {
      logger.error('completion email failed', { messageId, problem: (error as Error).name });
      failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  return { batchItemFailures: failures };
}
