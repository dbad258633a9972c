// The last step of a restore (docs/DEPLOYMENT.md, "Restoring data"): DynamoDB restores only into a new table,
// and the stacks, their grants, alarms, TTL, stream, PITR and backups all name the original one. So the
// restored items are copied back into the original table, which ends up holding exactly what the restored
// table holds: every restored item written as it is, every item the restored table lacks deleted.
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ScanCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

export interface CopyBackReport {
  from: string;
  to: string;
  /** Restored items written into the original table (all of them, changed or not). */
  written: number;
  /** Items of the original table the restored one does not hold (written after the restore point). */
  removed: number;
  /** Items the original table holds at the end (a count, read again). */
  itemsAfter: number;
  /** The original table's TTL, which a restored table does not carry and the copy keeps. */
  timeToLive: string;
  dryRun: boolean;
}

export interface CopyBackOptions {
  from: string;
  to: string;
  /** Count what would be written and removed, and write nothing. */
  dryRun?: boolean;
  /** Parallel scan segments (default 4). */
  segments?: number;
  log?: (line: string) => void;
}

/** The key attributes of a table, in schema order, with their types: both tables must have the same. */
async function keySchemaOf(client: DynamoDBClient, table: string): Promise<string[]> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  const types = new Map((Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  return (Table?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}:${types.get(k.AttributeName)}`);
}

/** Every item of a table, page by page, with consistent reads over `segments` parallel scans. */
async function scanAll(
  client: DynamoDBClient,
  table: string,
  segments: number,
  onPage: (items: Item[]) => Promise<void>,
  projection?: string[],
): Promise<void> {
  await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let start: Item | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            ConsistentRead: true,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: start,
            ...(projection
              ? {
                  ProjectionExpression: projection.map((_, i) => `#k${i}`).join(', '),
                  ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#k${i}`, name])),
                }
              : {}),
          }),
        );
        await onPage(page.Items ?? []);
        start = page.LastEvaluatedKey;
      } while (start);
    }),
  );
}

/** Writes requests 25 at a time, retrying what DynamoDB leaves unprocessed with a growing pause. */
async function batchWrite(client: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === 10)
        throw new Error(`${table}: ${pending.length} writes still unprocessed after 10 tries`);
      if (attempt > 0) await new Promise((done) => setTimeout(done, Math.min(50 * 2 ** attempt, 5_000)));
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = result.UnprocessedItems?.[table] ?? [];
    }
  }
}

const countOf = async (client: DynamoDBClient, table: string): Promise<number> => {
  let count = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: table, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
};

/**
 * Makes `to` hold exactly the items of `from`. Run it only while the stage is frozen: a write into `to` during
 * the copy could be kept or lost.
 */
export async function copyBack(client: DynamoDBClient, options: CopyBackOptions): Promise<CopyBackReport> {
  const { from, to } = options;
  const segments = options.segments ?? 4;
  const log = options.log ?? (() => undefined);
  if (from === to) throw new Error('the restored table and the original table are the same table');
  const [fromKey, toKey] = await Promise.all([keySchemaOf(client, from), keySchemaOf(client, to)]);
  if (fromKey.join() !== toKey.join()) {
    throw new Error(
      `the tables' keys differ: ${from} has ${fromKey.join(', ')}, ${to} has ${toKey.join(', ')}`,
    );
  }
  const keyNames = toKey.map((k) => k.split(':')[0] as string);
  const keyOf = (item: Item): string => JSON.stringify(keyNames.map((name) => item[name]));

  // The original table's keys first: what is left of them after the copy is what the restore point lacks.
  const stale = new Map<string, Item>();
  await scanAll(
    client,
    to,
    segments,
    async (items) => {
      for (const item of items) stale.set(keyOf(item), item);
    },
    keyNames,
  );
  log(`${to}: ${stale.size} items before the copy`);

  let written = 0;
  await scanAll(client, from, segments, async (items) => {
    for (const item of items) stale.delete(keyOf(item));
    if (!options.dryRun) {
      await batchWrite(
        client,
        to,
        items.map((Item) => ({ PutRequest: { Item } })),
      );
    }
    written += items.length;
  });
  log(`${from}: ${written} items ${options.dryRun ? 'to write' : 'written'} into ${to}`);

  const removed = [...stale.values()];
  if (!options.dryRun) {
    await batchWrite(
      client,
      to,
      removed.map((Key) => ({ DeleteRequest: { Key } })),
    );
  }
  log(`${to}: ${removed.length} items the restore point lacks ${options.dryRun ? 'to remove' : 'removed'}`);

  const ttl = (await client.send(new DescribeTimeToLiveCommand({ TableName: to }))).TimeToLiveDescription;
  return {
    from,
    to,
    written,
    removed: removed.length,
    itemsAfter: await countOf(client, to),
    timeToLive: ttl?.AttributeName ? `${ttl.TimeToLiveStatus} on ${ttl.AttributeName}` : 'DISABLED',
    dryRun: options.dryRun === true,
  };
}
