// docs/API.md is the contract in the project's own words: every route of the route table is in it, and it
// names every error code the handlers can answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assistedActions, assistedRoutes, routes } from '../../lambdas/routes.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'API.md'), 'utf8');

describe('docs/API.md', () => {
  it.each(routes.map((route) => [`${route.method} ${route.path}`]))('documents %s', (route) => {
    expect(doc).toContain(`\`${route}\``);
  });

  it.each(assistedRoutes.map((route) => [`${route.method} ${route.path}`]))(
    'documents the assisted-service route %s',
    (route) => {
      expect(doc).toContain(`\`${route}\``);
    },
  );

  it('documents every staff action and its CLI command', () => {
    for (const action of assistedActions) {
      expect(doc, action).toContain(`\`${action}\``);
      expect(doc, action).toContain(`npm run agent -- ${action}`);
    }
  });

  it('names every error code the API can answer', () => {
    const source = readFileSync(
      join(import.meta.dirname, '..', '..', 'lambdas', 'rules', 'errors.ts'),
      'utf8',
    );
    const union = /export type ErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
    const codes = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(15);
    for (const code of codes) expect(doc, code).toContain(`\`${code}\``);
  });

  it('links nothing outside the repository', () => {
    expect(doc).not.toMatch(/\]\((https?:|\.\.\/\.\.)/);
    expect(doc).not.toContain('../shared');
  });
});
