// The Service stack split into nested stacks (one per journey, messaging, assisted): what lives where, that
// each template refers only to what it holds or receives, that no dependency cycle runs through the parent,
// and the assisted-service API (IAM on every method, no WAF, never behind CloudFront).
import { NestedStack, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { assistedRoutes, routes, scheduledFunctions, streamConsumers } from '../../lambdas/routes.ts';
import {
  assistedApiName,
  assistedThrottling,
  type FunctionGroup,
  functionGroups,
} from '../../lib/service-stack.ts';
import {
  allTemplates,
  buildTemplates,
  devContext,
  logicalIdOf,
  prodContext,
  resourceOfConstruct,
  resourcesOf,
  type Templates,
} from './app-fixture.ts';

type Json = Record<string, any>;

/** Every Ref and Fn::GetAtt target in a piece of a template. */
function referencesIn(node: unknown): { refs: string[]; getAtts: string[] } {
  const refs: string[] = [];
  const getAtts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') refs.push(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) getAtts.push(String(inner[0]));
      else if (key === 'Fn::Sub' && typeof inner === 'string') {
        for (const match of inner.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g))
          refs.push(String(match[1]));
      }
      walk(inner);
    }
  };
  walk(node);
  return { refs, getAtts };
}

/** A cycle among a template's resources (Ref, Fn::GetAtt, DependsOn), as a path, or undefined. */
function cycleIn(template: Template): string[] | undefined {
  const resources = template.toJSON().Resources as Record<string, Json>;
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const { refs, getAtts } = referencesIn({ ...resource, DependsOn: undefined });
    const dependsOn = [resource.DependsOn ?? []].flat() as string[];
    edges.set(
      id,
      [...refs, ...getAtts, ...dependsOn].filter((target) => target in resources && target !== id),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe.each([
  ['prod', prodContext],
  ['dev', devContext],
])('nested stacks of the Service stack (%s)', (_stage, context) => {
  let templates: Templates;

  beforeAll(() => {
    // Prepare
    templates = buildTemplates(context);
  });

  it('puts each journey, the messaging functions and the assisted service in a nested stack of their own', () => {
    // Prepare
    const { service } = templates.built;
    const expected: [string, FunctionGroup][] = [
      ...routes.map((route): [string, FunctionGroup] => [route.handler, route.journey]),
      ...streamConsumers.map((consumer): [string, FunctionGroup] => [consumer.handler, 'messaging']),
      ...scheduledFunctions.map((scheduled): [string, FunctionGroup] => [scheduled.handler, 'messaging']),
      ...assistedRoutes.map((route): [string, FunctionGroup] => [route.handler, 'assisted']),
    ];

    // Act + Assess
    expect(Object.keys(service.nestedStacks).sort()).toEqual([...functionGroups].sort());
    expect(Object.keys(service.functions).sort()).toEqual(expected.map(([handler]) => handler).sort());
    for (const [handler, group] of expected) {
      const fn = service.functions[handler];
      expect(fn, handler).toBeDefined();
      expect(Stack.of(fn as never), handler).toBe(service.nestedStacks[group]);
    }
    // The Service stack keeps no service function: only the deploy hook (and a custom-resource provider).
    const own = Object.values(resourcesOf(templates.service, 'AWS::Lambda::Function')).map((fn) =>
      JSON.stringify(fn.Properties.Description ?? ''),
    );
    expect(own.filter((description) => description.includes('Self-registration: '))).toEqual([]);
  });

  it("keeps each function's alias, deployment group and rollback alarms in the function's stack", () => {
    // Prepare
    const { service } = templates.built;

    // Act + Assess
    for (const [handler, fn] of Object.entries(service.functions)) {
      const stack = Stack.of(fn);
      expect(NestedStack.isNestedStack(stack), handler).toBe(true);
      const group = service.deployments[handler];
      expect(group && Stack.of(group), handler).toBe(stack);
      expect(Stack.of(fn.alias)).toBe(stack);
      const alarms = service.observability.deploymentAlarms[handler] ?? [];
      expect(alarms, handler).toHaveLength(3);
      for (const alarm of alarms) expect(Stack.of(alarm), `${handler} ${alarm.node.id}`).toBe(stack);
      // The alias's UpdatePolicy names the group of the same template.
      const alias = resourceOfConstruct(fn.alias);
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({
        Ref: logicalIdOf(group as never),
      });
    }
  });

  it("names every function and role after the Service stack, as the secrets' exact ARNs and the hook's pattern expect", () => {
    // Prepare
    const { service } = templates.built;
    const secretPolicy = JSON.stringify(resourcesOf(templates.data, 'AWS::SecretsManager::ResourcePolicy'));
    const hookPolicy = JSON.stringify(resourcesOf(templates.service, 'AWS::IAM::Policy'));

    // Act + Assess
    // Exact role ARNs, never a pattern (go-live review, finding 2).
    expect(secretPolicy).not.toContain(`:role/${service.stackName}-*`);
    expect(secretPolicy).toContain(`:role/${service.stackName}-start-registration"`);
    expect(hookPolicy).toContain(`:function:${service.stackName}-*`);
    for (const [handler, fn] of Object.entries(service.functions)) {
      const name = `${service.stackName}-${handler}`;
      expect(name.length).toBeLessThanOrEqual(64);
      expect(resourceOfConstruct(fn.function).Properties.FunctionName).toBe(name);
      expect(resourceOfConstruct(fn.role).Properties.RoleName).toBe(name);
    }
  });

  it('every nested template refers only to its own resources and parameters (UpdatePolicy included)', () => {
    for (const group of functionGroups) {
      // Prepare
      const template = templates.nested[group].toJSON() as Json;
      const resources = new Set(Object.keys(template.Resources));
      const parameters = new Set(Object.keys(template.Parameters ?? {}));

      // Act
      const { refs, getAtts } = referencesIn({
        Resources: template.Resources,
        Outputs: template.Outputs,
      });

      // Assess
      for (const ref of refs) {
        if (ref.startsWith('AWS::')) continue;
        expect(resources.has(ref) || parameters.has(ref), `${group}: Ref ${ref}`).toBe(true);
      }
      for (const target of getAtts) expect(resources.has(target), `${group}: GetAtt ${target}`).toBe(true);
    }
  });

  it('no dependency cycle runs through the Service stack and its nested stacks', () => {
    // Act + Assess: a nested stack is one resource of the parent, with its parameters and outputs as edges
    for (const [name, template] of allTemplates(templates)) expect(cycleIn(template), name).toBeUndefined();
  });

  it('the cycle check finds a cycle', () => {
    // Prepare
    const template = {
      toJSON: () => ({
        Resources: {
          A: { Type: 'X', Properties: { P: { Ref: 'B' } } },
          B: { Type: 'X', Properties: { P: { 'Fn::GetAtt': ['C', 'Arn'] } } },
          C: { Type: 'X', DependsOn: ['A'] },
        },
      }),
    } as unknown as Template;

    // Act + Assess
    expect(cycleIn(template)).toEqual(['A', 'B', 'C', 'A']);
  });
});

describe('the assisted-service API (prod)', () => {
  let templates: Templates;
  let assisted: Template;

  beforeAll(() => {
    // Prepare
    templates = buildTemplates(prodContext);
    assisted = templates.nested.assisted;
  });

  it('is a private REST API of its own, in the Assisted nested stack, with TLS 1.2+ and strict SNI', () => {
    // Act
    const apis = Object.values(resourcesOf(assisted, 'AWS::ApiGateway::RestApi'));

    // Assess
    expect(apis).toHaveLength(1);
    expect(apis[0]?.Properties).toMatchObject({
      Name: assistedApiName('prod'),
      // Behind the bank's execute-api VPC endpoint (go-live review, finding 6; test/infra/go-live.test.ts).
      EndpointConfiguration: { Types: ['PRIVATE'], VpcEndpointIds: [prodContext.assistedVpcEndpointId] },
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    expect(Object.values(resourcesOf(templates.service, 'AWS::ApiGateway::RestApi'))).toHaveLength(1);
    expect(JSON.stringify(resourcesOf(templates.service, 'AWS::ApiGateway::RestApi'))).not.toContain(
      'assisted',
    );
  });

  it('has AWS_IAM on every method, one method per assisted route, each integrated with its live alias', () => {
    // Act
    const methods = Object.values(resourcesOf(assisted, 'AWS::ApiGateway::Method')).map(
      (method) => method.Properties as Json,
    );

    // Assess
    expect(methods).toHaveLength(assistedRoutes.length);
    for (const method of methods) {
      expect(method.AuthorizationType).toBe('AWS_IAM');
      expect(method.Integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(method.Integration.Uri)).toMatch(/Live/);
    }
    expect(methods.map((method) => method.HttpMethod).sort()).toEqual(
      assistedRoutes.map((route) => route.method).sort(),
    );
  });

  it('is throttled, logs access to a log group of its own with retention, and never logs bodies', () => {
    // Act
    const stage = Object.values(resourcesOf(assisted, 'AWS::ApiGateway::Stage'))[0]?.Properties as Json;

    // Assess
    expect(stage.StageName).toBe('prod');
    expect(stage.MethodSettings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: assistedThrottling.rateLimit,
          ThrottlingBurstLimit: assistedThrottling.burstLimit,
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
        }),
      ]),
    );
    expect(assistedThrottling.rateLimit).toBeLessThanOrEqual(10);
    const destination = JSON.stringify(stage.AccessLogSetting.DestinationArn);
    const groups = Object.entries(resourcesOf(assisted, 'AWS::Logs::LogGroup')).filter(([id]) =>
      destination.includes(id),
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties.RetentionInDays).toBe(365);
    // Not the public API's access log group.
    expect(destination).not.toContain(logicalIdOf(templates.built.service.api));
  });

  it("logs execution errors only after the account's CloudWatch role exists (the public API brings it)", () => {
    // Prepare
    const { service } = templates.built;
    const account = service.api.node.findChild('Account');
    const nested = service.nestedStacks.assisted?.nestedStackResource;

    // Act
    const resource = templates.service.toJSON().Resources[service.getLogicalId(nested as never)];

    // Assess
    expect([resource.DependsOn ?? []].flat()).toContain(logicalIdOf(account));
  });

  it('is never associated with the public web ACL, nor any web ACL', () => {
    // Act
    const associations = allTemplates(templates).flatMap(([name, template]) =>
      Object.values(resourcesOf(template, 'AWS::WAFv2::WebACLAssociation')).map(
        (association) => [name, JSON.stringify(association.Properties.ResourceArn)] as const,
      ),
    );

    // Assess: one association, the public API's stage, in the Service stack
    expect(associations).toHaveLength(1);
    expect(associations[0]?.[0]).toBe('service');
    const publicStage = logicalIdOf(templates.built.service.api.deploymentStage);
    expect(associations[0]?.[1]).toContain(publicStage);
    expect(JSON.stringify(resourcesOf(assisted, 'AWS::WAFv2::WebACLAssociation'))).toBe('{}');
  });

  it('is no CloudFront origin: the distribution points at the public API only', () => {
    // Prepare
    const publicApiId = logicalIdOf(templates.built.service.api);
    const assistedApiId = logicalIdOf(templates.built.service.assistedApi);

    // Act
    const distribution = Object.values(resourcesOf(templates.web, 'AWS::CloudFront::Distribution'))[0]
      ?.Properties as Json;
    const origins = JSON.stringify(distribution.DistributionConfig.Origins);

    // Assess
    expect(origins).toContain(publicApiId);
    expect(JSON.stringify(templates.web.toJSON())).not.toContain(assistedApiId);
    expect(JSON.stringify(templates.web.toJSON()).toLowerCase()).not.toContain('assisted');
  });

  it('publishes its URL as the AssistedApiUrl output of the Service stack', () => {
    // Act
    const outputs = templates.service.toJSON().Outputs as Json;

    // Assess
    expect(outputs.AssistedApiUrl).toBeDefined();
    expect(JSON.stringify(outputs.AssistedApiUrl.Value)).toContain('Assisted');
    expect(outputs.ApiUrl).toBeDefined();
  });
});
