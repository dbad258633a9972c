// cdk-nag's AwsSolutions pack over the whole app of each stage: zero findings left, and every
// acknowledgement carries a reason and comes from lib/nag-acknowledgements.ts alone.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../lib/service-function.ts';
import { buildApp, devContext, prodContext } from './app-fixture.ts';

describe.each([
  ['dev', devContext],
  ['prod', prodContext],
])('cdk-nag AwsSolutions (%s)', (_stage, context) => {
  let app: App;

  beforeAll(() => {
    // Prepare
    ({ app } = buildApp(context));
  });

  it('reports no error and no warning', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    const findings = report.violations.map(
      (violation) =>
        `${violation.severity} ${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement has a reason of its own', () => {
    // Act
    const acknowledgements = app.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .filter(([id]) => id.includes('AwsSolutions-'));

    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });
});

describe('acknowledgements', () => {
  it('are all written in lib/nag-acknowledgements.ts', () => {
    // Prepare
    const lib = join(projectRoot, 'lib');

    // Act
    const others = readdirSync(lib, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && file !== 'nag-acknowledgements.ts')
      .filter((file) => /\.acknowledge\(/.test(readFileSync(join(lib, file), 'utf8')));

    // Assess
    expect(others).toEqual([]);
  });
});
