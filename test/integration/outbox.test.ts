// DynamoOutbox against DynamoDB Local: a message is claimed by one delivery at a time under a lease, given
// back after a failure, and never claimed again once sent.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompletionMessage } from '../../lambdas/ports/stores.ts';
import { freshTables, getItem, type Services, TEST_NOW, wire } from '../support/integration.ts';

const NOW = TEST_NOW;
const LEASE = 60_000;

describe('DynamoOutbox', () => {
  let s: Services;

  /** A pending message shaped as the completion transaction writes it. */
  async function pendingMessage(): Promise<CompletionMessage> {
    const message: CompletionMessage = {
      messageId: randomUUID(),
      customerId: 'C-1',
      username: 'Juan.Perez',
      secondFactor: 'later',
      createdAt: NOW,
    };
    await s.db.send(
      new PutCommand({
        TableName: s.tables.names.outbox,
        Item: {
          ...message,
          kind: 'registration-completed',
          status: 'pending',
          attempts: 0,
          ttl: NOW / 1000 + 604_800,
        },
      }),
    );
    return message;
  }

  const stored = (messageId: string) => getItem(s.db, s.tables.names.outbox, { messageId });

  beforeAll(async () => {
    s = wire(await freshTables('outbox'));
  });

  it('claims a pending message and returns it', async () => {
    // Prepare
    const message = await pendingMessage();

    // Act
    const claimed = await s.outbox.claim(message.messageId, NOW, LEASE);

    // Assess
    expect(claimed).toEqual({ kind: 'registration-completed', ...message });
    expect(await stored(message.messageId)).toMatchObject({ status: 'sending', leaseUntil: NOW + LEASE });
  });

  it('does not let a claimed message be claimed again until its lease ends', async () => {
    // Prepare
    const message = await pendingMessage();
    await s.outbox.claim(message.messageId, NOW, LEASE);

    // Act
    const during = await s.outbox.claim(message.messageId, NOW + LEASE - 1, LEASE);
    const atEnd = await s.outbox.claim(message.messageId, NOW + LEASE, LEASE);
    const after = await s.outbox.claim(message.messageId, NOW + LEASE + 1, LEASE);

    // Assess
    expect(during).toBeUndefined();
    expect(atEnd).toBeUndefined();
    expect(after).toEqual({ kind: 'registration-completed', ...message });
  });

  it('gives exactly one of parallel claims the message', async () => {
    // Prepare
    const message = await pendingMessage();

    // Act
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => s.outbox.claim(message.messageId, NOW, LEASE)),
    );

    // Assess
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('never claims a sent message again, not even after the lease', async () => {
    // Prepare
    const message = await pendingMessage();
    await s.outbox.claim(message.messageId, NOW, LEASE);

    // Act
    await s.outbox.markSent(message.messageId, NOW + 1_000);

    // Assess
    expect(await s.outbox.claim(message.messageId, NOW + 10 * LEASE, LEASE)).toBeUndefined();
    const item = await stored(message.messageId);
    expect(item).toMatchObject({ status: 'sent', sentAt: NOW + 1_000 });
    expect(item).not.toHaveProperty('leaseUntil');
  });

  it('release gives the message back at once, counting the failed attempt', async () => {
    // Prepare
    const message = await pendingMessage();
    await s.outbox.claim(message.messageId, NOW, LEASE);

    // Act
    await s.outbox.release(message.messageId, NOW + 500);

    // Assess
    expect(await stored(message.messageId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastFailedAt: NOW + 500,
    });
    expect(await s.outbox.claim(message.messageId, NOW + 600, LEASE)).toEqual({
      kind: 'registration-completed',
      ...message,
    });
  });

  it('does not claim an unknown message', async () => {
    expect(await s.outbox.claim(randomUUID(), NOW, LEASE)).toBeUndefined();
  });

  it('lists unsent messages oldest first, due when pending or abandoned, never sent ones', async () => {
    // Prepare
    const [pending, leased, abandoned, sent] = await Promise.all([1, 2, 3, 4].map(() => pendingMessage()));
    if (!pending || !leased || !abandoned || !sent) throw new Error('prepare');
    await s.outbox.claim(leased.messageId, NOW, LEASE);
    await s.outbox.claim(abandoned.messageId, NOW - 2 * LEASE, LEASE);
    await s.outbox.claim(sent.messageId, NOW, LEASE);
    await s.outbox.markSent(sent.messageId, NOW);

    // Act
    const unsent = await s.outbox.unsent(NOW);
    const due = (id: string) => unsent.find((message) => message.messageId === id)?.due;

    // Assess
    expect(due(pending.messageId)).toBe(true);
    expect(due(abandoned.messageId)).toBe(true);
    expect(due(leased.messageId)).toBe(false);
    expect(unsent.map((message) => message.messageId)).not.toContain(sent.messageId);
    const created = unsent.map((message) => message.createdAt);
    expect(created).toEqual([...created].sort((a, b) => a - b));
  });
});
