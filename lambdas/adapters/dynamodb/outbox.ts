// The customer-email outbox in DynamoDB: a conditional claim with a lease makes each email go out once.
// `unsent` scans the table: it holds a week of messages (a few tens of thousands at most), read every 5 minutes.
import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Outbox, OutboxMessage, UnsentMessage } from '../../ports/stores.ts';
import { storage } from './client.ts';

export class DynamoOutbox implements Outbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(messageId: string, now: number, leaseMs: number): Promise<OutboxMessage | undefined> {
    return storage<OutboxMessage | undefined>(
      async () => {
        const result = await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { messageId },
            UpdateExpression: 'SET #status = :sending, leaseUntil = :lease',
            ConditionExpression: '#status = :pending OR (#status = :sending AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':sending': 'sending',
              ':pending': 'pending',
              ':lease': now + leaseMs,
              ':now': now,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        // The message as written, without the delivery's own bookkeeping; a completion message written
        // before kinds existed has none.
        const { status, attempts, ttl, leaseUntil, lastFailedAt, sentAt, ...message } =
          result.Attributes ?? {};
        return { kind: 'registration-completed', ...message } as OutboxMessage;
      },
      () => undefined,
    );
  }

  async markSent(messageId: string, now: number): Promise<void> {
    await storage(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { messageId },
          UpdateExpression: 'SET #status = :sent, sentAt = :now REMOVE leaseUntil',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':now': now },
        }),
      ),
    );
  }

  async release(messageId: string, now: number): Promise<void> {
    await storage(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { messageId },
          UpdateExpression: 'SET #status = :pending, lastFailedAt = :now ADD attempts :one REMOVE leaseUntil',
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':now': now, ':one': 1 },
        }),
      ),
    );
  }

  async unsent(now: number): Promise<UnsentMessage[]> {
    const found: UnsentMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await storage(() =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            ExclusiveStartKey: start,
            FilterExpression: '#status IN (:pending, :sending)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending' },
            ProjectionExpression: 'messageId, createdAt, #status, leaseUntil',
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        found.push({
          messageId: item.messageId as string,
          createdAt: item.createdAt as number,
          // The same test as claim's condition: pending, or a lease that ended before now.
          due: item.status === 'pending' || (item.leaseUntil as number) < now,
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found.sort((a, b) => a.createdAt - b.createdAt);
  }
}
