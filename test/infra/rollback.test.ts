// Issue 22, item 5: rollback that sees failures. Handlers answer exceptions with 500/503, which Lambda's
// Errors never counts, so every deployment group also watches its function's own 5xx count.
import { Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ERRORS_METRIC } from '../../lambdas/adapters/metrics.ts';
import {
  buildTemplates,
  functionTemplates,
  logicalIdOf,
  prodContext,
  resourceOfConstruct,
  resourcesOf,
  type Templates,
} from './app-fixture.ts';

describe('deployment groups roll back on 5xx answers (prod)', () => {
  let templates: Templates;

  beforeAll(() => {
    templates = buildTemplates({
      ...prodContext,
      backupCopyVaultArn: 'arn:aws:backup:us-east-1:210987654321:backup-vault:selfreg-copies',
    });
  });

  it("every deployment group watches its own function's ServerErrors alarm", () => {
    // Prepare
    const { built } = templates;
    const groups = functionTemplates(templates).flatMap((t) =>
      Object.entries(resourcesOf(t, 'AWS::CodeDeploy::DeploymentGroup')),
    );
    const namespace = built.service.namespace;

    // Act + Assess: one group per function, each with the alarm
    expect(groups).toHaveLength(Object.keys(built.service.functions).length);
    for (const [handler, fn] of Object.entries(built.service.functions)) {
      const group = resourceOfConstruct(built.service.deployments[handler] as never);
      const alarm = built.service.functionAlarms[handler]?.serverErrors;
      expect(alarm, handler).toBeDefined();
      expect(Stack.of(alarm as never)).toBe(Stack.of(fn));
      expect(group.Properties.AlarmConfiguration.Alarms, handler).toContainEqual({
        Name: { Ref: logicalIdOf(alarm as never) },
      });
      expect(resourceOfConstruct(alarm as never).Properties, handler).toMatchObject({
        Namespace: namespace,
        MetricName: SERVER_ERRORS_METRIC,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn.function) } }],
        Statistic: 'Sum',
        Period: 60,
        Threshold: 1,
      });
    }
  });

  it('every function publishes its metrics in the namespace the alarms read, and names a table its smoke call may read', () => {
    // Prepare
    const { built } = templates;

    // Act + Assess
    for (const [handler, fn] of Object.entries(built.service.functions)) {
      const variables = resourceOfConstruct(fn.function).Properties.Environment.Variables;
      expect(variables.METRICS_NAMESPACE, handler).toBe(built.service.namespace);
      const tables = Object.entries(fn.needs.tables);
      const readable = tables.filter(([, access]) => access.includes('GetItem')).map(([name]) => name);
      if (tables.length === 0) expect(variables.SMOKE_READ_TABLE, handler).toBeUndefined();
      else expect(readable, handler).toContain(variables.SMOKE_READ_TABLE);
    }
  });
});
