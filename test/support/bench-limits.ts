// Prints the cost of a sliding-window hit on DynamoDB Local: sequential latency, and a parallel burst on
// one key (how many pass, are refused, or fail closed). Usage:
//   npx tsx test/support/bench-limits.ts http://127.0.0.1:<port of a running DynamoDB Local>
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../lambdas/adapters/dynamodb/client.ts';
import { DynamoLimitStore } from '../../lambdas/adapters/dynamodb/limit-store.ts';

const endpoint = process.argv[2] ?? 'http://127.0.0.1:8000';
const table = `bench-limits-${Date.now()}`;
const admin = new DynamoDBClient({
  endpoint,
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
await admin.send(
  new CreateTableCommand({
    TableName: table,
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
const store = new DynamoLimitStore(createDocumentClient({ endpoint }), table);
const now = Date.now();
let began = performance.now();
for (let i = 0; i < 200; i++) await store.hit(`k${i % 20}`, 10, 60_000, now + i);
console.log(
  `sequential: ${((performance.now() - began) / 200).toFixed(1)} ms per hit (200 hits, 20 keys, max 10)`,
);
began = performance.now();
const burst = await Promise.all(
  Array.from({ length: 50 }, () => store.hit('burst', 10, 60_000, now).catch((e: Error) => e.name)),
);
const allowed = burst.filter((h) => typeof h !== 'string' && h.allowed).length;
const refused = burst.filter((h) => typeof h !== 'string' && !h.allowed).length;
const failed = burst.filter((h) => typeof h === 'string').length;
console.log(
  `parallel burst of 50 on one key (max 10): ${allowed} allowed, ${refused} refused, ${failed} failed closed, ${(performance.now() - began).toFixed(0)} ms`,
);
