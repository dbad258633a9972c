// Changes of a user's access in DynamoDB (a recovery's new password, staff unlocks and revocations): the
// user item, the locks in the limits table, the email in the outbox, the audit entry and the recovery it
// completes are one transaction. The audit table is append-only: entries are only ever put, never updated.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AccessChange,
  AccessStore,
  AuditEntry,
  PriorChange,
  UserSessionSummary,
} from '../../ports/recovery.ts';
import { staffRequestKey } from '../../rules/lock-keys.ts';
import { outboxItem } from './account-store.ts';
import { epochSeconds, storage, transaction } from './client.ts';
import { recoveryPut } from './recovery-store.ts';

export interface AccessTables {
  users: string;
  limits: string;
  outbox: string;
  audit: string;
  recoveries: string;
  signins: string;
}

/** The sign-ins table's index of a user's attempts and sessions (tables.ts). */
const BY_USER = 'byUser';

/** The user item's update for a change: only the parts the change asks for. */
function userUpdate(change: AccessChange) {
  const set: string[] = [];
  const remove: string[] = [];
  const add: string[] = [];
  const values: Record<string, unknown> = { ':user': 'user' };
  // A recovery never goes through on a user staff disabled meanwhile (a disable ends it).
  // Disabling a disabled user or enabling an enabled one changes nothing: the condition refuses it.
  const condition =
    change.recovery || change.disable
      ? 'kind = :user AND attribute_not_exists(disabledAt)'
      : change.enable
        ? 'kind = :user AND attribute_exists(disabledAt)'
        : 'kind = :user';
  if (change.passwordHash) {
    set.push('passwordHash = :hash');
    values[':hash'] = change.passwordHash;
  }
  if (change.resetToken) remove.push('digitalToken', 'pendingToken');
  if (change.endSessions) {
    add.push('sessionEpoch :one');
    values[':one'] = 1;
  }
  if (change.disable) {
    set.push('disabledAt = :at', 'disabledBy = :by');
    values[':at'] = change.disable.at;
    values[':by'] = change.disable.by;
  }
  if (change.enable) remove.push('disabledAt', 'disabledBy');
  const parts = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ].filter(Boolean);
  // A change that touches nothing on the user (an unlock) still requires the user to exist.
  if (parts.length === 0) return { ConditionExpression: condition, values };
  return { UpdateExpression: parts.join(' '), ConditionExpression: condition, values };
}

export class DynamoAccessStore implements AccessStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: AccessTables,
    private readonly maxRecoveryMs: number,
  ) {}

  async apply(change: AccessChange): Promise<void> {
    const user = userUpdate(change);
    const userItem = !change.userPk
      ? undefined
      : user.UpdateExpression
        ? {
            Update: {
              TableName: this.tables.users,
              Key: { pk: change.userPk },
              UpdateExpression: user.UpdateExpression,
              ConditionExpression: user.ConditionExpression,
              ExpressionAttributeValues: user.values,
            },
          }
        : {
            ConditionCheck: {
              TableName: this.tables.users,
              Key: { pk: change.userPk },
              ConditionExpression: user.ConditionExpression,
              ExpressionAttributeValues: user.values,
            },
          };
    const items = [
      ...(change.recovery
        ? [
            {
              Put: recoveryPut(
                this.tables.recoveries,
                change.recovery.next,
                change.recovery.expectedVersion,
                this.maxRecoveryMs,
              ),
            },
          ]
        : []),
      ...(userItem ? [userItem] : []),
      ...change.clearKeys.map((key) => ({ Delete: { TableName: this.tables.limits, Key: { pk: key } } })),
      {
        Put: {
          TableName: this.tables.outbox,
          Item: outboxItem(change.message),
          ConditionExpression: 'attribute_not_exists(messageId)',
        },
      },
      {
        Put: {
          TableName: this.tables.audit,
          Item: change.audit,
          ConditionExpression: 'attribute_not_exists(eventId)',
        },
      },
      ...(change.idempotency
        ? [
            {
              Put: {
                TableName: this.tables.limits,
                Item: {
                  pk: staffRequestKey(change.idempotency.key),
                  fingerprint: change.idempotency.fingerprint,
                  answer: change.idempotency.answer,
                  ttl: epochSeconds(change.idempotency.expiresAt),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]
        : []),
    ];
    await transaction(
      () => this.db.send(new TransactWriteCommand({ TransactItems: items })),
      // The outbox item's id is the change's idempotency: a second write of it is the same change again.
      [
        ...(change.recovery ? (['version'] as const) : []),
        ...(userItem ? (['customer'] as const) : []),
        ...change.clearKeys.map(() => undefined),
        'code',
        undefined,
        ...(change.idempotency ? (['idempotency'] as const) : []),
      ],
    );
  }

  async record(entry: AuditEntry): Promise<void> {
    await storage(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tables.audit,
          Item: entry,
          ConditionExpression: 'attribute_not_exists(eventId)',
        }),
      ),
    );
  }

  async priorChange(idempotencyKey: string): Promise<PriorChange | undefined> {
    const result = await storage(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tables.limits,
          Key: { pk: staffRequestKey(idempotencyKey) },
          ConsistentRead: true,
        }),
      ),
    );
    const item = result.Item;
    return item ? { fingerprint: item.fingerprint, answer: item.answer } : undefined;
  }

  async recent(customerId: string, limit: number): Promise<AuditEntry[]> {
    const result = await storage(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tables.audit,
          KeyConditionExpression: 'customerId = :customer',
          ExpressionAttributeValues: { ':customer': customerId },
          ScanIndexForward: false,
          Limit: limit,
          // Staff must see the change they just made (an index could not offer this; the table can).
          ConsistentRead: true,
        }),
      ),
    );
    return (result.Items ?? []) as AuditEntry[];
  }

  async sessionsOf(userPk: string): Promise<UserSessionSummary[]> {
    const result = await storage(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tables.signins,
          IndexName: BY_USER,
          KeyConditionExpression: 'userPk = :user',
          ExpressionAttributeValues: { ':user': userPk },
          ScanIndexForward: false,
          Limit: 50,
        }),
      ),
    );
    // An attempt that opened its session is done: only the session stays of it.
    return (result.Items ?? [])
      .filter((item) => item.status !== 'done')
      .map((item) => ({
        kind: String(item.pk).startsWith('SESSION#') ? ('session' as const) : ('sign-in' as const),
        createdAt: item.createdAt as number,
        lastSeenAt: item.lastSeenAt as number,
        epoch: typeof item.epoch === 'number' ? item.epoch : 0,
      }));
  }
}
