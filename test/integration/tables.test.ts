// createTables against DynamoDB Local: every table the definitions name, with its TTL attribute and stream.
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTables } from '../../bin/local/tables.ts';
import { type TableName, tableDefinitions, tableNames } from '../../lambdas/tables.ts';
import { freshTables, type TestTables } from '../support/integration.ts';

describe('createTables', () => {
  let tables: TestTables;

  beforeAll(async () => {
    tables = await freshTables('tables');
  });

  it.each(tableNames)('creates %s with its key, TTL and stream as defined', async (name: TableName) => {
    // Prepare
    const definition = tableDefinitions[name];
    const TableName = tables.names[name];

    // Act
    const [{ Table }, { TimeToLiveDescription }] = await Promise.all([
      tables.admin.send(new DescribeTableCommand({ TableName })),
      tables.admin.send(new DescribeTimeToLiveCommand({ TableName })),
    ]);

    // Assess
    expect(Table?.KeySchema).toEqual([
      { AttributeName: definition.partitionKey, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
    ]);
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName)).toEqual(
      (definition.indexes ?? []).map((index) => index.name),
    );
    if (definition.ttlAttribute) {
      expect(TimeToLiveDescription).toMatchObject({
        TimeToLiveStatus: 'ENABLED',
        AttributeName: definition.ttlAttribute,
      });
    } else {
      expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    }
    if (definition.stream) {
      expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      expect(Table?.LatestStreamArn).toBeTruthy();
    } else {
      expect(Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    }
  });

  it('leaves existing tables as they are when run again', async () => {
    // Act
    const again = await createTables(tables.admin, tables.prefix);

    // Assess
    expect(again).toEqual(tables.names);
  });

  it('gives the TTL and stream to exactly the tables the definitions name', () => {
    // Assess: the definitions themselves, so that the per-table checks above cover the intended set
    expect(tableNames.filter((n) => tableDefinitions[n].stream)).toEqual(['outbox']);
    // The audit trail is append-only and kept: no TTL deletes an entry.
    expect(tableNames.filter((n) => !tableDefinitions[n].ttlAttribute)).toEqual(['customers', 'audit']);
    expect(tableNames.filter((n) => tableDefinitions[n].sortKey)).toEqual(['audit']);
    expect(tableNames.filter((n) => tableDefinitions[n].indexes)).toEqual(['users', 'signins']);
  });
});
