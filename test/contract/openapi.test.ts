// The checked-in OpenAPI document is generated from the route table and the handlers' zod schemas: it must
// be current, and it must describe exactly the routes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, openApiPath } from '../../bin/openapi.ts';
import { routes } from '../../lambdas/routes.ts';

describe('docs/openapi.json', () => {
  const checkedIn = JSON.parse(readFileSync(openApiPath, 'utf8'));

  it('is what `npm run openapi` generates today', () => {
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });

  it('has exactly one operation per route of the route table', () => {
    const documented = Object.entries(checkedIn.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('describes the step-1 body with the validator patterns', () => {
    const schema = checkedIn.paths['/v1/registrations'].post.requestBody.content['application/json'].schema;
    const card = schema.oneOf.find((s: any) => s.properties.type.const === 'card');
    expect(card.properties.pin.pattern).toBe('^\\d{4}$');
    expect(card.additionalProperties).toBe(false);
  });
});
