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
  ReportLink,
  ReportLinkStore,
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

/** The users table's sparse index of held resets by their end (tables.ts): the sweep's queue. */
const BY_HOLD_END = 'byHoldEnd';
/** The one partition of that index: every held reset (few at any time). */
export const HOLD_QUEUE = 'held';
/** A «No fui yo» link's item in the users table. */
export const reportLinkKey = (hash: string): string => `REPORT#${hash}`;

/** The user item's update for a change: only the parts the change asks for. */
function userUpdate(change: AccessChange) {
  const set: string[] = [];
  const remove: string[] = [];
  const add: string[] = [];
  const conditions = ['kind = :user'];
  const values: Record<string, unknown> = { ':user': 'user' };
  // A recovery never goes through on a user staff disabled meanwhile (a disable ends it).
  // Disabling a disabled user changes nothing: the condition refuses it (as enabling an enabled one).
  if (change.recovery || change.hold || change.disable) conditions.push('attribute_not_exists(disabledAt)');
  if (change.enable) conditions.push('attribute_exists(disabledAt)');
  if (change.passwordHash) {
    set.push('passwordHash = :hash');
    values[':hash'] = change.passwordHash;
  }
  if (change.resetToken) remove.push('digitalToken', 'pendingToken');
  if (change.endSessions) {
    add.push('sessionEpoch :one');
    values[':one'] = 1;
  }
  if (change.keepSession) {
    // The kept session moves to exactly the next epoch: the user's must be the one it was opened under.
    const { epoch } = change.keepSession;
    conditions.push(
      epoch === 0 ? '(attribute_not_exists(sessionEpoch) OR sessionEpoch = :old)' : 'sessionEpoch = :old',
    );
    values[':old'] = epoch;
  }
  if (change.disable) {
    set.push('disabledAt = :at', 'disabledBy = :by');
    values[':at'] = change.disable.at;
    values[':by'] = change.disable.by;
  }
  if (change.enable) remove.push('disabledAt', 'disabledBy');
  if (change.hold) {
    set.push('heldReset = :held', 'holdQueue = :queue', 'holdUntil = :until');
    conditions.push('attribute_not_exists(heldReset)');
    values[':held'] = change.hold;
    values[':queue'] = HOLD_QUEUE;
    values[':until'] = change.hold.until;
  }
  if (change.heldReset) {
    remove.push('heldReset', 'holdQueue', 'holdUntil');
    conditions.push('heldReset.recoveryId = :heldId');
    values[':heldId'] = change.heldReset.recoveryId;
    if (change.heldReset.dueBy !== undefined) {
      conditions.push('holdUntil <= :due');
      values[':due'] = change.heldReset.dueBy;
    }
  }
  const parts = [
    set.length ? `SET ${set.join(', ')}` : '',
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ].filter(Boolean);
  const condition = conditions.join(' AND ');
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
      ...(change.keepSession
        ? [
            {
              Update: {
                TableName: this.tables.signins,
                Key: { pk: `SESSION#${change.keepSession.tokenHash}` },
                UpdateExpression: 'SET epoch = :new',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':new': change.keepSession.epoch + 1 },
              },
            },
          ]
        : []),
      ...(change.reportLink
        ? [
            {
              // Single use: the link is deleted by the change it made, and only while it is valid.
              Delete: {
                TableName: this.tables.users,
                Key: { pk: reportLinkKey(change.reportLink.hash) },
                ConditionExpression: 'attribute_exists(pk) AND expiresAt > :at',
                ExpressionAttributeValues: { ':at': change.reportLink.at },
              },
            },
          ]
        : []),
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
        ...(change.keepSession ? (['version'] as const) : []),
        ...(change.reportLink ? (['code'] as const) : []),
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

  async dueHolds(now: number, limit: number): Promise<string[]> {
    const result = await storage(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.tables.users,
          IndexName: BY_HOLD_END,
          KeyConditionExpression: 'holdQueue = :queue AND holdUntil <= :now',
          ExpressionAttributeValues: { ':queue': HOLD_QUEUE, ':now': now },
          Limit: limit,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => item.pk as string);
  }
}

/** «No fui yo» links in the users table (`REPORT#<hash>`), gone by TTL after they expire. */
export class DynamoReportLinkStore implements ReportLinkStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly users: string,
  ) {}

  async create(link: ReportLink): Promise<void> {
    await storage(() =>
      this.db.send(
        new PutCommand({
          TableName: this.users,
          Item: {
            pk: reportLinkKey(link.hash),
            kind: 'report-link',
            ...link,
            ttl: epochSeconds(link.expiresAt),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(hash: string): Promise<ReportLink | undefined> {
    const result = await storage(() =>
      this.db.send(
        new GetCommand({ TableName: this.users, Key: { pk: reportLinkKey(hash) }, ConsistentRead: true }),
      ),
    );
    const item = result.Item;
    if (item?.kind !== 'report-link') return undefined;
    return {
      hash: item.hash,
      customerId: item.customerId,
      userPk: item.userPk,
      createdAt: item.createdAt,
      expiresAt: item.expiresAt,
    };
  }
}
