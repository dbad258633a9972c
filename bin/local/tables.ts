// Creates the service's tables in any DynamoDB (Local or AWS) from the same definitions the CDK stack uses.
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type TableName, tableDefinitions, tableNames } from '../../lambdas/tables.ts';

export const physicalName = (prefix: string, name: TableName): string => `${prefix}${name}`;

/** Creates each missing table with its key, stream and TTL; an existing table is left as it is. */
export async function createTables(
  client: DynamoDBClient,
  prefix: string,
): Promise<Record<TableName, string>> {
  const names = {} as Record<TableName, string>;
  for (const name of tableNames) {
    const definition = tableDefinitions[name];
    const TableName = physicalName(prefix, name);
    names[name] = TableName;
    try {
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: definition.partitionKey, AttributeType: 'S' },
            ...(definition.sortKey
              ? [{ AttributeName: definition.sortKey, AttributeType: 'S' as const }]
              : []),
            ...(definition.indexes ?? []).flatMap((index) => [
              { AttributeName: index.partitionKey, AttributeType: 'S' as const },
              { AttributeName: index.sortKey, AttributeType: 'N' as const },
            ]),
          ],
          KeySchema: [
            { AttributeName: definition.partitionKey, KeyType: 'HASH' },
            ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' as const }] : []),
          ],
          ...(definition.indexes?.length
            ? {
                GlobalSecondaryIndexes: definition.indexes.map((index) => ({
                  IndexName: index.name,
                  KeySchema: [
                    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
                  ],
                  Projection: { ProjectionType: 'ALL' as const },
                })),
              }
            : {}),
          ...(definition.stream
            ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }
            : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      continue;
    }
    await client.send(new DescribeTableCommand({ TableName }));
    if (definition.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: definition.ttlAttribute },
        }),
      );
    }
  }
  return names;
}
