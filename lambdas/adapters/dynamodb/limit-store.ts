// Velocity counters and PIN locks in DynamoDB, updated atomically; TTL removes them once they no longer count.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { LimitStore } from '../../ports/stores.ts';
import { epochSeconds, storage } from './client.ts';

export class DynamoLimitStore implements LimitStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** One conditional update of a counter: its new image, or undefined when the condition refused it. */
  private update(
    key: string,
    input: Omit<UpdateCommandInput, 'TableName' | 'Key' | 'ReturnValues'>,
  ): Promise<Record<string, unknown> | undefined> {
    return storage<Record<string, unknown> | undefined>(
      async () => {
        const result = await this.db.send(
          new UpdateCommand({ TableName: this.table, Key: { pk: key }, ReturnValues: 'ALL_NEW', ...input }),
        );
        return result.Attributes ?? {};
      },
      () => undefined,
    );
  }

  async hit(key: string, max: number, windowEndsAt: number): Promise<boolean> {
    const counted = await this.update(key, {
      UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
      ConditionExpression: 'attribute_not_exists(pk) OR #count < :max',
      ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
      ExpressionAttributeValues: { ':one': 1, ':max': max, ':ttl': epochSeconds(windowEndsAt) },
    });
    return counted !== undefined;
  }

  async refund(key: string): Promise<void> {
    await this.update(key, {
      UpdateExpression: 'ADD #count :minus',
      ConditionExpression: '#count > :zero',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
    });
  }

  async pinTry(
    key: string,
    now: number,
    max: number,
    lockSeconds: number,
  ): Promise<{ locked: true; until: number } | { locked: false; tries: number }> {
    // A refused count is re-read: a lock on, a count at the limit, or a state a parallel caller just changed.
    for (let round = 0; round < 4; round++) {
      const counted = await this.countTry(key, now, max, lockSeconds);
      if (counted !== undefined) return { locked: false, tries: counted };
      const current = await storage(() =>
        this.db.send(new GetCommand({ TableName: this.table, Key: { pk: key }, ConsistentRead: true })),
      );
      const item = current.Item;
      if (!item) continue;
      // A count that reached the limit without a lock (its request failed midway) ends with its TTL.
      const lockEnd =
        (item.lockedUntil as number | undefined) ??
        (item.tries >= max ? (item.ttl as number) * 1000 : undefined);
      if (lockEnd === undefined) continue;
      if (lockEnd > now) return { locked: true, until: lockEnd };
      // The lock is over: start a new count (only once, whoever clears it first).
      await storage(
        () =>
          this.db.send(
            new DeleteCommand({
              TableName: this.table,
              Key: { pk: key },
              ConditionExpression: '#ttl = :ttl',
              ExpressionAttributeNames: { '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':ttl': item.ttl },
            }),
          ),
        () => undefined,
      );
    }
    // Still contended after several rounds: fail closed, as a lock would.
    return { locked: true, until: now + lockSeconds * 1000 };
  }

  private async countTry(
    key: string,
    now: number,
    max: number,
    lockSeconds: number,
  ): Promise<number | undefined> {
    const counted = await this.update(key, {
      UpdateExpression: 'SET tries = if_not_exists(tries, :zero) + :one, #ttl = :ttl',
      ConditionExpression:
        'attribute_not_exists(lockedUntil) AND (attribute_not_exists(tries) OR tries < :max)',
      ExpressionAttributeNames: { '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':zero': 0,
        ':one': 1,
        ':max': max,
        ':ttl': epochSeconds(now + lockSeconds * 1000),
      },
    });
    return counted?.tries as number | undefined;
  }

  async pinLock(key: string, until: number): Promise<void> {
    await storage(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: key },
          UpdateExpression: 'SET lockedUntil = :until, #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':until': until, ':ttl': epochSeconds(until) },
        }),
      ),
    );
  }

  async pinReset(key: string): Promise<void> {
    await storage(
      () =>
        this.db.send(
          new DeleteCommand({
            TableName: this.table,
            Key: { pk: key },
            ConditionExpression: 'attribute_not_exists(lockedUntil)',
          }),
        ),
      () => undefined,
    );
  }

  async pinRelease(key: string): Promise<void> {
    await this.update(key, {
      UpdateExpression: 'SET tries = tries - :one',
      ConditionExpression: 'attribute_not_exists(lockedUntil) AND tries > :zero',
      ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
    });
  }
}
