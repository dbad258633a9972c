// The counts the runbooks state are read from the code here, so they stay true (second audit, finding 8).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routes } from '../../lambdas/routes.ts';
import { tableNames } from '../../lambdas/tables.ts';

const root = join(import.meta.dirname, '..', '..');
const doc = (path: string) => readFileSync(join(root, path), 'utf8');
const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

describe('counts in docs/DEPLOYMENT.md and docs/SAM-LOCAL.md', () => {
  const hashing = routes.filter((route) => route.needs.hashes).map((route) => route.handler);

  it('SAM-LOCAL names every function that bundles argon2, and says how many', () => {
    const line = doc('docs/SAM-LOCAL.md')
      .split('\n')
      .find((text) => text.includes('node_modules/argon2'));
    expect(line).toContain(`the ${words[hashing.length]} functions that hash`);
    for (const handler of hashing) expect(line).toContain(`\`${handler}\``);
  });

  it('the latency alarm row names every argon2 step, and the table rows say how many tables', () => {
    const runbook = doc('docs/DEPLOYMENT.md');
    const latency = runbook.split('\n').find((text) => text.startsWith('| `<Fn>LatencyP99`'));
    for (const handler of hashing) expect(latency).toContain(`\`${handler}\``);
    expect(runbook).toContain(`(each of the ${words[tableNames.length]} tables)`);
  });

  it('events/ holds exactly one event per route, as SAM-LOCAL says', () => {
    expect(doc('docs/SAM-LOCAL.md')).toContain('one API Gateway REST proxy event (payload 1.0) per route');
    expect(readdirSync(join(root, 'events')).sort()).toEqual(
      routes.map((route) => `${route.handler}.json`).sort(),
    );
  });
});
