// Loads a customer directory file into the configured customers table (local or AWS), hashing PINs and
// keying identifiers with the service's own secrets as it goes. It wires the composition root to the
// adapters, so it lives with the tools (`npm run load-customers`, the local stack), not the adapters.
import { readFile } from 'node:fs/promises';
import { parseDirectoryFile } from '../lambdas/adapters/directory-file.ts';
import { writeDirectory } from '../lambdas/adapters/dynamodb/customer-directory.ts';
import { hasher } from '../lambdas/hashing.ts';
import { keyed } from '../lambdas/keys.ts';
import { config } from '../lambdas/runtime.ts';
import { db } from '../lambdas/storage.ts';

export async function loadDirectoryFile(path: string): Promise<{ customers: number; credentials: number }> {
  const records = parseDirectoryFile(await readFile(path, 'utf8'), path);
  return writeDirectory(db(), config.table('customers'), await keyed(), await hasher(), records);
}
