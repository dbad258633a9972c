// The outbox sweep over the running local stack (rule 43): a completion email a dead worker left `sending`
// reaches the customer exactly once; one under a live lease is left to its worker.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { physicalName } from '../../bin/local/tables.ts';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.ts';
import { Api } from '../support/api-client.ts';
import { generateCustomers, writeCustomerFile } from '../support/customers.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

let stack: RunningStack;
let api: Api;
const customers = generateCustomers(2, 700);

beforeAll(async () => {
  stack = await startLocalStack({ SEED_FILE: writeCustomerFile(customers) });
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

/** Writes an outbox message as a worker that died mid-send would have left it. */
async function leftSending(customerId: string, leaseUntil: number): Promise<void> {
  const db = createDocumentClient({ endpoint: inject('dynamodbEndpoint') });
  await db.send(
    new PutCommand({
      TableName: physicalName(stack.tablePrefix, 'outbox'),
      Item: {
        messageId: randomUUID(),
        kind: 'registration-completed',
        customerId,
        username: 'Barrido.Prueba',
        secondFactor: 'later',
        status: 'sending',
        leaseUntil,
        attempts: 0,
        createdAt: Date.now() - 20 * 60_000,
        ttl: Math.floor(Date.now() / 1000) + 86_400,
      },
    }),
  );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('outbox sweep', () => {
  it('a message stranded in sending is mailed exactly once; a live lease is left alone', async () => {
    // Prepare
    const [stranded, leased] = customers;
    if (!stranded || !leased) throw new Error('prepare');
    await leftSending(leased.customerId, Date.now() + 10 * 60_000);
    await leftSending(stranded.customerId, Date.now() - 1_000);

    // Act
    await api.waitForEmail(stranded.email);
    await pause(2_000); // eight more drain ticks

    // Assess
    const emails = await api.emails();
    expect(emails.filter((e) => e.to === stranded.email)).toHaveLength(1);
    expect(emails.filter((e) => e.to === stranded.email)[0]?.text).toContain('Barrido.Prueba');
    expect(emails.filter((e) => e.to === leased.email)).toHaveLength(0);
  });
});
