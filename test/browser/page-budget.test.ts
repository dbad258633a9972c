// What the page promises beyond its flows: size budget, strict CSP without inline code, own origin only,
// shuffled keypad, the security image files, and a layout that holds at 360 px.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityImages } from '../../lambdas/rules/catalog.ts';
import { buildWeb, mapsDirOf } from '../../web/build.ts';
import { contentSecurityPolicy } from '../../web/security-headers.ts';
import { ARTIFACTS, type Browser, openBrowser, shot } from './helpers/browser.ts';
import { startStack } from './helpers/stack.ts';
import { expectScreen } from './helpers/wizard.ts';

const PUBLIC = path.resolve('web/public');
const BUDGET = 60 * 1024;

describe('the built page', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'wizard-build-'));
    await buildWeb(out);
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(mapsDirOf(out), { recursive: true, force: true });
  });

  it('ships under 60 KB of JavaScript gzipped, its source map kept out of what is deployed', async () => {
    const files = readdirSync(out).filter((f) => f.endsWith('.js'));
    expect(files).toEqual(['app.js']);
    const js = await readFile(path.join(out, 'app.js'));
    const gzipped = gzipSync(js, { level: 9 }).length;
    await writeFile(
      path.join(ARTIFACTS, 'size.json'),
      JSON.stringify({ minified: js.length, gzipped, budget: BUDGET }, null, 2),
    ).catch(() => undefined);
    expect(gzipped).toBeLessThan(BUDGET);
    expect(js.toString()).not.toContain('sourceMappingURL');
    expect(readdirSync(out)).not.toContain('app.js.map');
    expect(readdirSync(mapsDirOf(out))).toEqual(['app.js.map']);
    expect(readdirSync(out)).toContain('index.html');
  });

  it('carries no trace of the local stack: its SMS viewer is linked only from the local build (issue 23 item 18)', async () => {
    const js = await readFile(path.join(out, 'app.js'), 'utf8');
    expect(js).not.toContain('/_local/');
    expect(js).not.toContain('ver los SMS enviados');
    const local = await mkdtemp(path.join(tmpdir(), 'wizard-build-local-'));
    try {
      await buildWeb(local, { local: true });
      expect(await readFile(path.join(local, 'app.js'), 'utf8')).toContain('/_local/sms');
    } finally {
      await rm(local, { recursive: true, force: true });
      await rm(mapsDirOf(local), { recursive: true, force: true });
    }
  });

  it('has no inline script, inline style or inline handler, and loads nothing from another host', () => {
    const texts = [
      readFileSync(path.join(PUBLIC, 'index.html'), 'utf8'),
      readFileSync(path.join(PUBLIC, 'images/logo.svg'), 'utf8'),
      ...securityImages.map((i) => readFileSync(path.join(PUBLIC, `images/security/${i.id}.svg`), 'utf8')),
    ];
    for (const text of texts) {
      expect(text).not.toMatch(/\sstyle\s*=/i);
      expect(text).not.toMatch(/\son[a-z]+\s*=/i);
      expect(text).not.toMatch(/<style/i);
      expect(text).not.toMatch(/(src|href)\s*=\s*["'](https?:)?\/\//i);
      for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        expect(m[1]).toMatch(/\ssrc=/);
        expect(m[2]?.trim()).toBe('');
      }
    }
    const css = readFileSync(path.join(PUBLIC, 'css/app.css'), 'utf8');
    expect(css).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//i);
  });

  it('has a distinct, titled SVG for every security image of the catalogue', () => {
    const seen = new Set<string>();
    for (const image of securityImages) {
      const svg = readFileSync(path.join(PUBLIC, `images/security/${image.id}.svg`), 'utf8');
      expect(svg).toContain(`<title id="t">${image.label}</title>`);
      expect(seen.has(svg)).toBe(false);
      seen.add(svg);
    }
  });
});

describe('the page in the browser', () => {
  let stack: { baseUrl: string; stop(): Promise<void> };
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack();
    browser = await openBrowser({ width: 360, height: 740 });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('is served under the strict CSP, requests only its own origin and raises no violation', async () => {
    const page = browser.page;
    const res = await page.goto(stack.baseUrl);
    expect(res?.headers()['content-security-policy']).toBe(contentSecurityPolicy);
    await expectScreen(page, 'Registro de usuario');
    await page.locator('button[data-kind="card"]').click();
    await expectScreen(page, 'Registro con tu tarjeta');
    const origin = new URL(stack.baseUrl).origin;
    expect(browser.requests.length).toBeGreaterThan(3);
    expect(browser.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin)).toEqual(
      [],
    );
    expect(browser.problems).toEqual([]);
  });

  it('fits 360 px without horizontal scrolling', async () => {
    const page = browser.page;
    for (const kind of ['card', 'company', 'virtual-key']) {
      await page.goto(stack.baseUrl);
      await page.locator(`button[data-kind="${kind}"]`).click();
      await page.getByRole('button', { name: 'Registrarse ahora' }).click();
      await page.locator('.alert:not([hidden])').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await shot(page, `budget-360-${kind}-validation`);
    }
  });

  it('shuffles the keypad every time it is shown', async () => {
    const page = browser.page;
    const orders = new Set<string>();
    for (let i = 0; i < 4; i++) {
      await page.goto(stack.baseUrl);
      await page.locator('button[data-kind="virtual-key"]').click();
      const digits = await page
        .locator('[data-keypad="pin"] [data-digit]')
        .evaluateAll((keys) => keys.map((k) => (k as HTMLElement).dataset.digit).join(''));
      expect([...digits].sort().join('')).toBe('0123456789');
      orders.add(digits);
    }
    // Four equal orders out of 10! would be a broken shuffle, not bad luck.
    expect(orders.size).toBeGreaterThan(1);
  });

  it('serves every security image as SVG', async () => {
    for (const image of securityImages) {
      const res = await fetch(`${stack.baseUrl}/images/security/${image.id}.svg`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    }
  });
});
