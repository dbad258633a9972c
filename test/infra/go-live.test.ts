// The go-live review's infrastructure findings (issue 22: 1-4, 6, 10, 11, 13), each asserted on the prod
// templates: what a deploy from zero needs, the secrets' exact readers and writers, the backups, the region,
// the private staff API, encrypted logs and the append-only audit table.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableNames } from '../../lambdas/tables.ts';
import { assistedForbiddenMetric, assistedForbiddenThreshold } from '../../lib/assisted-access.ts';
import { failedBackupStates, failedCopyStates } from '../../lib/backup-alerts.ts';
import { readDeployConfig } from '../../lib/config.ts';
import { auditDeniedActions, backupVaultConstructId } from '../../lib/data-stack.ts';
import { edgeWafLogRetention } from '../../lib/edge-waf-stack.ts';
import { smsDeliveryLogRetention } from '../../lib/messaging.ts';
import { handlersThatRead, secretReadActions, secretWriteActions } from '../../lib/secret-readers.ts';
import { projectRoot } from '../../lib/service-function.ts';
import {
  allTemplates,
  buildTemplates,
  devContext,
  functionTemplates,
  logicalIdOf,
  prodContext,
  resourceOfConstruct,
  resourcesIn,
  resourcesOf,
  type Templates,
  templateOf,
} from './app-fixture.ts';

type Json = Record<string, any>;

const read = (context: Record<string, unknown>) => readDeployConfig(new App({ context }).node, {});
const without = (key: keyof typeof prodContext): Record<string, unknown> => {
  const { [key]: _left, ...context } = prodContext;
  return context;
};

describe('prod context keys a go-live needs (findings 2, 3, 4, 6)', () => {
  it.each([
    ['region', /region chosen for data residency.*-c region=/s],
    ['breakGlassRoleArn', /break-glass role.*-c breakGlassRoleArn=/s],
    ['backupCopyVaultArn', /copy vault in another region.*-c backupCopyVaultArn=/s],
    ['assistedVpcEndpointId', /VPC endpoint.*-c assistedVpcEndpointId=/s],
    ['staffRoleArns', /staff roles.*-c staffRoleArns=/s],
  ] as const)('refuses prod without %s and names the key', (key, message) => {
    // Act + Assess
    expect(() => read(without(key))).toThrow(message);
  });

  it.each([
    [
      { backupCopyVaultArn: 'arn:aws:backup:sa-east-1:210987654321:backup-vault:same-region' },
      /another region/,
    ],
    [
      { staffRoleArns: 'arn:aws:iam::123456789012:role/staff-*' },
      /staffRoleArns entry .* is not an IAM role ARN/,
    ],
    [
      { breakGlassRoleArn: 'arn:aws:iam::123456789012:role/*' },
      /breakGlassRoleArn .* is not an IAM role ARN/,
    ],
    [{ assistedVpcEndpointId: 'vpc-123' }, /is not a VPC endpoint id/],
    [{ region: 'ecuador' }, /region "ecuador" is not an AWS region/],
  ])('refuses %j', (override, message) => {
    // Act + Assess
    expect(() => read({ ...prodContext, ...override })).toThrow(message);
  });

  it('reads the staff roles as a list and dev still needs none of these keys', () => {
    // Act
    const prod = read({ ...prodContext });
    const dev = read({ ...devContext });

    // Assess
    expect(prod.staffRoleArns).toEqual([
      'arn:aws:iam::123456789012:role/staff/call-center',
      'arn:aws:iam::123456789012:role/staff/branch-supervisor',
    ]);
    expect(dev).toMatchObject({ staffRoleArns: [], assistedVpcEndpointId: undefined, region: 'us-east-1' });
  });

  it('.ci/run synthesizes prod with every required key, and DEPLOYMENT.md lists each in its context table', () => {
    // Prepare
    const ci = readFileSync(join(projectRoot, '.ci/run'), 'utf8');
    const deployment = readFileSync(join(projectRoot, 'docs/DEPLOYMENT.md'), 'utf8');

    // Act
    const prodLine = ci.slice(ci.indexOf('-c stage=prod'), ci.indexOf('echo "cdk synth'));

    // Assess
    for (const key of [
      'region',
      'breakGlassRoleArn',
      'backupCopyVaultArn',
      'assistedVpcEndpointId',
      'staffRoleArns',
    ]) {
      expect(prodLine).toContain(`-c ${key}=`);
      expect(deployment).toMatch(new RegExp(`^\\| \`${key}\` \\|[^\\n]*\\| required`, 'm'));
    }
  });
});

describe('go-live review (prod templates)', () => {
  let templates: Templates;

  beforeAll(() => {
    // Prepare
    templates = buildTemplates(prodContext);
  });

  it('finding 1: the regional web ACL refers to both origin secrets by reference, so they exist before it', () => {
    // Prepare
    const { service } = templates.built;
    const secretIds = [service.originSecrets.current, service.originSecrets.previous].map(logicalIdOf);

    // Act
    const acl = resourceOfConstruct(service.webAcl.webAcl).Properties as Json;
    const originRule = JSON.stringify(
      (acl.Rules as Json[]).find((rule) => rule.Name === 'RequireCloudFrontOrigin'),
    );

    // Assess
    for (const id of secretIds) expect(originRule).toContain(JSON.stringify({ Ref: id }));
    expect(originRule).toContain('{{resolve:secretsmanager:');
    expect(originRule).not.toContain('self-registration/prod/origin-verify');
  });

  it('finding 2: each secret is readable by exactly the roles that need it, and writable by deploy and break-glass only', () => {
    // Prepare
    const { data, service } = templates.built;
    // The CDK bootstrap's execution role, as Fn::Sub spells the partition.
    const deployRole = `arn:${'$'}{AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-sa-east-1`;
    const breakGlass = prodContext.breakGlassRoleArn;
    const roleNames = Object.values(resourcesIn(functionTemplates(templates), 'AWS::IAM::Role')).map(
      (role) => role.Properties.RoleName,
    );
    const cases = [
      [data.hmacSecret, 'hmacKey'],
      [data.pepperSecret, 'pepper'],
      [data.tokenKeySecret, 'tokenKey'],
      [service.originSecrets.current, undefined],
      [service.originSecrets.previous, undefined],
    ] as const;

    for (const [secret, need] of cases) {
      // Act
      const policy = Object.values(
        resourcesOf(templateOf(secret), 'AWS::SecretsManager::ResourcePolicy'),
      ).find(
        (candidate) =>
          JSON.stringify(candidate.Properties.SecretId) === JSON.stringify({ Ref: logicalIdOf(secret) }),
      );
      const statements = (policy?.Properties as Json | undefined)?.ResourcePolicy.Statement as Json[];
      const allowed = (sid: string) =>
        statements.find((statement) => statement.Sid === sid)?.Condition.ArnNotEquals['aws:PrincipalArn'];
      const readers = JSON.stringify(allowed('OnlyTheServiceReads'));
      const functionRoles = need
        ? handlersThatRead(need).map((handler) => `SelfRegistrationProdService-${handler}`)
        : [];

      // Assess
      expect(statements.every((statement) => statement.Effect === 'Deny')).toBe(true);
      expect(statements.find((s) => s.Sid === 'OnlyTheServiceReads')?.Action).toEqual(secretReadActions[0]);
      expect(statements.find((s) => s.Sid === 'OnlyDeployAndBreakGlassWrite')?.Action).toEqual(
        expect.arrayContaining([
          'secretsmanager:PutSecretValue',
          'secretsmanager:PutResourcePolicy',
          ...secretWriteActions,
        ]),
      );
      expect(readers).not.toMatch(/role\/[^"]*\*/);
      expect(allowed('OnlyTheServiceReads')).toHaveLength(functionRoles.length + 2);
      for (const name of functionRoles) {
        expect(readers).toContain(`:role/${name}"`);
        // The ARN names a role that exists: the function's own, in its nested stack.
        expect(roleNames).toContain(name);
      }
      expect(readers).toContain(breakGlass);
      expect(readers).toContain(JSON.stringify({ 'Fn::Sub': deployRole }));
      expect(allowed('OnlyDeployAndBreakGlassWrite')).toEqual([{ 'Fn::Sub': deployRole }, breakGlass]);
    }
    expect(handlersThatRead('hmacKey').length).toBeGreaterThan(0);
  });

  it('finding 3: the vault has a new identity, advanced DynamoDB backup is on, the copy destination may use the key', () => {
    // Prepare
    const { data } = templates.built;
    const backupKeyId = logicalIdOf(data.backupKey);
    const vaults = resourcesOf(templates.data, 'AWS::Backup::BackupVault');

    // Act
    const settings = Object.values(resourcesOf(templates.data, 'Custom::AWS')).map((r) =>
      JSON.stringify(r.Properties.Create),
    );
    const keyPolicy = JSON.stringify(resourceOfConstruct(data.backupKey).Properties.KeyPolicy);
    const rolePolicies = JSON.stringify(resourcesOf(templates.data, 'AWS::IAM::Policy'));

    // Assess
    expect(Object.keys(vaults)).toHaveLength(1);
    expect(Object.keys(vaults)[0]).toMatch(new RegExp(`^${backupVaultConstructId}`));
    expect(backupVaultConstructId).not.toBe('BackupVault');
    expect(settings.join()).toContain('updateRegionSettings');
    expect(settings.join()).toMatch(/ResourceTypeManagementPreference\\":\{\\"DynamoDB\\":true/);
    expect(keyPolicy).toContain('arn:aws:iam::210987654321:root');
    expect(keyPolicy).toContain('backup.sa-east-1.amazonaws.com');
    expect(rolePolicies).toContain(JSON.stringify({ 'Fn::GetAtt': [backupKeyId, 'Arn'] }));
    expect(rolePolicies).toContain('kms:CreateGrant');
  });

  it('finding 3: failed and aborted backup jobs and failed copy jobs reach the alarm topic', () => {
    // Prepare
    const { service } = templates.built;
    const topicId = logicalIdOf(service.alarmTopic);

    // Act
    const rules = Object.values(resourcesOf(templates.service, 'AWS::Events::Rule')).map(
      (rule) => rule.Properties as Json,
    );
    const byType = (type: string) =>
      rules.find((rule) => JSON.stringify(rule.EventPattern['detail-type']) === JSON.stringify([type]));

    // Assess
    expect(byType('Backup Job State Change')?.EventPattern).toEqual({
      source: ['aws.backup'],
      'detail-type': ['Backup Job State Change'],
      detail: { state: failedBackupStates },
    });
    expect(byType('Copy Job State Change')?.EventPattern.detail.state).toEqual(failedCopyStates);
    for (const type of ['Backup Job State Change', 'Copy Job State Change']) {
      expect(byType(type)?.Targets[0].Arn).toEqual({ Ref: topicId });
    }
    expect(failedBackupStates).toContain('FAILED');
    expect(JSON.stringify(resourceOfConstruct(service.alarms.key as never).Properties.KeyPolicy)).toContain(
      'events.amazonaws.com',
    );
  });

  it('finding 4: the edge WAF logs, kept in us-east-1 by necessity, are kept shorter than the regional ones', () => {
    // Act
    const retention = (template: Templates['service']) =>
      Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup')).find(([, group]) =>
        JSON.stringify(group.Properties.LogGroupName ?? '').includes('aws-waf-logs-'),
      )?.[1].Properties.RetentionInDays;

    // Assess
    expect(retention(templates.edgeWaf as Templates['service'])).toBe(edgeWafLogRetention.prod);
    expect(retention(templates.service)).toBe(365);
    expect(edgeWafLogRetention.prod).toBeLessThan(365);
  });

  it('finding 6: the staff API is PRIVATE behind the named VPC endpoint, and denies other endpoints and roles', () => {
    // Act
    const api = Object.values(resourcesOf(templates.nested.assisted, 'AWS::ApiGateway::RestApi'))[0]
      ?.Properties as Json;
    const statements = api.Policy.Statement as Json[];

    // Assess
    expect(api.EndpointConfiguration).toEqual({
      Types: ['PRIVATE'],
      VpcEndpointIds: [prodContext.assistedVpcEndpointId],
    });
    expect(statements.map((statement) => statement.Effect)).toEqual(['Deny', 'Deny']);
    expect(statements[0]).toMatchObject({
      Principal: { AWS: '*' },
      Action: 'execute-api:Invoke',
      Condition: { StringNotEquals: { 'aws:SourceVpce': prodContext.assistedVpcEndpointId } },
    });
    expect(statements[1]).toMatchObject({
      Principal: { AWS: '*' },
      Action: 'execute-api:Invoke',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': prodContext.staffRoleArns.split(',') } },
    });
    // The public API keeps no such policy: customers are anonymous.
    const publicApi = resourceOfConstruct(templates.built.service.api).Properties as Json;
    expect(publicApi.Policy).toBeUndefined();
    expect(publicApi.EndpointConfiguration.Types).toEqual(['REGIONAL']);
  });

  it("finding 6: the staff API's access log names the signing principal; the public API's does not", () => {
    // Act
    const format = (template: Templates['service']) =>
      String(
        (Object.values(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0]?.Properties as Json | undefined)
          ?.AccessLogSetting.Format,
      );

    // Assess
    const staff = JSON.parse(format(templates.nested.assisted));
    expect(staff).toMatchObject({
      userArn: '$context.identity.userArn',
      caller: '$context.identity.caller',
      accountId: '$context.identity.accountId',
    });
    expect(format(templates.service)).not.toContain('identity.userArn');
  });

  it("finding 6: an alarm on the staff API's 403s, counted from its access log, pages on-call", () => {
    // Prepare
    const { service } = templates.built;
    const accessLogsId = logicalIdOf(service.assistedAccessLogs);

    // Act
    const filter = Object.values(resourcesOf(templates.nested.assisted, 'AWS::Logs::MetricFilter')).find(
      (candidate) =>
        (candidate.Properties as Json).MetricTransformations[0].MetricName === assistedForbiddenMetric,
    )?.Properties as Json;
    const alarm = resourceOfConstruct(service.assistedApiForbidden).Properties as Json;

    // Assess
    expect(filter.LogGroupName).toEqual({ Ref: accessLogsId });
    expect(filter.FilterPattern).toBe('{ $.status = "403" }');
    expect(alarm).toMatchObject({
      MetricName: assistedForbiddenMetric,
      Threshold: assistedForbiddenThreshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('finding 10: every log group of every stack is encrypted with a customer-managed key of its region', () => {
    // Act
    const groups = allTemplates(templates).flatMap(([name, template]) =>
      Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup')).map(
        ([id, group]) => [`${name}/${id}`, group] as const,
      ),
    );
    const keys = allTemplates(templates).flatMap(([name, template]) =>
      Object.entries(resourcesOf(template, 'AWS::KMS::Key'))
        .filter(([id]) => id.startsWith('LogsKey'))
        .map(([, key]) => [name, JSON.stringify(key.Properties.KeyPolicy)] as const),
    );

    // Assess
    expect(groups.length).toBeGreaterThan(30);
    for (const [where, group] of groups) expect(group.Properties.KmsKeyId, where).toBeDefined();
    // One per top-level stack that has log groups (the EdgeAlarms stack has none); nested stacks use their parent's.
    expect(keys.map(([name]) => name).sort()).toEqual(['data', 'edgeWaf', 'service', 'web']);
    for (const [name, policy] of keys) {
      const region = name.startsWith('edge') ? 'us-east-1' : 'sa-east-1';
      expect(policy, name).toContain(`logs.${region}.amazonaws.com`);
      expect(policy, name).toContain('kms:EncryptionContext:aws:logs:arn');
    }
  });

  it('finding 10: SMS delivery logs (phone numbers) are kept a month; the origin secrets use the data key', () => {
    // Prepare
    const { service } = templates.built;
    const deliveryGroups = service.smsSettings?.deliveryLogGroups ?? [];

    // Act
    const retentions = deliveryGroups.map((group) => resourceOfConstruct(group).Properties.RetentionInDays);
    const secretKeys = [service.originSecrets.current, service.originSecrets.previous].map((secret) =>
      JSON.stringify(resourceOfConstruct(secret).Properties.KmsKeyId),
    );

    // Assess
    expect(retentions).toEqual([smsDeliveryLogRetention, smsDeliveryLogRetention]);
    expect(smsDeliveryLogRetention).toBeLessThanOrEqual(31);
    for (const key of secretKeys) expect(key).toMatch(/Fn::ImportValue.*DataKey/);
  });

  it('finding 11: the audit table denies updating, deleting and batch-writing to every principal; no other table has a policy', () => {
    // Prepare
    const { data } = templates.built;

    // Act
    const policies = Object.fromEntries(
      tableNames.map((name) => [name, resourceOfConstruct(data.tables[name]).Properties.ResourcePolicy]),
    );

    // Assess
    expect(policies.audit.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AppendOnly',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: [...auditDeniedActions].sort(),
        Resource: '*',
      },
    ]);
    expect(auditDeniedActions).toEqual(
      expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']),
    );
    for (const name of tableNames.filter((candidate) => candidate !== 'audit')) {
      expect(policies[name], name).toBeUndefined();
    }
  });
});

describe('finding 6 in dev', () => {
  it('keeps a dev stage without an endpoint regional, with no resource policy to lock staff out', () => {
    // Act
    const templates = buildTemplates(devContext);
    const api = Object.values(resourcesOf(templates.nested.assisted, 'AWS::ApiGateway::RestApi'))[0]
      ?.Properties as Json;

    // Assess
    expect(api.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
    expect(api.Policy).toBeUndefined();
  });
});

describe('finding 13: cfn-lint', () => {
  it('.ci/run lints every synthesized template where cfn-lint exists and says so where it does not', () => {
    // Act
    const ci = readFileSync(join(projectRoot, '.ci/run'), 'utf8');

    // Assess
    expect(ci).toMatch(/command -v cfn-lint/);
    expect(ci).toContain('cfn-lint -- "$@"');
    expect(ci).toContain('lint cdk.out/dev/*.template.json &');
    expect(ci).toContain('lint cdk.out/prod/*.template.json');
    expect(ci).toContain('wait "$dev_lint"');
    expect(ci).toMatch(/cfn-lint: not installed on this machine/);
  });

  it('lists every acknowledged cfn-lint rule once in .cfnlintrc.yaml, each with its reason', () => {
    // Prepare
    const file = join(projectRoot, '.cfnlintrc.yaml');

    // Act
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const ignored = [...text.matchAll(/^ {2}- ([EWI]\d{4})\b(.*)$/gm)];

    // Assess
    expect(ignored.length).toBeGreaterThan(0);
    expect(new Set(ignored.map((match) => match[1])).size).toBe(ignored.length);
    for (const [, rule, rest] of ignored) expect(rest, rule).toMatch(/#\s*\S.{30,}/);
  });
});
