// Registrations in DynamoDB: every write is conditional on the stored version; the multi-table steps
// (username reservation, code use, completion, cancellation) are single transactions.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../ports/recovery.ts';
import type { CompletionMessage, NewUser, RegistrationStore, Superseded } from '../../ports/stores.ts';
import { ConflictError } from '../../ports/stores.ts';
import type { Registration } from '../../registration/registration.ts';
import { epochSeconds, storage, touchOpen, transaction } from './client.ts';
import { codeUseItem } from './code-store.ts';

export interface RegistrationTables {
  registrations: string;
  users: string;
  codes: string;
  outbox: string;
  audit: string;
}

/** DynamoDB TTL only cleans up: a day after the absolute expiry, which code enforces itself. */
const CLEANUP_AFTER_MS = 86_400_000;
/** Outbox items are kept a week for audit and support after they are sent. */
export const OUTBOX_KEEP_MS = 7 * 86_400_000;

/** The id of the item that names a customer's open registration (rule 41); never a registration UUID. */
export const customerPointerId = (customerId: string): string => `customer#${customerId}`;

export class DynamoRegistrationStore implements RegistrationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: RegistrationTables,
    private readonly maxSessionMs: number,
  ) {}

  private item(registration: Registration) {
    return {
      ...registration,
      ttl: epochSeconds(registration.createdAt + this.maxSessionMs + CLEANUP_AFTER_MS),
    };
  }

  private put(next: Registration, expectedVersion: number) {
    return {
      Put: {
        TableName: this.tables.registrations,
        Item: this.item(next),
        ConditionExpression: '#version = :expected AND #status = :open',
        ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
        ExpressionAttributeValues: { ':expected': expectedVersion, ':open': 'open' },
      },
    };
  }

  /**
   * The customer's pointer lives in the registrations table under a key no registration id can take (ids
   * are UUIDs): one strongly consistent item to condition the next step 1 on. A GSI on customerId would be
   * eventually consistent and offers no condition, so two parallel step 1s could both stay open.
   */
  private pointerKey = (customerId: string) => ({ registrationId: customerPointerId(customerId) });

  async create(registration: Registration, superseded?: Superseded): Promise<void> {
    if (!superseded) {
      await storage(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tables.registrations,
            Item: this.item(registration),
            ConditionExpression: 'attribute_not_exists(registrationId)',
          }),
        ),
      );
      return;
    }
    const items = [
      {
        Put: {
          TableName: this.tables.registrations,
          Item: this.item(registration),
          ConditionExpression: 'attribute_not_exists(registrationId)',
        },
      },
      {
        Put: {
          TableName: this.tables.registrations,
          Item: {
            ...this.pointerKey(registration.customerId),
            openId: registration.registrationId,
            ttl: epochSeconds(registration.createdAt + this.maxSessionMs + CLEANUP_AFTER_MS),
          },
          ...(superseded.pointer
            ? {
                ConditionExpression: 'openId = :previous',
                ExpressionAttributeValues: { ':previous': superseded.pointer },
              }
            : { ConditionExpression: 'attribute_not_exists(registrationId)' }),
        },
      },
      ...(superseded.close ? [this.put(superseded.close.next, superseded.close.expectedVersion)] : []),
      ...(superseded.close?.usernameKey
        ? [this.release(superseded.close.usernameKey, superseded.close.next.registrationId)]
        : []),
    ];
    await transaction(
      () => this.db.send(new TransactWriteCommand({ TransactItems: items })),
      ['version', 'version', 'version', 'version'],
    );
  }

  async lastOpenedBy(customerId: string): Promise<string | undefined> {
    const result = await storage(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tables.registrations,
          Key: this.pointerKey(customerId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item?.openId as string | undefined;
  }

  async get(registrationId: string): Promise<Registration | undefined> {
    const result = await storage(() =>
      this.db.send(
        new GetCommand({
          TableName: this.tables.registrations,
          Key: { registrationId },
          ConsistentRead: true,
        }),
      ),
    );
    if (!result.Item) return undefined;
    const { ttl: _ttl, ...registration } = result.Item;
    return registration as Registration;
  }

  async touch(registrationId: string, now: number): Promise<void> {
    await touchOpen(this.db, this.tables.registrations, { registrationId }, now);
  }

  async save(next: Registration, expectedVersion: number): Promise<void> {
    await storage(
      () => this.db.send(new PutCommand(this.put(next, expectedVersion).Put)),
      () => {
        throw new ConflictError('version');
      },
    );
  }

  async saveWithUsername(
    next: Registration,
    expectedVersion: number,
    reservation: { key: string; previousKey?: string; takeOverFrom?: string; expiresAt: number },
  ): Promise<void> {
    const holderCondition = reservation.takeOverFrom
      ? { expression: 'registrationId = :holder AND kind = :reservation', holder: reservation.takeOverFrom }
      : {
          expression: 'attribute_not_exists(pk) OR (registrationId = :holder AND kind = :reservation)',
          holder: next.registrationId,
        };
    const items = [
      this.put(next, expectedVersion),
      {
        Put: {
          TableName: this.tables.users,
          Item: {
            pk: `USERNAME#${reservation.key}`,
            kind: 'reservation',
            username: next.username,
            registrationId: next.registrationId,
            expiresAt: reservation.expiresAt,
            ttl: epochSeconds(reservation.expiresAt + CLEANUP_AFTER_MS),
          },
          ConditionExpression: holderCondition.expression,
          ExpressionAttributeValues: { ':holder': holderCondition.holder, ':reservation': 'reservation' },
        },
      },
      ...(reservation.previousKey ? [this.release(reservation.previousKey, next.registrationId)] : []),
    ];
    await transaction(
      () => this.db.send(new TransactWriteCommand({ TransactItems: items })),
      ['version', 'username', 'version'],
    );
  }

  private release(key: string, registrationId: string) {
    return {
      Delete: {
        TableName: this.tables.users,
        Key: { pk: `USERNAME#${key}` },
        ConditionExpression: 'registrationId = :me AND kind = :reservation',
        ExpressionAttributeValues: { ':me': registrationId, ':reservation': 'reservation' },
      },
    };
  }

  async saveWithCodeUsed(next: Registration, expectedVersion: number, codeHmac: string): Promise<void> {
    const items = [
      this.put(next, expectedVersion),
      codeUseItem(this.tables.codes, next.registrationId, codeHmac),
    ];
    await transaction(
      () => this.db.send(new TransactWriteCommand({ TransactItems: items })),
      ['version', 'code'],
    );
  }

  async complete(
    next: Registration,
    expectedVersion: number,
    user: NewUser,
    message: CompletionMessage,
    audit: AuditEntry,
  ): Promise<void> {
    const usernameKey = user.username.toLowerCase();
    // The user is kept under its customer: the item's absence is the "one user per customer" condition, so
    // the user and the customer-to-user link are one write.
    const userPk = `CUSTOMER#${user.customerId}`;
    const items = [
      this.put(next, expectedVersion),
      {
        Put: {
          TableName: this.tables.users,
          Item: { pk: userPk, kind: 'user', ...user, usernameKey },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tables.users,
          Item: {
            pk: `USERNAME#${usernameKey}`,
            kind: 'user',
            username: user.username,
            userId: user.userId,
            userPk,
            registrationId: next.registrationId,
          },
          ConditionExpression: 'registrationId = :me AND kind = :reservation',
          ExpressionAttributeValues: { ':me': next.registrationId, ':reservation': 'reservation' },
        },
      },
      {
        Put: {
          TableName: this.tables.outbox,
          Item: {
            ...message,
            kind: 'registration-completed',
            status: 'pending',
            attempts: 0,
            ttl: epochSeconds(message.createdAt + OUTBOX_KEEP_MS),
          },
          ConditionExpression: 'attribute_not_exists(messageId)',
        },
      },
      // Staff see the registration in the customer's trail (status' recent events).
      {
        Put: {
          TableName: this.tables.audit,
          Item: audit,
          ConditionExpression: 'attribute_not_exists(eventId)',
        },
      },
    ];
    await transaction(
      () => this.db.send(new TransactWriteCommand({ TransactItems: items })),
      ['version', 'customer', 'username', 'version', undefined],
    );
  }

  async cancel(next: Registration, expectedVersion: number, usernameKey?: string): Promise<void> {
    const items = [
      this.put(next, expectedVersion),
      ...(usernameKey ? [this.release(usernameKey, next.registrationId)] : []),
    ];
    await transaction(
      () => this.db.send(new TransactWriteCommand({ TransactItems: items })),
      ['version', 'version'],
    );
  }
}
