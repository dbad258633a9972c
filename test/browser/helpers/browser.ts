// Debian's Chromium driven by playwright-core, as in docs/TOOLCHAIN.md: a fresh profile per browser, every
// request recorded so a test can prove the page talks to its own origin only, screenshots under
// test-artifacts/browser.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const ARTIFACTS = path.resolve('test-artifacts/browser');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page requested, in order. */
  requests: string[];
  /** Console errors and CSP violations reported by the page. */
  problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export const PHONE = { width: 390, height: 844 };

/**
 * `bypassCSP` is for the accessibility audit only: the page's CSP rightly blocks the axe script it injects.
 * Every other test keeps the CSP on, so a violation still fails it.
 */
export async function openBrowser(viewport = PHONE, opts: { bypassCSP?: boolean } = {}): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'wizard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    bypassCSP: opts.bypassCSP ?? false,
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    viewport,
    locale: 'es-EC',
    timezoneId: 'America/Guayaquil',
  });
  const requests: string[] = [];
  const problems: string[] = [];
  const watch = (page: Page): Page => {
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      // A 4xx answer is part of the tested flows; Chromium logs each one as a console error.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    return page;
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  return {
    context,
    page,
    requests,
    problems,
    newPage: async () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** What the customer sees on the phone screen (no scrolling): the README's screenshots. */
export async function viewShot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}
