// Loads a customer directory file into any DynamoDB, hashing PINs and keying card numbers as it goes.
//   AWS:   CUSTOMERS_TABLE=<table> HMAC_SECRET_ARN=<arn> PEPPER_SECRET_ARN=<arn> AWS_REGION=<region> \
//          npm run load-customers -- --file customers.json
//   Local: DYNAMODB_ENDPOINT=http://127.0.0.1:8000 CUSTOMERS_TABLE=local-customers \
//          LOCAL_SECRETS_FILE=.local/secrets.json npm run load-customers -- --file customers.json
// A malformed file is refused before anything is written, with a message that names the record and field.
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { file: { type: 'string', short: 'f' } } });
if (!values.file) {
  process.stderr.write(
    'usage: npm run load-customers -- --file customers.json (see the header of bin/load-customers.ts)\n',
  );
  process.exit(2);
}

try {
  const { loadDirectoryFile } = await import('./directory-loader.ts');
  const loaded = await loadDirectoryFile(values.file);
  process.stdout.write(
    `Loaded ${loaded.customers} customers and ${loaded.credentials} credentials from ${values.file}\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit((error as Error).name === 'DirectoryFileError' ? 2 : 1);
}
