// DynamoLimitStore against DynamoDB Local: sliding windows with refunds, and the PIN-try counter with
// its lock, reset and restart once the lock is over.
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoLimitStore } from '../../lambdas/adapters/dynamodb/limit-store.ts';
import {
  freshTables,
  getItem,
  holdCall,
  newDocumentClient,
  type Services,
  TEST_NOW,
  wire,
} from '../support/integration.ts';

const NOW = TEST_NOW;
const MINUTE = 60_000;
const LOCK_SECONDS = 86_400;

describe('DynamoLimitStore', () => {
  let s: Services;
  const key = (kind: string) => `${kind}#${randomUUID()}`;

  beforeAll(async () => {
    s = wire(await freshTables('limits'));
  });

  describe('hit, refund and count: sliding windows (rule 42)', () => {
    it('counts up to max in a window, then refuses until the oldest hit leaves it', async () => {
      // Prepare
      const k = key('ip');

      // Act
      const hits = [];
      for (let i = 0; i < 3; i++) hits.push(await s.limits.hit(k, 3, MINUTE, NOW + i * 1000));
      const refused = await s.limits.hit(k, 3, MINUTE, NOW + 5_000);

      // Assess
      expect(hits.every((h) => h.allowed)).toBe(true);
      expect(refused).toEqual({ allowed: false, retryAt: NOW + MINUTE });
      expect(await s.limits.count(k, 3, MINUTE, NOW + 5_000)).toBe(3);
      expect((await getItem(s.db, s.tables.names.limits, { pk: k }))?.ttl).toBe(
        (NOW + 2_000 + MINUTE) / 1000,
      );
    });

    it('a burst across a minute boundary gets no more than max through', async () => {
      // Prepare: the limit spent in the last half second of a minute.
      const k = key('ip');
      const edge = NOW + MINUTE;
      for (let i = 0; i < 3; i++) expect((await s.limits.hit(k, 3, MINUTE, edge - 500)).allowed).toBe(true);

      // Act
      const justAfter = await s.limits.hit(k, 3, MINUTE, edge + 500);
      const stillInside = await s.limits.hit(k, 3, MINUTE, edge - 501 + MINUTE);
      const leftWindow = await s.limits.hit(k, 3, MINUTE, edge - 500 + MINUTE);

      // Assess
      expect(justAfter).toEqual({ allowed: false, retryAt: edge - 500 + MINUTE });
      expect(stillInside.allowed).toBe(false);
      expect(leftWindow.allowed).toBe(true);
    });

    it('a refund takes its own hit back, so one more is allowed; a second refund does nothing', async () => {
      // Prepare
      const k = key('sms');
      const hits = [];
      for (let i = 0; i < 3; i++) hits.push(await s.limits.hit(k, 3, MINUTE, NOW));
      const first = hits[0] as { allowed: true; hitId: string };

      // Act
      await s.limits.refund(k, first.hitId);
      await s.limits.refund(k, first.hitId);

      // Assess
      expect((await s.limits.hit(k, 3, MINUTE, NOW)).allowed).toBe(true);
      expect((await s.limits.hit(k, 3, MINUTE, NOW)).allowed).toBe(false);
    });

    it('a refund of a hit that is not there creates nothing', async () => {
      // Prepare
      const unknown = key('sms');

      // Act
      await s.limits.refund(unknown, '0:not-a-hit');

      // Assess
      expect(await getItem(s.db, s.tables.names.limits, { pk: unknown })).toBeUndefined();
    });

    it('allows exactly max of parallel hits, and refuses the rest with 429 material, not a failure', async () => {
      // Prepare
      const k = key('ip');

      // Act
      const hits = await Promise.all(Array.from({ length: 12 }, () => s.limits.hit(k, 5, MINUTE, NOW)));

      // Assess
      expect(hits.filter((h) => h.allowed)).toHaveLength(5);
      expect(await s.limits.count(k, 5, MINUTE, NOW)).toBe(5);
    });

    it('second audit, finding 6: a hit reuses the lowest free slot, so a key hit now and then stays one slot', async () => {
      // Prepare
      const k = key('ip');

      // Act: 20 hits, each after the previous one left the window, under a limit of 500.
      for (let i = 0; i < 20; i++)
        expect((await s.limits.hit(k, 500, MINUTE, NOW + i * 2 * MINUTE)).allowed).toBe(true);

      // Assess: only slot 0 was ever written (random free slots would have spread over about 20).
      const item = await getItem(s.db, s.tables.names.limits, { pk: k });
      expect(Object.keys(item ?? {}).filter((name) => /^s\d+$/.test(name))).toEqual(['s0']);
    });

    it('fullUntil tells when a full window frees a slot; clear forgets the key', async () => {
      // Prepare
      const k = key('tokfail');
      for (let i = 0; i < 3; i++) await s.limits.hit(k, 3, MINUTE, NOW + i * 1000);

      // Act
      const full = await s.limits.fullUntil(k, 3, MINUTE, NOW + 5_000);
      const notFull = await s.limits.fullUntil(k, 4, MINUTE, NOW + 5_000);
      await s.limits.clear(k);

      // Assess
      expect(full).toBe(NOW + MINUTE);
      expect(notFull).toBeUndefined();
      expect(await s.limits.count(k, 3, MINUTE, NOW + 5_000)).toBe(0);
      expect(await getItem(s.db, s.tables.names.limits, { pk: k })).toBeUndefined();
    });
  });

  describe('pinLockAll (second audit, finding 4)', () => {
    it('locks every key in one transaction', async () => {
      // Prepare
      const keys = [key('pin'), key('pin'), key('pin')];

      // Act
      await s.limits.pinLockAll(keys, NOW + 60_000);

      // Assess
      for (const k of keys) {
        expect(await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS)).toEqual({ locked: true, until: NOW + 60_000 });
      }
    });

    it('writes nothing when one item cannot be written (all or none)', async () => {
      // Prepare: a key too long for DynamoDB (2,048 bytes is the partition-key limit) fails the transaction.
      const good = key('pin');
      const bad = 'pin#'.padEnd(2100, 'x');

      // Act
      const failed = await s.limits.pinLockAll([good, bad], NOW + 60_000).catch((error: unknown) => error);

      // Assess
      expect((failed as Error).name).toBe('DependencyError');
      expect(await getItem(s.db, s.tables.names.limits, { pk: good })).toBeUndefined();
    });
  });

  describe('pinTry, pinLock, pinReset', () => {
    it('counts tries up to max, then refuses as locked even before pinLock', async () => {
      // Prepare
      const k = key('pin');

      // Act
      const tries = [];
      for (let i = 0; i < 4; i++) tries.push(await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS));

      // Assess
      expect(tries.slice(0, 3)).toEqual([
        { locked: false, tries: 1 },
        { locked: false, tries: 2 },
        { locked: false, tries: 3 },
      ]);
      expect(tries[3]).toEqual({ locked: true, until: NOW + LOCK_SECONDS * 1000 });
    });

    it('a lock refuses every try until it ends', async () => {
      // Prepare
      const k = key('pin');
      for (let i = 0; i < 3; i++) await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      const until = NOW + LOCK_SECONDS * 1000;

      // Act
      await s.limits.pinLock(k, until);

      // Assess
      expect(await s.limits.pinTry(k, NOW + 1_000, 3, LOCK_SECONDS)).toEqual({ locked: true, until });
      expect(await s.limits.pinTry(k, until - 1, 3, LOCK_SECONDS)).toEqual({ locked: true, until });
      expect(await getItem(s.db, s.tables.names.limits, { pk: k })).toMatchObject({
        lockedUntil: until,
        ttl: until / 1000,
      });
    });

    it('an expired lock starts a new count', async () => {
      // Prepare
      const k = key('pin');
      for (let i = 0; i < 3; i++) await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      const until = NOW + LOCK_SECONDS * 1000;
      await s.limits.pinLock(k, until);

      // Act
      const after = await s.limits.pinTry(k, until + 1, 3, LOCK_SECONDS);

      // Assess
      expect(after).toEqual({ locked: false, tries: 1 });
      expect(await getItem(s.db, s.tables.names.limits, { pk: k })).not.toHaveProperty('lockedUntil');
    });

    it('a count that reached max without a lock also restarts once its time is over', async () => {
      // Prepare
      const k = key('pin');
      for (let i = 0; i < 3; i++) await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);

      // Act
      const during = await s.limits.pinTry(k, NOW + 1_000, 3, LOCK_SECONDS);
      const after = await s.limits.pinTry(k, NOW + LOCK_SECONDS * 1000 + 1_000, 3, LOCK_SECONDS);

      // Assess
      expect(during.locked).toBe(true);
      expect(after).toEqual({ locked: false, tries: 1 });
    });

    it('lockedUntil tells what pinTry refuses: a lock, or a count at max without one (third audit, finding 14)', async () => {
      // Prepare: a token user's right passwords count without a lock (only a whole sign-in resets them)
      const k = key('pin');
      for (let i = 0; i < 2; i++) await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      const below = await s.limits.lockedUntil(k, NOW, 3);
      await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);

      // Act
      const atMax = await s.limits.lockedUntil(k, NOW + 1_000, 3);
      const refused = await s.limits.pinTry(k, NOW + 1_000, 3, LOCK_SECONDS);
      const over = await s.limits.lockedUntil(k, NOW + LOCK_SECONDS * 1000 + 1_000, 3);

      // Assess
      expect(below).toBeUndefined();
      expect(refused).toEqual({ locked: true, until: NOW + LOCK_SECONDS * 1000 });
      expect(atMax).toBe(NOW + LOCK_SECONDS * 1000);
      expect(over).toBeUndefined();
    });

    it('a release gives back one counted try, never below zero and never under a lock', async () => {
      // Prepare
      const k = key('pin');
      await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);

      // Act
      await s.limits.pinRelease(k);
      const afterRelease = await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      await s.limits.pinLock(k, NOW + LOCK_SECONDS * 1000);
      await s.limits.pinRelease(k);

      // Assess
      expect(afterRelease).toEqual({ locked: false, tries: 2 });
      expect(await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS)).toMatchObject({ locked: true });
      const untouched = key('pin');
      await s.limits.pinRelease(untouched);
      expect(await getItem(s.db, s.tables.names.limits, { pk: untouched })).toBeUndefined();
    });

    it('a reset clears the count, but never a lock', async () => {
      // Prepare
      const counting = key('pin');
      const locked = key('pin');
      for (let i = 0; i < 2; i++) await s.limits.pinTry(counting, NOW, 3, LOCK_SECONDS);
      for (let i = 0; i < 3; i++) await s.limits.pinTry(locked, NOW, 3, LOCK_SECONDS);
      await s.limits.pinLock(locked, NOW + LOCK_SECONDS * 1000);

      // Act
      await s.limits.pinReset(counting);
      await s.limits.pinReset(locked);

      // Assess
      expect(await s.limits.pinTry(counting, NOW, 3, LOCK_SECONDS)).toEqual({ locked: false, tries: 1 });
      expect((await s.limits.pinTry(locked, NOW, 3, LOCK_SECONDS)).locked).toBe(true);
    });

    it('counts no more than max of parallel tries just after a lock ended', async () => {
      // Prepare
      const k = key('pin');
      for (let i = 0; i < 3; i++) await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      const until = NOW + LOCK_SECONDS * 1000;
      await s.limits.pinLock(k, until);

      // Act
      const tries = await Promise.all(
        Array.from({ length: 10 }, () => s.limits.pinTry(k, until + 1, 3, LOCK_SECONDS)),
      );

      // Assess
      const counted = tries.flatMap((t) => (t.locked ? [] : [t.tries])).sort();
      expect(counted.length).toBeGreaterThanOrEqual(1);
      expect(counted).toEqual(counted.map((_, i) => i + 1));
      expect(counted.length).toBeLessThanOrEqual(3);
      expect((await getItem(s.db, s.tables.names.limits, { pk: k }))?.tries).toBe(counted.length);
    });

    // BUG (limit-store.ts, pinTry): after a refused count it reads the item and takes any item without
    // `lockedUntil` for a lock ending at its TTL, even a fresh count below max that a parallel caller started
    // once the old lock ended. That caller is then told "locked" for a whole new lock period (423 with a
    // Retry-After of PIN_LOCK_SECONDS) although nothing is locked and its try was never counted.
    it('a try that meets a count restarted by a parallel caller is counted, not refused as locked', async () => {
      // Prepare: an ended lock, and a second caller whose read of the item waits until the first restarted it
      const k = key('pin');
      for (let i = 0; i < 3; i++) await s.limits.pinTry(k, NOW, 3, LOCK_SECONDS);
      const until = NOW + LOCK_SECONDS * 1000;
      await s.limits.pinLock(k, until);
      const slowDb = newDocumentClient();
      const slow = new DynamoLimitStore(slowDb, s.tables.names.limits);
      const held = holdCall(slowDb, { command: 'GetItemCommand' });

      // Act
      const second = slow.pinTry(k, until + 1, 3, LOCK_SECONDS);
      await held.reached;
      const first = await s.limits.pinTry(k, until + 1, 3, LOCK_SECONDS);
      held.release();
      const late = await second;
      held.remove();

      // Assess
      expect(first).toEqual({ locked: false, tries: 1 });
      expect(late).toEqual({ locked: false, tries: 2 });
    });

    it('counts no more than max of parallel tries', async () => {
      // Prepare
      const k = key('pin');

      // Act
      const tries = await Promise.all(
        Array.from({ length: 10 }, () => s.limits.pinTry(k, NOW, 3, LOCK_SECONDS)),
      );

      // Assess
      const counted = tries.flatMap((t) => (t.locked ? [] : [t.tries])).sort();
      expect(counted).toEqual([1, 2, 3]);
      expect(tries.filter((t) => t.locked)).toHaveLength(7);
    });

    it('rule 44: a try that stays contended fails with DependencyError and stores no lock', async () => {
      // Prepare: a parallel caller that, between each refused count and its re-read, clears the count and
      // then counts to the limit again, so the store never sees a settled state.
      const k = key('pin');
      const db = newDocumentClient();
      const store = new DynamoLimitStore(db, s.tables.names.limits);
      const full = { pk: k, tries: 3, ttl: (NOW + LOCK_SECONDS * 1000) / 1000 };
      const other = newDocumentClient();
      db.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'GetItemCommand') {
            await other.send(new DeleteCommand({ TableName: s.tables.names.limits, Key: { pk: k } }));
          }
          const result = await next(args);
          if (context.commandName === 'GetItemCommand') {
            await other.send(new PutCommand({ TableName: s.tables.names.limits, Item: full }));
          }
          return result;
        },
        { step: 'initialize', name: 'parallel-caller' },
      );
      await other.send(new PutCommand({ TableName: s.tables.names.limits, Item: full }));

      // Act
      const outcome = await store.pinTry(k, NOW - 1, 3, LOCK_SECONDS).catch((error: Error) => error.name);

      // Assess
      expect(outcome).toBe('DependencyError');
      expect((await getItem(s.db, s.tables.names.limits, { pk: k }))?.lockedUntil).toBeUndefined();
    });
  });
});
