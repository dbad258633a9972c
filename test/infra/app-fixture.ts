// Builds the CDK app for template tests: real handler entries, no bundling, and a one-file site directory.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { createApp, type SelfRegistrationApp } from '../../lib/app.ts';
import { projectRoot } from '../../lib/service-function.ts';
import { type FunctionGroup, functionGroups } from '../../lib/service-stack.ts';

/** The feature flags of cdk.json, which `cdk synth` applies: the tests build the same templates. */
export const cdkJsonContext = (
  JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;
const { stage: _defaultStage, ...featureFlags } = cdkJsonContext;

export const prodContext = {
  stage: 'prod',
  account: '123456789012',
  region: 'sa-east-1',
  emailDomain: 'produbanco.com.ec',
  emailFrom: 'registro@produbanco.com.ec',
  webDomain: 'registro.produbanco.com.ec',
  webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666',
  smsMonthlySpendLimitUsd: '300',
  alarmEmail: 'devops@produbanco.com.ec',
  manageAccountSettings: 'true',
  breakGlassRoleArn: 'arn:aws:iam::123456789012:role/produbanco-break-glass',
  backupCopyVaultArn: 'arn:aws:backup:us-east-1:210987654321:backup-vault:selfreg-copies',
  assistedVpcEndpointId: 'vpce-0a1b2c3d4e5f60718',
  staffRoleArns:
    'arn:aws:iam::123456789012:role/staff/call-center,arn:aws:iam::123456789012:role/staff/branch-supervisor',
} as const;

export const devContext = { stage: 'dev' } as const;

let siteDirectory: string | undefined;
function site(): string {
  if (!siteDirectory) {
    siteDirectory = mkdtempSync(join(tmpdir(), 'selfreg-site-'));
    mkdirSync(siteDirectory, { recursive: true });
    writeFileSync(join(siteDirectory, 'index.html'), '<!doctype html><title>Registro</title>');
  }
  return siteDirectory;
}

/** The app of one stage with bundling skipped (aws:cdk:bundling-stacks: []). */
export function buildApp(context: Record<string, unknown>): SelfRegistrationApp {
  return createApp({
    context: { ...featureFlags, 'aws:cdk:bundling-stacks': [], ...context },
    siteDirectory: site(),
  });
}

export interface Templates {
  built: SelfRegistrationApp;
  data: Template;
  /** The Service stack's own template: the API, WAF, secrets, topic, SES, dashboard, API-level alarms. */
  service: Template;
  web: Template;
  edgeWaf?: Template;
  edgeAlarms: Template;
  /** Each nested stack's template, by function group (journey, messaging, assisted). */
  nested: Record<FunctionGroup, Template>;
}

const templateCache = new WeakMap<Stack, Template>();

/** The template of one stack, a nested stack's own included; synthesized once per stack. */
export function templateOfStack(stack: Stack): Template {
  let template = templateCache.get(stack);
  if (!template) {
    template = Template.fromStack(stack);
    templateCache.set(stack, template);
  }
  return template;
}

/** The template of the stack (nested or not) that holds a construct. */
export const templateOf = (construct: IConstruct): Template => templateOfStack(Stack.of(construct));

/** The logical id of a construct (or its default child) in its own stack's template. */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as never;
  return Stack.of(construct).getLogicalId(element);
}

/** A construct's resource in its own stack's template. */
export function resourceOfConstruct(
  construct: IConstruct,
): { Type: string; Properties: any } & Record<string, any> {
  return templateOf(construct).toJSON().Resources[logicalIdOf(construct)];
}

/**
 * How a template refers to a construct of another stack: `{ Ref: id }` in its own stack; in a nested stack,
 * `{ Ref: parameter }` for the parameter its parent fills with that reference.
 */
export function refIn(consumer: Stack, construct: IConstruct, attribute?: string): Record<string, unknown> {
  const id = logicalIdOf(construct);
  const direct = attribute ? { 'Fn::GetAtt': [id, attribute] } : { Ref: id };
  if (Stack.of(construct) === consumer) return direct;
  if (!NestedStack.isNestedStack(consumer) || !consumer.nestedStackParent) {
    throw new Error(`${consumer.node.path} is no nested stack`);
  }
  const parent = consumer.nestedStackParent;
  const resource = consumer.nestedStackResource;
  if (Stack.of(construct) !== parent || !resource) {
    throw new Error(`${construct.node.path} is not in the parent of ${consumer.node.path}`);
  }
  const parameters = templateOfStack(parent).toJSON().Resources[parent.getLogicalId(resource)].Properties
    .Parameters as Record<string, unknown>;
  const match = Object.entries(parameters).find(
    ([, value]) => JSON.stringify(value) === JSON.stringify(direct),
  );
  if (!match) throw new Error(`${consumer.node.path} gets no parameter for ${construct.node.path}`);
  return { Ref: match[0] };
}

export function buildTemplates(context: Record<string, unknown>): Templates {
  const built = buildApp(context);
  const nested = Object.fromEntries(
    functionGroups.map((group) => {
      const stack = built.service.nestedStacks[group];
      if (!stack) throw new Error(`No nested stack for ${group}`);
      return [group, templateOfStack(stack)];
    }),
  ) as Record<FunctionGroup, Template>;
  return {
    built,
    data: templateOfStack(built.data),
    service: templateOfStack(built.service),
    web: templateOfStack(built.web),
    edgeWaf: built.edgeWaf ? templateOfStack(built.edgeWaf) : undefined,
    edgeAlarms: templateOfStack(built.edgeAlarms),
    nested,
  };
}

/** Every template of the app: the top-level stacks and each nested stack, by a readable name. */
export function allTemplates(templates: Templates): [string, Template][] {
  const { built, nested, ...stacks } = templates;
  return [
    ...Object.entries(stacks).filter((entry): entry is [string, Template] => entry[1] instanceof Template),
    ...Object.entries(nested).map(
      ([group, template]) => [`service/${group}`, template] as [string, Template],
    ),
  ];
}

/** The templates that hold service functions and their resources: each nested stack's. */
export const functionTemplates = (templates: Templates): Template[] => Object.values(templates.nested);

/** Resources of one type across several templates, keyed by logical id (unique within the service). */
export function resourcesIn(
  templates: readonly Template[],
  type: string,
): Record<string, { Properties: Record<string, unknown> } & Record<string, unknown>> {
  return Object.assign({}, ...templates.map((template) => resourcesOf(template, type)));
}

/** Resources of one type, keyed by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown> } & Record<string, unknown>> {
  return template.findResources(type) as Record<
    string,
    { Properties: Record<string, unknown> } & Record<string, unknown>
  >;
}
