// Starts the local stack the browser tests drive, with this folder's customers (one per test, so per-phone
// SMS limits and the one-user-per-customer rule never couple two tests).
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startLocalStack } from '../../support/local-stack.ts';
import { type Browser, openBrowser } from './browser.ts';

export const SEED_FILE = path.resolve('test/browser/fixtures/customers.json');

export async function startStack(
  env: Record<string, string> = {},
): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  return startLocalStack({ SEED_FILE, ...env });
}

export interface BrowserSuite {
  stack: { baseUrl: string; stop(): Promise<void> };
  browser: Browser;
}

/**
 * The hooks every wizard test file shares: one stack and one browser for the file, and after each test no
 * request off the page's origin and no page error or CSP violation. Read `stack` and `browser` inside tests.
 */
export function useBrowserSuite(
  env: Record<string, string> = {},
  browser: { bypassCSP?: boolean } = {},
): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    suite.stack = await startStack(env);
    suite.browser = await openBrowser(undefined, browser);
  });
  afterEach(() => {
    const origin = new URL(suite.stack.baseUrl).origin;
    expect(suite.browser.requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
    expect(suite.browser.problems).toEqual([]);
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.stack?.stop();
  });
  return suite;
}
