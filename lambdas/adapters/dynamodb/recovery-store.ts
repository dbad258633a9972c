// Recoveries in DynamoDB: every write is conditional on the stored version and on the recovery being open;
// using the SMS code and moving the step is one transaction.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Recovery, RecoveryStore } from '../../ports/recovery.ts';
import { ConflictError, type Superseded } from '../../ports/stores.ts';
import { epochSeconds, storage, touchOpen, transaction } from './client.ts';
import { codeUseItem } from './code-store.ts';

/** DynamoDB TTL only cleans up: a day after the absolute expiry, which code enforces itself. */
const CLEANUP_AFTER_MS = 86_400_000;

/**
 * The conditional Put of a recovery's next state: only over `expectedVersion` of an open recovery. Also used
 * inside the access store's transaction that completes a recovery.
 */
export const recoveryPut = (
  table: string,
  next: Recovery,
  expectedVersion: number,
  maxSessionMs: number,
) => ({
  TableName: table,
  Item: { ...next, ttl: epochSeconds(next.createdAt + maxSessionMs + CLEANUP_AFTER_MS) },
  ConditionExpression: '#version = :expected AND #status = :open',
  ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
  ExpressionAttributeValues: { ':expected': expectedVersion, ':open': 'open' },
});

const pointerId = (customerId: string): string => `customer#${customerId}`;

export class DynamoRecoveryStore implements RecoveryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: { recoveries: string; codes: string },
    private readonly maxSessionMs: number,
  ) {}

  private put(next: Recovery, expectedVersion: number) {
    return recoveryPut(this.tables.recoveries, next, expectedVersion, this.maxSessionMs);
  }

  async create(recovery: Recovery, superseded?: Superseded<Recovery>): Promise<void> {
    const ttl = epochSeconds(recovery.createdAt + this.maxSessionMs + CLEANUP_AFTER_MS);
    await transaction(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tables.recoveries,
                  Item: { ...recovery, ttl },
                  ConditionExpression: 'attribute_not_exists(recoveryId)',
                },
              },
              // The pointer's key is never a recovery id (those are UUIDs).
              {
                Put: {
                  TableName: this.tables.recoveries,
                  Item: { recoveryId: pointerId(recovery.customerId), openId: recovery.recoveryId, ttl },
                  ...(!superseded
                    ? {}
                    : superseded.pointer
                      ? {
                          ConditionExpression: 'openId = :previous',
                          ExpressionAttributeValues: { ':previous': superseded.pointer },
                        }
                      : { ConditionExpression: 'attribute_not_exists(recoveryId)' }),
                },
              },
              ...(superseded?.close
                ? [{ Put: this.put(superseded.close.next, superseded.close.expectedVersion) }]
                : []),
            ],
          }),
        ),
      ['version', 'version', 'version'],
    );
  }

  async lastOpenedBy(customerId: string): Promise<string | undefined> {
    const result = await storage(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tables.recoveries,
          Key: { recoveryId: pointerId(customerId) },
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item?.openId as string | undefined;
  }

  async get(recoveryId: string): Promise<Recovery | undefined> {
    const result = await storage(() =>
      this.db.send(
        new GetCommand({ TableName: this.tables.recoveries, Key: { recoveryId }, ConsistentRead: true }),
      ),
    );
    if (!result.Item) return undefined;
    const { ttl: _ttl, ...recovery } = result.Item;
    return recovery as Recovery;
  }

  async touch(recoveryId: string, now: number): Promise<void> {
    await touchOpen(this.db, this.tables.recoveries, { recoveryId }, now);
  }

  async save(next: Recovery, expectedVersion: number): Promise<void> {
    await storage(
      () => this.db.send(new PutCommand(this.put(next, expectedVersion))),
      () => {
        throw new ConflictError('version');
      },
    );
  }

  async saveWithCodeUsed(next: Recovery, expectedVersion: number, codeHmac: string): Promise<void> {
    await transaction(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: this.put(next, expectedVersion) },
              codeUseItem(this.tables.codes, next.recoveryId, codeHmac),
            ],
          }),
        ),
      ['version', 'code'],
    );
  }
}
