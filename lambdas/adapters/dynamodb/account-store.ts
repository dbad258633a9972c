// Online users as sign-in and the digital token see them: looked up by username, with the token's state on
// the user item. The activation's writes are transactions with the SMS code and with the outbox.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../ports/recovery.ts';
import {
  ABSENT_USER_PK,
  type AccountStore,
  type DigitalToken,
  type HeldReset,
  type KnownDevice,
  type OnlineUser,
  type PendingToken,
} from '../../ports/sign-in.ts';
import { ConflictError, type OutboxMessage } from '../../ports/stores.ts';
import { epochSeconds, storage, transaction } from './client.ts';
import { codeUseItem } from './code-store.ts';
import { OUTBOX_KEEP_MS } from './registration-store.ts';

export interface AccountTables {
  users: string;
  codes: string;
  outbox: string;
  /** Only the lock notices write there (`notify`). */
  audit: string;
}

/** An outbox item as the stream consumer and the sweep expect it: pending, no attempts, kept a week. */
export const outboxItem = (message: OutboxMessage) => ({
  ...message,
  status: 'pending',
  attempts: 0,
  ttl: epochSeconds(message.createdAt + OUTBOX_KEEP_MS),
});

export class DynamoAccountStore implements AccountStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: AccountTables,
  ) {}

  private async get(pk: string) {
    const result = await storage(() =>
      this.db.send(new GetCommand({ TableName: this.tables.users, Key: { pk }, ConsistentRead: true })),
    );
    return result.Item;
  }

  async findByUsername(usernameKey: string): Promise<OnlineUser | undefined> {
    const name = await this.get(`USERNAME#${usernameKey}`);
    const userPk = name?.kind === 'user' && typeof name.userPk === 'string' ? name.userPk : undefined;
    const user = await this.getUser(userPk ?? ABSENT_USER_PK);
    return userPk ? user : undefined;
  }

  async getUser(userPk: string): Promise<OnlineUser | undefined> {
    const item = await this.get(userPk);
    if (item?.kind !== 'user') return undefined;
    return {
      userPk,
      userId: item.userId,
      username: item.username,
      customerId: item.customerId,
      passwordHash: item.passwordHash,
      imageId: item.imageId,
      choice: item.secondFactor?.choice === 'digital-token' ? 'digital-token' : 'later',
      digitalToken: item.digitalToken,
      pendingToken: item.pendingToken,
      sessionEpoch: typeof item.sessionEpoch === 'number' ? item.sessionEpoch : 0,
      ...(typeof item.disabledAt === 'number'
        ? { disabledAt: item.disabledAt, disabledBy: String(item.disabledBy) }
        : {}),
      ...(item.heldReset ? { heldReset: item.heldReset as HeldReset } : {}),
      devices: (item.devices ?? {}) as Record<string, KnownDevice>,
      ...(Array.isArray(item.answers) ? { answers: item.answers } : {}),
    };
  }

  async seeDevice(userPk: string, hash: string, now: number): Promise<void> {
    await storage(
      () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.tables.users,
            Key: { pk: userPk },
            UpdateExpression: 'SET devices.#device.lastSeen = :now',
            ConditionExpression: 'attribute_exists(devices.#device)',
            ExpressionAttributeNames: { '#device': hash },
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      () => undefined,
    );
  }

  async forgetDevice(userPk: string, hash: string): Promise<void> {
    await storage(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tables.users,
          Key: { pk: userPk },
          UpdateExpression: 'REMOVE devices.#device',
          ExpressionAttributeNames: { '#device': hash },
        }),
      ),
    );
  }

  async startActivation(
    userPk: string,
    pending: PendingToken,
    code: { key: string; codeHmac: string },
  ): Promise<void> {
    await transaction(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              codeUseItem(this.tables.codes, code.key, code.codeHmac),
              {
                Update: {
                  TableName: this.tables.users,
                  Key: { pk: userPk },
                  UpdateExpression: 'SET pendingToken = :pending',
                  ConditionExpression: `kind = :user AND attribute_not_exists(digitalToken) AND ${
                    pending.epoch === 0
                      ? '(attribute_not_exists(sessionEpoch) OR sessionEpoch = :epoch)'
                      : 'sessionEpoch = :epoch'
                  }`,
                  ExpressionAttributeValues: {
                    ':pending': pending,
                    ':user': 'user',
                    ':epoch': pending.epoch,
                  },
                },
              },
            ],
          }),
        ),
      ['code', 'code'],
    );
  }

  async countActivationAttempt(
    userPk: string,
    sealedSecret: string,
    max: number,
  ): Promise<number | undefined> {
    return storage<number | undefined>(
      async () => {
        const result = await this.db.send(
          new UpdateCommand({
            TableName: this.tables.users,
            Key: { pk: userPk },
            UpdateExpression: 'SET pendingToken.attempts = pendingToken.attempts + :one',
            ConditionExpression: 'pendingToken.sealedSecret = :sealed AND pendingToken.attempts < :max',
            ExpressionAttributeValues: { ':one': 1, ':sealed': sealedSecret, ':max': max },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return (result.Attributes?.pendingToken as PendingToken | undefined)?.attempts;
      },
      () => undefined,
    );
  }

  async activate(
    userPk: string,
    token: DigitalToken,
    message: OutboxMessage,
    audit: AuditEntry,
  ): Promise<void> {
    await transaction(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tables.users,
                  Key: { pk: userPk },
                  UpdateExpression: 'SET digitalToken = :token REMOVE pendingToken',
                  ConditionExpression:
                    'pendingToken.sealedSecret = :sealed AND attribute_not_exists(digitalToken) AND (sessionEpoch = pendingToken.epoch OR (attribute_not_exists(sessionEpoch) AND pendingToken.epoch = :zero))',
                  ExpressionAttributeValues: { ':token': token, ':sealed': token.sealedSecret, ':zero': 0 },
                },
              },
              {
                Put: {
                  TableName: this.tables.outbox,
                  Item: outboxItem(message),
                  ConditionExpression: 'attribute_not_exists(messageId)',
                },
              },
              // Staff see the activation in the customer's trail (status' recent events).
              {
                Put: {
                  TableName: this.tables.audit,
                  Item: audit,
                  ConditionExpression: 'attribute_not_exists(eventId)',
                },
              },
            ],
          }),
        ),
      ['code', undefined, undefined],
    );
  }

  async acceptStep(userPk: string, step: number): Promise<boolean> {
    return storage(
      async () => {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tables.users,
            Key: { pk: userPk },
            UpdateExpression: 'SET digitalToken.lastStep = :step',
            ConditionExpression: 'digitalToken.lastStep < :step',
            ExpressionAttributeValues: { ':step': step },
          }),
        );
        return true;
      },
      () => false,
    );
  }

  async notify(message: OutboxMessage, audit: AuditEntry): Promise<void> {
    try {
      await transaction(
        () =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.tables.outbox,
                    Item: outboxItem(message),
                    ConditionExpression: 'attribute_not_exists(messageId)',
                  },
                },
                {
                  Put: {
                    TableName: this.tables.audit,
                    Item: audit,
                    ConditionExpression: 'attribute_not_exists(eventId)',
                  },
                },
              ],
            }),
          ),
        ['code', 'code'],
      );
    } catch (error) {
      // Queued already by a parallel caller that engaged the same lock.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
