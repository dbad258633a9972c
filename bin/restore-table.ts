// Copies a restored table back into the original one (docs/DEPLOYMENT.md, "Restoring data", step 5): the
// original ends up holding exactly the restored items, and keeps its TTL, stream, backups, alarms and grants.
//   AWS:   AWS_REGION=<region> npm run restore-table -- --from <table>-restored --to <table> [--dry-run]
//   Local: DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm run restore-table -- --from a --to b
// Run it only while the whole stage is frozen. It prints a JSON report; exit 1 on any failure.
import { parseArgs } from 'node:util';
import { createDynamoClient } from '../lambdas/adapters/dynamodb/client.ts';
import { parseConfig } from '../lambdas/config.ts';
import { copyBack } from './restore/copy-back.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    segments: { type: 'string', default: '4' },
  },
});
if (!values.from || !values.to) {
  process.stderr.write(
    'usage: npm run restore-table -- --from <restored table> --to <original table> [--dry-run] [--segments 4]\n',
  );
  process.exit(2);
}

const client = createDynamoClient({ endpoint: parseConfig(process.env).dynamodbEndpoint });
try {
  const report = await copyBack(client, {
    from: values.from,
    to: values.to,
    dryRun: values['dry-run'],
    segments: Number(values.segments),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
