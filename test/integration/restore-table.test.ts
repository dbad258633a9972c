// Issue 22, item 12: a restore creates a new table, and `npm run restore-table` copies it back into the
// original (bin/restore/copy-back.ts): on DynamoDB Local, the original (a real table of the service, with its
// TTL) ends up holding exactly the restored items, values untouched, and keeps its TTL.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { copyBack } from '../../bin/restore/copy-back.ts';
import { tableDefinitions } from '../../lambdas/tables.ts';
import { adminClient, freshTables, type TestTables } from '../support/integration.ts';

type Item = Record<string, AttributeValue>;

/** A table as a restore makes it: the original's key, and none of its TTL, stream or indexes. */
async function restoredTable(tables: TestTables, name: 'users' | 'audit'): Promise<string> {
  const { partitionKey, sortKey } = tableDefinitions[name];
  const TableName = `${tables.prefix}${name}-restored-${randomUUID().slice(0, 4)}`;
  await tables.admin.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, ...(sortKey ? [sortKey] : [])].map((AttributeName) => ({
        AttributeName,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
      ],
    }),
  );
  return TableName;
}

const put = (tables: TestTables, table: string, items: Item[]) =>
  Promise.all(items.map((Item) => tables.admin.send(new PutItemCommand({ TableName: table, Item }))));

async function itemsOf(tables: TestTables, table: string): Promise<Item[]> {
  const { Items = [] } = await tables.admin.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

const future = String(Math.floor(Date.now() / 1000) + 86_400);
const user = (pk: string, extra: Item = {}): Item => ({
  pk: { S: pk },
  userId: { S: `U-${pk}` },
  ttl: { N: future },
  ...extra,
});

describe('copying a restored table back into the original', () => {
  let tables: TestTables;
  let restored: string;

  beforeEach(async () => {
    // Prepare: the restore point held u1, u2 and u3; since then a bad write changed u1, deleted u3, added u4
    tables = await freshTables('restore');
    restored = await restoredTable(tables, 'users');
    await put(tables, restored, [
      user('CUSTOMER#1', { status: { S: 'active' } }),
      // Values a document client would change: a number beyond 2^53, a string set, bytes.
      user('CUSTOMER#2', { big: { N: '123456789012345678901234567890' }, tags: { SS: ['a', 'b'] } }),
      user('CUSTOMER#3', { blob: { B: new Uint8Array([0, 1, 254, 255]) }, ttl: { N: '1000' } }),
    ]);
    await put(tables, tables.names.users, [
      user('CUSTOMER#1', { status: { S: 'disabled' } }),
      user('CUSTOMER#2', { big: { N: '123456789012345678901234567890' }, tags: { SS: ['a', 'b'] } }),
      user('CUSTOMER#4'),
    ]);
  });

  it('leaves the original holding exactly the restored items, and its TTL on', async () => {
    // Act
    const report = await copyBack(adminClient(), { from: restored, to: tables.names.users, segments: 2 });

    // Assess
    expect(await itemsOf(tables, tables.names.users)).toEqual(await itemsOf(tables, restored));
    expect(report).toEqual({
      from: restored,
      to: tables.names.users,
      written: 3,
      removed: 1,
      itemsAfter: 3,
      timeToLive: 'ENABLED on ttl',
      dryRun: false,
    });
    const ttl = await tables.admin.send(new DescribeTimeToLiveCommand({ TableName: tables.names.users }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
  });

  it('a dry run counts and writes nothing', async () => {
    // Prepare
    const before = await itemsOf(tables, tables.names.users);

    // Act
    const report = await copyBack(adminClient(), { from: restored, to: tables.names.users, dryRun: true });

    // Assess
    expect(report).toMatchObject({ written: 3, removed: 1, itemsAfter: 3, dryRun: true });
    expect(await itemsOf(tables, tables.names.users)).toEqual(before);
  });

  it('copies a table with a sort key by its whole key', async () => {
    // Prepare: two entries of one customer's trail, and one written after the restore point
    const restoredAudit = await restoredTable(tables, 'audit');
    const entry = (eventId: string): Item => ({ customerId: { S: 'C-1' }, eventId: { S: eventId } });
    await put(tables, restoredAudit, [entry('e1'), entry('e2')]);
    await put(tables, tables.names.audit, [entry('e1'), entry('e3')]);

    // Act
    const report = await copyBack(adminClient(), { from: restoredAudit, to: tables.names.audit });

    // Assess
    expect(await itemsOf(tables, tables.names.audit)).toEqual([entry('e1'), entry('e2')]);
    expect(report).toMatchObject({ written: 2, removed: 1, itemsAfter: 2 });
  });

  it('refuses tables whose keys differ, or the same table twice, before writing anything', async () => {
    // Prepare
    const before = await itemsOf(tables, tables.names.users);

    // Act
    const differentKeys = await copyBack(adminClient(), {
      from: tables.names.audit,
      to: tables.names.users,
    }).catch((error: Error) => error.message);
    const sameTable = await copyBack(adminClient(), {
      from: tables.names.users,
      to: tables.names.users,
    }).catch((error: Error) => error.message);

    // Assess
    expect(differentKeys).toMatch(/keys differ/);
    expect(sameTable).toMatch(/same table/);
    expect(await itemsOf(tables, tables.names.users)).toEqual(before);
  });

  it('runs as `npm run restore-table` with the endpoint from the environment and prints its report', async () => {
    // Act
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'bin/restore-table.ts', '--from', restored, '--to', tables.names.users],
      { env: { ...process.env, DYNAMODB_ENDPOINT: inject('dynamodbEndpoint') } },
    );

    // Assess
    expect(JSON.parse(stdout)).toMatchObject({ written: 3, removed: 1, itemsAfter: 3 });
    expect(await itemsOf(tables, tables.names.users)).toEqual(await itemsOf(tables, restored));
  });
});
