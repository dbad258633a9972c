// The scheduled outbox sweep on DynamoDB Local (rule 43): a message a dead worker left `sending` is sent exactly
// once, even by two sweeps at the same time; a live lease is left alone; the age of the oldest unsent message is
// what the alarm reads.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Email, EmailSender } from '../../lambdas/ports/notifications.ts';
import { sweepOutbox } from '../../lambdas/registration/outbox-sweep.ts';
import {
  deliverDeps,
  FakeClock,
  freshTables,
  getItem,
  RecordingEmail,
  type Services,
  seed,
  TEST_NOW,
  testCustomer,
  wire,
} from '../support/integration.ts';

const MINUTE = 60_000;

/** Sends slowly, so that two sweeps started together overlap while one of them is mid-send. */
class SlowEmail extends RecordingEmail {
  override async send(email: Email): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    await super.send(email);
  }
}

async function world(email: EmailSender = new SlowEmail()) {
  const s = wire(await freshTables('sweep'), { clock: new FakeClock(), email });
  const customer = testCustomer(4_301);
  await seed(s, [customer]);
  return { s, customer, deps: deliverDeps(s) };
}

/** An outbox item as the completion transaction writes it, then as a worker left it. */
async function message(
  s: Services,
  customerId: string,
  state: { status: 'pending' | 'sending' | 'sent'; createdAt: number; leaseUntil?: number },
): Promise<string> {
  const messageId = randomUUID();
  await s.db.send(
    new PutCommand({
      TableName: s.tables.names.outbox,
      Item: {
        messageId,
        kind: 'registration-completed',
        customerId,
        username: 'Sweep.User',
        secondFactor: 'later',
        attempts: 0,
        ttl: TEST_NOW / 1000 + 604_800,
        ...state,
      },
    }),
  );
  return messageId;
}

const status = async (s: Services, messageId: string) =>
  (await getItem(s.db, s.tables.names.outbox, { messageId }))?.status;

describe('sweepOutbox', () => {
  it('sends a message stranded in sending (lease ended) exactly once, even with two sweeps in parallel', async () => {
    // Prepare
    const { s, customer, deps } = await world();
    const stranded = await message(s, customer.record.customer.customerId, {
      status: 'sending',
      createdAt: TEST_NOW - 20 * MINUTE,
      leaseUntil: TEST_NOW - 1,
    });

    // Act
    const reports = await Promise.all([sweepOutbox(deps), sweepOutbox(deps)]);

    // Assess
    const sent = (s.email as RecordingEmail).sent;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(customer.record.customer.email);
    expect(await status(s, stranded)).toBe('sent');
    expect(reports.map((r) => r.sent).sort()).toEqual([0, 1]);
    expect(reports.find((r) => r.sent === 1)).toMatchObject({ unsent: 0, oldestUnsentSeconds: 0 });
  });

  it('leaves a live lease alone and reports its age as the oldest unsent message', async () => {
    // Prepare
    const { s, customer, deps } = await world();
    const live = await message(s, customer.record.customer.customerId, {
      status: 'sending',
      createdAt: TEST_NOW - 16 * MINUTE,
      leaseUntil: TEST_NOW + 30_000,
    });
    await message(s, customer.record.customer.customerId, {
      status: 'sent',
      createdAt: TEST_NOW - 60 * MINUTE,
    });

    // Act
    const report = await sweepOutbox(deps);

    // Assess
    expect((s.email as RecordingEmail).sent).toHaveLength(0);
    expect(await status(s, live)).toBe('sending');
    expect(report).toEqual({ sent: 0, skipped: 0, failed: 0, unsent: 1, oldestUnsentSeconds: 16 * 60 });
  });

  it('a failed send stays due for the next sweep, counted, and keeps the age growing', async () => {
    // Prepare
    const failing: EmailSender = {
      send: async () => {
        throw new Error('SES throttled');
      },
    };
    const { s, customer, deps } = await world(failing);
    const pending = await message(s, customer.record.customer.customerId, {
      status: 'pending',
      createdAt: TEST_NOW - 5 * MINUTE,
    });

    // Act
    const first = await sweepOutbox(deps);
    (s.clock as FakeClock).advance(5 * MINUTE);
    const second = await sweepOutbox(deps);

    // Assess
    expect(first).toMatchObject({ sent: 0, failed: 1, unsent: 1, oldestUnsentSeconds: 5 * 60 });
    expect(second).toMatchObject({ failed: 1, oldestUnsentSeconds: 10 * 60 });
    expect(await getItem(s.db, s.tables.names.outbox, { messageId: pending })).toMatchObject({
      status: 'pending',
      attempts: 2,
    });
  });
});
