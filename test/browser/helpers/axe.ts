// The accessibility audit every screen passes: axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules, on
// desktop and at 360 px, with no violation and no colour contrast axe could not decide. The page must come
// from a browser opened with `bypassCSP` (openBrowser), or the CSP keeps axe out. Reusable for any page of
// the web app: audit(page, 'name') after the screen is shown.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { viewShot } from './browser.ts';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const DESKTOP = { width: 1280, height: 800 };
export const NARROW = { width: 360, height: 740 };

interface Finding {
  rule: string;
  targets: string[];
  summary: string;
}

const describeResults = (results: { id: string; nodes: { target: unknown; failureSummary?: string }[] }[]) =>
  results.map(
    (r): Finding => ({
      rule: r.id,
      targets: r.nodes.map((n) => JSON.stringify(n.target)),
      summary: r.nodes[0]?.failureSummary ?? '',
    }),
  );

/** Runs axe on the page at desktop width and at 360 px; leaves the page at its original size. */
export async function audit(page: Page, name: string): Promise<void> {
  const original = page.viewportSize();
  try {
    for (const [label, size] of [
      ['desktop', DESKTOP],
      ['360', NARROW],
    ] as const) {
      await page.setViewportSize(size);
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      const violations = describeResults(results.violations);
      // "incomplete" is what axe could not decide; contrast is the one it must always be able to decide here.
      const undecided = describeResults(results.incomplete.filter((r) => r.id === 'color-contrast'));
      if (violations.length || undecided.length) await viewShot(page, `axe-${name}-${label}`);
      expect({ screen: name, width: label, violations, undecided }).toEqual({
        screen: name,
        width: label,
        violations: [],
        undecided: [],
      });
      // Nothing may need horizontal scrolling at 360 px (WCAG 1.4.10 reflow).
      if (label === '360') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect({ screen: name, overflow }).toEqual({ screen: name, overflow: 0 });
      }
    }
  } finally {
    if (original) await page.setViewportSize(original);
  }
}
