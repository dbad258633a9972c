// The outbox stream consumer: sends each new completion email through SES. Failed records are reported so the
// stream retries them, then its on-failure destination keeps them; the scheduled sweep (sweep-outbox) picks up
// whatever a dead worker left behind.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxDelivery } from '../outbox-delivery.ts';
import { checkReadiness } from '../readiness.ts';
import { deliverCompletionMessage } from '../registration/completion-email.ts';
import { logger } from '../runtime.ts';

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  // The deploy hook's smoke event (lib/deploy-hook.ts) has no records: it reads what the function may read,
  // and a failure is the Lambda error that fails the deployment.
  if ((event as unknown as { smokeTest?: unknown }).smokeTest === true) await checkReadiness();
  const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    const messageId = image?.messageId?.S;
    if (record.eventName !== 'INSERT' || !messageId || image?.status?.S !== 'pending') continue;
    try {
      await deliverCompletionMessage(outboxDelivery(), messageId);
    } catch (error) {
      logger.error('completion email failed', { messageId, problem: (error as Error).name });
      failures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
    }
  }
  return { batchItemFailures: failures };
}
