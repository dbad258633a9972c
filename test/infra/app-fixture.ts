// Builds the CDK app for template tests: real handler entries, no bundling, and a one-file site directory.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createApp, type SelfRegistrationApp } from '../../lib/app.ts';
import { projectRoot } from '../../lib/service-function.ts';

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
  service: Template;
  web: Template;
  edgeWaf?: Template;
  edgeAlarms: Template;
}

export function buildTemplates(context: Record<string, unknown>): Templates {
  const built = buildApp(context);
  return {
    built,
    data: Template.fromStack(built.data),
    service: Template.fromStack(built.service),
    web: Template.fromStack(built.web),
    edgeWaf: built.edgeWaf ? Template.fromStack(built.edgeWaf) : undefined,
    edgeAlarms: Template.fromStack(built.edgeAlarms),
  };
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
