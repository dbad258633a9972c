// The customer-email outbox in DynamoDB: a conditional claim with a lease makes each email go out once.
import { type DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Outbox, OutboxMessage } from '../../ports/stores.ts';
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
        const item = result.Attributes ?? {};
        if (item.kind === 'token-activated') {
          return {
            kind: 'token-activated',
            messageId: item.messageId,
            customerId: item.customerId,
            username: item.username,
            activatedAt: item.activatedAt,
            createdAt: item.createdAt,
          };
        }
        return {
          kind: 'registration-completed',
          messageId: item.messageId,
          customerId: item.customerId,
          username: item.username,
          secondFactor: item.secondFactor,
          createdAt: item.createdAt,
        };
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

  async pending(now: number): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await storage(() =>
        this.db.send(
          new ScanCommand({
            TableName: this.table,
            ExclusiveStartKey: start,
            FilterExpression: '#status = :pending OR (#status = :sending AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'pending', ':sending': 'sending', ':now': now },
            ProjectionExpression: 'messageId',
          }),
        ),
      );
      for (const item of page.Items ?? []) ids.push(item.messageId as string);
      start = page.LastEvaluatedKey;
    } while (start);
    return ids;
  }
}
