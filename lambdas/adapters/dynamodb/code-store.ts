// SMS codes in DynamoDB, one item per registration. Limits are enforced by the conditions of the writes.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CodeRecord, CodeStore } from '../../ports/stores.ts';
import { epochSeconds, storage } from './client.ts';

const CLEANUP_AFTER_MS = 86_400_000;

/**
 * The transaction item that uses a subject's code (a registration's, a recovery's, an activation's) in the
 * same write that moves the subject on: only the code that was checked, and only once.
 */
export const codeUseItem = (table: string, subjectId: string, codeHmac: string) => ({
  Update: {
    TableName: table,
    Key: { registrationId: subjectId },
    UpdateExpression: 'SET used = :true',
    ConditionExpression: 'codeHmac = :code AND used = :false',
    ExpressionAttributeValues: { ':code': codeHmac, ':true': true, ':false': false },
  },
});

export class DynamoCodeStore implements CodeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(registrationId: string): Promise<CodeRecord | undefined> {
    const result = await storage(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { registrationId }, ConsistentRead: true })),
    );
    if (!result.Item) return undefined;
    const { ttl: _ttl, ...record } = result.Item;
    return record as CodeRecord;
  }

  async issue(
    next: Omit<CodeRecord, 'attempts' | 'sends' | 'used'>,
    rules: { maxSends: number; cooldownMs: number },
  ): Promise<{ issued: true; previous?: CodeRecord } | { issued: false }> {
    return storage<{ issued: true; previous?: CodeRecord } | { issued: false }>(
      async () => {
        const result = await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { registrationId: next.registrationId },
            UpdateExpression:
              'SET codeHmac = :code, expiresAt = :expires, lastSentAt = :now, attempts = :zero, used = :false, sends = if_not_exists(sends, :zero) + :one, #ttl = :ttl',
            ConditionExpression:
              'attribute_not_exists(registrationId) OR (sends < :maxSends AND lastSentAt <= :cooledDown)',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':code': next.codeHmac,
              ':expires': next.expiresAt,
              ':now': next.lastSentAt,
              ':zero': 0,
              ':one': 1,
              ':false': false,
              ':ttl': epochSeconds(next.expiresAt + CLEANUP_AFTER_MS),
              ':maxSends': rules.maxSends,
              ':cooledDown': next.lastSentAt - rules.cooldownMs,
            },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const previous = result.Attributes as (CodeRecord & { ttl?: number }) | undefined;
        return { issued: true as const, previous };
      },
      () => ({ issued: false as const }),
    );
  }

  async restore(registrationId: string, issuedHmac: string, previous?: CodeRecord): Promise<void> {
    const condition = {
      ConditionExpression: 'codeHmac = :issued',
      ExpressionAttributeValues: { ':issued': issuedHmac },
    };
    const undo = previous
      ? () => this.db.send(new PutCommand({ TableName: this.table, Item: previous, ...condition }))
      : () =>
          this.db.send(new DeleteCommand({ TableName: this.table, Key: { registrationId }, ...condition }));
    await storage<unknown>(undo, () => undefined);
  }

  async countAttempt(
    registrationId: string,
    now: number,
    maxAttempts: number,
  ): Promise<CodeRecord | undefined> {
    return storage(
      async () => {
        const result = await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { registrationId },
            UpdateExpression: 'SET attempts = attempts + :one',
            ConditionExpression:
              'attribute_exists(registrationId) AND used = :false AND expiresAt > :now AND attempts < :max',
            ExpressionAttributeValues: { ':one': 1, ':false': false, ':now': now, ':max': maxAttempts },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return result.Attributes as CodeRecord;
      },
      () => undefined,
    );
  }
}
