// Starts the local stack the browser tests drive, with this folder's customers (one per test, so per-phone
// SMS limits and the one-user-per-customer rule never couple two tests).
import path from 'node:path';
import { startLocalStack } from '../../support/local-stack.ts';

export const SEED_FILE = path.resolve('test/browser/fixtures/customers.json');

export async function startStack(
  env: Record<string, string> = {},
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  return startLocalStack({ SEED_FILE, ...env });
}
