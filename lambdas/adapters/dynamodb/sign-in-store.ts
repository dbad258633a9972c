// Sign-in attempts and signed-in sessions in DynamoDB: every move is conditional on the attempt's status, and
// the attempt that produces a session dies in the same transaction.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../ports/recovery.ts';
import type {
  NewDevice,
  SignedInSession,
  SignInAttempt,
  SignInStatus,
  SignInStore,
  UserSession,
} from '../../ports/sign-in.ts';
import { ConflictError } from '../../ports/stores.ts';
import { outboxItem } from './account-store.ts';
import { epochSeconds, storage, transaction } from './client.ts';

const attemptKey = (signInId: string) => `SIGNIN#${signInId}`;
const sessionKey = (tokenHash: string) => `SESSION#${tokenHash}`;
/** The table's index of a user's attempts and sessions (tables.ts). */
const BY_USER = 'byUser';

export class DynamoSignInStore implements SignInStore {
  /** `keepMs`: how long TTL keeps an item after it starts; code checks every expiry itself. */
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly keepMs: number,
    /** Where opening a session also writes: its activity entry, a new device on the user, its email. */
    private readonly tables: { audit: string; users: string; outbox: string },
  ) {}

  private async item(pk: string) {
    const result = await storage(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true })),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, ttl: _ttl, ...item } = result.Item;
    return item;
  }

  async createAttempt(attempt: SignInAttempt): Promise<void> {
    await storage(() =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: attemptKey(attempt.signInId),
            ...attempt,
            ttl: epochSeconds(attempt.createdAt + this.keepMs),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async getAttempt(signInId: string): Promise<SignInAttempt | undefined> {
    return (await this.item(attemptKey(signInId))) as SignInAttempt | undefined;
  }

  async advance(signInId: string, from: SignInStatus, to: SignInStatus, now: number): Promise<boolean> {
    return storage(
      async () => {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: attemptKey(signInId) },
            UpdateExpression: 'SET #status = :to, lastSeenAt = :now',
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':to': to, ':from': from, ':now': now },
          }),
        );
        return true;
      },
      () => false,
    );
  }

  async countTokenAttempt(signInId: string, max: number): Promise<number | undefined> {
    return storage<number | undefined>(
      async () => {
        const result = await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: attemptKey(signInId) },
            UpdateExpression: 'SET tokenAttempts = tokenAttempts + :one',
            ConditionExpression: '#status = :waiting AND tokenAttempts < :max',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':one': 1, ':waiting': 'digital-token', ':max': max },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return result.Attributes?.tokenAttempts as number;
      },
      () => undefined,
    );
  }

  async openSession(
    signInId: string,
    from: SignInStatus,
    session: SignedInSession,
    activity: AuditEntry,
    device?: NewDevice,
  ): Promise<boolean> {
    const write = (firstDevice: boolean) =>
      transaction(
        () =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: this.table,
                    Key: { pk: attemptKey(signInId) },
                    UpdateExpression: 'SET #status = :done',
                    ConditionExpression: '#status = :from',
                    ExpressionAttributeNames: { '#status': 'status' },
                    ExpressionAttributeValues: { ':done': 'done', ':from': from },
                  },
                },
                {
                  Put: {
                    TableName: this.table,
                    Item: {
                      pk: sessionKey(session.tokenHash),
                      ...session,
                      ttl: epochSeconds(session.createdAt + this.keepMs),
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: this.tables.audit,
                    Item: activity,
                    ConditionExpression: 'attribute_not_exists(eventId)',
                  },
                },
                ...(device ? this.deviceItems(session.userPk, device, firstDevice) : []),
              ],
            }),
          ),
        ['version', 'version', undefined, 'customer', 'code'],
      );
    try {
      try {
        await write(false);
      } catch (error) {
        // A user's first device writes the whole map (a nested SET needs its parent): once per user.
        if (!(device && error instanceof ConflictError && error.reason === 'customer')) throw error;
        await write(true);
      }
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /** The user's new device (the oldest beyond the cap forgotten) and its email. */
  private deviceItems(userPk: string, device: NewDevice, first: boolean) {
    const names: Record<string, string> = { '#new': device.hash };
    for (const [i, hash] of device.forget.entries()) names[`#old${i}`] = hash;
    const remove = device.forget.map((_, i) => `devices.#old${i}`);
    return [
      {
        Update: {
          TableName: this.tables.users,
          Key: { pk: userPk },
          UpdateExpression: first
            ? 'SET devices = :devices'
            : `SET devices.#new = :device${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: `kind = :user AND ${first ? 'attribute_not_exists' : 'attribute_exists'}(devices)`,
          ExpressionAttributeValues: first
            ? { ':devices': { [device.hash]: device.known }, ':user': 'user' }
            : { ':device': device.known, ':user': 'user' },
          ...(first ? {} : { ExpressionAttributeNames: names }),
        },
      },
      {
        Put: {
          TableName: this.tables.outbox,
          Item: outboxItem(device.message),
          ConditionExpression: 'attribute_not_exists(messageId)',
        },
      },
    ];
  }

  async getSession(tokenHash: string): Promise<SignedInSession | undefined> {
    return (await this.item(sessionKey(tokenHash))) as SignedInSession | undefined;
  }

  async touchSession(tokenHash: string, now: number): Promise<void> {
    await storage(
      () =>
        this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: sessionKey(tokenHash) },
            UpdateExpression: 'SET lastSeenAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND lastSeenAt < :now',
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      () => undefined,
    );
  }

  async endSession(tokenHash: string): Promise<void> {
    await storage(() =>
      this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: sessionKey(tokenHash) } })),
    );
  }

  async sessionsOf(userPk: string): Promise<UserSession[]> {
    const result = await storage(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: BY_USER,
          KeyConditionExpression: 'userPk = :user',
          FilterExpression: 'begins_with(pk, :session)',
          ExpressionAttributeValues: { ':user': userPk, ':session': 'SESSION#' },
          ScanIndexForward: false,
          Limit: 50,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => ({
      sessionId: item.sessionId as string,
      tokenHash: item.tokenHash as string,
      epoch: typeof item.epoch === 'number' ? item.epoch : 0,
      ...(item.client ? { client: item.client as UserSession['client'] } : {}),
      createdAt: item.createdAt as number,
      lastSeenAt: item.lastSeenAt as number,
    }));
  }
}
