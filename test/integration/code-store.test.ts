// DynamoCodeStore against DynamoDB Local: the send limits live in the write's condition, restore undoes an
// issue, and an attempt is counted only while the code is unused, unexpired and not used up.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeRecord } from '../../lambdas/ports/stores.ts';
import type { Registration } from '../../lambdas/registration/registration.ts';
import { freshTables, getItem, type Services, TEST_NOW, wire } from '../support/integration.ts';

const NOW = TEST_NOW;
const TTL_MS = 300_000;
const rules = { maxSends: 3, cooldownMs: 30_000 };

const code = (registrationId: string, hmac: string, at = NOW) => ({
  registrationId,
  codeHmac: hmac,
  expiresAt: at + TTL_MS,
  lastSentAt: at,
});

describe('DynamoCodeStore', () => {
  let s: Services;

  beforeAll(async () => {
    s = wire(await freshTables('codes'));
  });

  describe('issue', () => {
    it('issues a first code with one send, no attempts, unused, and a cleanup TTL', async () => {
      // Prepare
      const id = randomUUID();

      // Act
      const result = await s.codes.issue(code(id, 'h1'), rules);

      // Assess
      expect(result).toEqual({ issued: true, previous: undefined });
      expect(await s.codes.get(id)).toEqual<CodeRecord>({
        registrationId: id,
        codeHmac: 'h1',
        expiresAt: NOW + TTL_MS,
        lastSentAt: NOW,
        attempts: 0,
        sends: 1,
        used: false,
      });
      const item = await getItem(s.db, s.tables.names.codes, { registrationId: id });
      expect(item?.ttl).toBeGreaterThanOrEqual(Math.ceil((NOW + TTL_MS) / 1000));
    });

    it('refuses a new code during the cooldown and leaves the code as it was', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);
      const before = await s.codes.get(id);

      // Act
      const early = await s.codes.issue(code(id, 'h2', NOW + 29_999), rules);

      // Assess
      expect(early).toEqual({ issued: false });
      expect(await s.codes.get(id)).toEqual(before);
    });

    it('replaces the code once the cooldown is over, resetting attempts and returning the previous one', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);
      await s.codes.countAttempt(id, NOW + 1_000, 3);
      const before = await s.codes.get(id);

      // Act
      const later = await s.codes.issue(code(id, 'h2', NOW + 30_000), rules);

      // Assess
      expect(later).toEqual({ issued: true, previous: expect.objectContaining(before) });
      expect(await s.codes.get(id)).toMatchObject({ codeHmac: 'h2', attempts: 0, sends: 2, used: false });
    });

    it('refuses a send beyond maxSends even after the cooldown', async () => {
      // Prepare
      const id = randomUUID();
      for (let i = 0; i < rules.maxSends; i++) {
        expect((await s.codes.issue(code(id, `h${i}`, NOW + i * 60_000), rules)).issued).toBe(true);
      }

      // Act
      const fourth = await s.codes.issue(code(id, 'h-extra', NOW + 10 * 60_000), rules);

      // Assess
      expect(fourth).toEqual({ issued: false });
      expect(await s.codes.get(id)).toMatchObject({ codeHmac: 'h2', sends: 3 });
    });

    it('issues exactly one of parallel sends in the same instant', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h0'), rules);

      // Act
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => s.codes.issue(code(id, `p${i}`, NOW + 60_000), rules)),
      );

      // Assess
      expect(results.filter((r) => r.issued)).toHaveLength(1);
      expect((await s.codes.get(id))?.sends).toBe(2);
    });
  });

  describe('restore', () => {
    it('puts the previous code back exactly as it was', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);
      await s.codes.countAttempt(id, NOW + 1_000, 3);
      const before = await getItem(s.db, s.tables.names.codes, { registrationId: id });
      const issued = await s.codes.issue(code(id, 'h2', NOW + 60_000), rules);
      if (!issued.issued) throw new Error('prepare: the second code was not issued');

      // Act
      await s.codes.restore(id, 'h2', issued.previous);

      // Assess
      expect(await getItem(s.db, s.tables.names.codes, { registrationId: id })).toEqual(before);
    });

    it('deletes a first code that had nothing before it', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);

      // Act
      await s.codes.restore(id, 'h1');

      // Assess
      expect(await s.codes.get(id)).toBeUndefined();
    });

    it('leaves a code alone that is no longer the one issued', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);
      await s.codes.issue(code(id, 'h2', NOW + 60_000), rules);

      // Act
      await s.codes.restore(id, 'h1');

      // Assess
      expect(await s.codes.get(id)).toMatchObject({ codeHmac: 'h2', sends: 2 });
    });
  });

  describe('countAttempt', () => {
    async function used(id: string): Promise<void> {
      const r: Registration = {
        registrationId: id,
        customerId: 'C-1',
        credentialType: 'card',
        tokenHash: 't',
        step: 'enter-otp',
        status: 'open',
        version: 2,
        createdAt: NOW,
        lastSeenAt: NOW,
        contact: { phone: 'xxxxxxx190', email: 'a****@b.ec' },
        identityNumbers: [],
      };
      await s.registrations.create(r);
      await s.registrations.saveWithCodeUsed({ ...r, version: 3, step: 'choose-username' }, 2, 'h1');
    }

    it('counts attempts one by one and returns the counted record', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);

      // Act
      const first = await s.codes.countAttempt(id, NOW + 1, 3);
      const second = await s.codes.countAttempt(id, NOW + 2, 3);

      // Assess
      expect(first).toMatchObject({ codeHmac: 'h1', attempts: 1 });
      expect(second).toMatchObject({ codeHmac: 'h1', attempts: 2 });
    });

    it('refuses once maxAttempts are counted, without counting more', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);
      for (let i = 0; i < 3; i++) await s.codes.countAttempt(id, NOW + 1, 3);

      // Act
      const exhausted = await s.codes.countAttempt(id, NOW + 2, 3);

      // Assess
      expect(exhausted).toBeUndefined();
      expect((await s.codes.get(id))?.attempts).toBe(3);
    });

    it('refuses an expired code, even one DynamoDB TTL has not removed yet', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);

      // Act
      const atExpiry = await s.codes.countAttempt(id, NOW + TTL_MS, 3);
      const justBefore = await s.codes.countAttempt(id, NOW + TTL_MS - 1, 3);

      // Assess
      expect(atExpiry).toBeUndefined();
      expect(justBefore).toMatchObject({ attempts: 1 });
    });

    it('refuses a used code', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);
      await used(id);

      // Act
      const replay = await s.codes.countAttempt(id, NOW + 1, 3);

      // Assess
      expect(replay).toBeUndefined();
      expect(await s.codes.get(id)).toMatchObject({ used: true, attempts: 0 });
    });

    it('refuses a registration without a code', async () => {
      expect(await s.codes.countAttempt(randomUUID(), NOW, 3)).toBeUndefined();
    });

    it('counts no more than maxAttempts of parallel attempts', async () => {
      // Prepare
      const id = randomUUID();
      await s.codes.issue(code(id, 'h1'), rules);

      // Act
      const results = await Promise.all(
        Array.from({ length: 8 }, () => s.codes.countAttempt(id, NOW + 1, 3)),
      );

      // Assess
      expect(
        results
          .filter(Boolean)
          .map((r) => r?.attempts)
          .sort(),
      ).toEqual([1, 2, 3]);
      expect((await s.codes.get(id))?.attempts).toBe(3);
    });
  });
});
