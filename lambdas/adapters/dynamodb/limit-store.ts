// Sliding-window limits and PIN locks in DynamoDB, updated atomically; TTL removes them once they no longer count.

import { randomInt, randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { LimitStore, WindowHit } from '../../ports/stores.ts';
import { DependencyError } from '../../rules/errors.ts';
import { epochSeconds, storage, transaction } from './client.ts';

/** How many of the lowest free slots a parallel burst spreads over. */
const SPREAD = 4;

/**
 * When a PIN-style count refuses tries: its lock, or, for a count at `max` without one (passes that do not
 * reset it, like a token user's right passwords, or a request that failed midway), the end of its TTL.
 */
function pinLockEnd(item: Record<string, unknown>, max: number): number | undefined {
  if (typeof item.lockedUntil === 'number') return item.lockedUntil;
  return typeof item.tries === 'number' && item.tries >= max ? (item.ttl as number) * 1000 : undefined;
}

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

  /**
   * A sliding window as `max` slots in one item: `s<i>` is the time of the hit slot i holds, `h<i>` its id.
   * A hit claims a slot whose time has left the window, conditional on the time it read there, so at most
   * `max` hits are ever inside any window of `windowMs` (exact, no edge burst), and parallel callers on
   * other slots of the same item do not contend: only two claims of one slot do, and the loser moves on.
   */
  async hit(key: string, max: number, windowMs: number, now: number): Promise<WindowHit> {
    const cutoff = now - windowMs;
    for (let round = 0; round < 3; round++) {
      const slots = await this.slots(key, max);
      const free = slots.flatMap((at, i) => (at === undefined || at <= cutoff ? [i] : []));
      if (free.length === 0) return { allowed: false, retryAt: Math.min(...(slots as number[])) + windowMs };
      // The lowest free slot first, so the item only grows to the most hits ever inside one window (a key
      // hit now and then keeps reusing slot 0). A caller that loses it to a parallel one moves on from one
      // of the next few free slots, chosen at random, so a burst spreads instead of queueing.
      const rest = free.slice(1);
      const offset = randomInt(Math.max(1, Math.min(rest.length, SPREAD)));
      const order = [free[0] as number, ...rest.slice(offset), ...rest.slice(0, offset)];
      for (const i of order) {
        const hitId = `${i}:${randomUUID()}`;
        const previous = slots[i];
        const claimed = await this.update(key, {
          UpdateExpression: 'SET #s = :now, #h = :id, #ttl = :ttl',
          ConditionExpression: previous === undefined ? 'attribute_not_exists(#s)' : '#s = :previous',
          ExpressionAttributeNames: { '#s': `s${i}`, '#h': `h${i}`, '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':now': now,
            ':id': hitId,
            ':ttl': epochSeconds(now + windowMs),
            ...(previous === undefined ? {} : { ':previous': previous }),
          },
        });
        if (claimed !== undefined) return { allowed: true, hitId };
      }
    }
    // Every free slot went to a parallel caller, round after round: fail closed, no phantom count (rule 44).
    throw new DependencyError('limit contended');
  }

  async refund(key: string, hitId: string): Promise<void> {
    const slot = hitId.split(':')[0];
    // Time zero is outside every window: the slot is free again, and only if it still holds this hit.
    await this.update(key, {
      UpdateExpression: 'SET #s = :zero',
      ConditionExpression: '#h = :id',
      ExpressionAttributeNames: { '#s': `s${slot}`, '#h': `h${slot}` },
      ExpressionAttributeValues: { ':zero': 0, ':id': hitId },
    });
  }

  async count(key: string, max: number, windowMs: number, now: number): Promise<number> {
    const slots = await this.slots(key, max);
    return slots.filter((at) => at !== undefined && at > now - windowMs).length;
  }

  async fullUntil(key: string, max: number, windowMs: number, now: number): Promise<number | undefined> {
    const inside = (await this.slots(key, max)).filter(
      (at): at is number => at !== undefined && at > now - windowMs,
    );
    return inside.length >= max ? Math.min(...inside) + windowMs : undefined;
  }

  async clear(key: string): Promise<void> {
    await storage(() => this.db.send(new DeleteCommand({ TableName: this.table, Key: { pk: key } })));
  }

  async pinLockAll(keys: string[], until: number): Promise<void> {
    if (keys.length === 0) return;
    await transaction(
      () =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: keys.map((key) => ({
              Update: {
                TableName: this.table,
                Key: { pk: key },
                UpdateExpression: 'SET lockedUntil = :until, #ttl = :ttl',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':until': until, ':ttl': epochSeconds(until) },
              },
            })),
          }),
        ),
      keys.map(() => undefined),
    );
  }

  /** The hit times of the key's `max` slots (undefined: never used), read consistently. */
  private async slots(key: string, max: number): Promise<(number | undefined)[]> {
    const item = (
      await storage(() =>
        this.db.send(new GetCommand({ TableName: this.table, Key: { pk: key }, ConsistentRead: true })),
      )
    ).Item;
    return Array.from({ length: max }, (_, i) => item?.[`s${i}`] as number | undefined);
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
      const lockEnd = pinLockEnd(item, max);
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
    // Still contended after several rounds: fail closed with 503, never a lock that was not stored (rule 44).
    throw new DependencyError('PIN-try count contended');
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

  async lockedUntil(key: string, now: number, max: number): Promise<number | undefined> {
    const result = await storage(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk: key }, ConsistentRead: true })),
    );
    const until = result.Item ? pinLockEnd(result.Item, max) : undefined;
    return until !== undefined && until > now ? until : undefined;
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
