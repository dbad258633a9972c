// Loads a customer directory file into the configured customers table (local or AWS), hashing PINs and
// keying identifiers with the service's own secrets as it goes.
import { readFile } from 'node:fs/promises';
import { hasher } from '../hashing.ts';
import { keyed } from '../keys.ts';
import { config } from '../runtime.ts';
import { db } from '../storage.ts';
import { parseDirectoryFile } from './directory-file.ts';
import { writeDirectory } from './dynamodb/customer-directory.ts';

export async function loadDirectoryFile(path: string): Promise<{ customers: number; credentials: number }> {
  const records = parseDirectoryFile(await readFile(path, 'utf8'), path);
  return writeDirectory(db(), config.table('customers'), await keyed(), await hasher(), records);
}
