// DynamoLimitStore against DynamoDB Local: fixed-window counters with refunds, and the PIN-try counter with
// its lock, reset and restart once the lock is over.
import { randomUUID } from 'node:crypto';
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

  describe('hit and refund', () => {
    it('counts up to max in a window, then refuses; the window ends with its TTL', async () => {
      // Prepare
      const k = key('ip');
      const windowEnd = NOW + MINUTE;

      // Act
      const hits = [];
      for (let i = 0; i < 4; i++) hits.push(await s.limits.hit(k, 3, windowEnd));

      // Assess
      expect(hits).toEqual([true, true, true, false]);
      expect(await getItem(s.db, s.tables.names.limits, { pk: k })).toMatchObject({
        count: 3,
        ttl: windowEnd / 1000,
      });
    });

    it('starts from zero in the next window (a key of its own)', async () => {
      // Prepare
      const base = key('ip');
      for (let i = 0; i < 3; i++) await s.limits.hit(`${base}#1`, 3, NOW + MINUTE);

      // Act
      const nextWindow = await s.limits.hit(`${base}#2`, 3, NOW + 2 * MINUTE);

      // Assess
      expect(await s.limits.hit(`${base}#1`, 3, NOW + MINUTE)).toBe(false);
      expect(nextWindow).toBe(true);
    });

    it('a refund takes one hit back, so one more is allowed', async () => {
      // Prepare
      const k = key('sms');
      for (let i = 0; i < 3; i++) await s.limits.hit(k, 3, NOW + MINUTE);

      // Act
      await s.limits.refund(k);

      // Assess
      expect(await s.limits.hit(k, 3, NOW + MINUTE)).toBe(true);
      expect(await s.limits.hit(k, 3, NOW + MINUTE)).toBe(false);
    });

    it('never refunds below zero, nor creates a counter', async () => {
      // Prepare
      const counted = key('sms');
      const unknown = key('sms');
      await s.limits.hit(counted, 3, NOW + MINUTE);

      // Act
      await s.limits.refund(counted);
      await s.limits.refund(counted);
      await s.limits.refund(unknown);

      // Assess
      expect((await getItem(s.db, s.tables.names.limits, { pk: counted }))?.count).toBe(0);
      expect(await getItem(s.db, s.tables.names.limits, { pk: unknown })).toBeUndefined();
    });

    it('allows exactly max of parallel hits', async () => {
      // Prepare
      const k = key('ip');

      // Act
      const hits = await Promise.all(Array.from({ length: 12 }, () => s.limits.hit(k, 5, NOW + MINUTE)));

      // Assess
      expect(hits.filter(Boolean)).toHaveLength(5);
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
  });
});
