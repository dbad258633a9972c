// The stateful stack: tables from tableDefinitions, the customer-managed key, and the generated secrets.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinitions, tableNames } from '../../lambdas/tables.ts';
import type { DataStack } from '../../lib/data-stack.ts';
import { buildTemplates, devContext, prodContext, resourcesOf } from './app-fixture.ts';

const stages = [
  ['dev', devContext],
  ['prod', prodContext],
] as const;

describe.each(stages)('data stack (%s)', (stage, context) => {
  let template: Template;
  let stack: DataStack;

  beforeAll(() => {
    // Prepare
    const templates = buildTemplates(context);
    template = templates.data;
    stack = templates.built.data;
  });

  const tableResource = (name: (typeof tableNames)[number]) => {
    const logicalId = stack.getLogicalId(stack.tables[name].node.defaultChild as CfnTable);
    const resource = template.toJSON().Resources[logicalId];
    expect(resource, `table ${name}`).toBeDefined();
    return resource;
  };

  it('creates exactly one table per table definition', () => {
    // Act
    const tables = resourcesOf(template, 'AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toHaveLength(tableNames.length);
  });

  it.each(tableNames)('table %s: on demand, string key, KMS key, PITR, TTL and stream as defined', (name) => {
    // Prepare
    const definition = tableDefinitions[name];

    // Act
    const { Properties: properties } = tableResource(name);

    // Assess
    // The audit trail has a sort key; the signins table an index by user (numeric sort key).
    const keySchema = [
      { AttributeName: definition.partitionKey, KeyType: 'HASH' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
    ];
    const attributes = [
      { AttributeName: definition.partitionKey, AttributeType: 'S' },
      ...(definition.sortKey ? [{ AttributeName: definition.sortKey, AttributeType: 'S' }] : []),
      ...(definition.indexes ?? []).flatMap((index) => [
        { AttributeName: index.partitionKey, AttributeType: 'S' },
        { AttributeName: index.sortKey, AttributeType: 'N' },
      ]),
    ];
    expect(properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keySchema,
      AttributeDefinitions: attributes,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(properties.TimeToLiveSpecification).toEqual(
      definition.ttlAttribute ? { AttributeName: definition.ttlAttribute, Enabled: true } : undefined,
    );
    expect(
      ((properties.GlobalSecondaryIndexes ?? []) as { IndexName: string; Projection: unknown }[]).map(
        (index) => [index.IndexName, index.Projection],
      ),
    ).toEqual((definition.indexes ?? []).map((index) => [index.name, { ProjectionType: 'ALL' }]));
    expect(properties.StreamSpecification).toEqual(
      definition.stream ? { StreamViewType: 'NEW_IMAGE' } : undefined,
    );
  });

  it.each(tableNames)('table %s: retained and deletion-protected when it holds users or in prod', (name) => {
    // Prepare
    const keep = tableDefinitions[name].holdsUsers || stage === 'prod';

    // Act
    const resource = tableResource(name);

    // Assess
    expect(resource.DeletionPolicy).toBe(keep ? 'Retain' : 'Delete');
    expect(resource.UpdateReplacePolicy).toBe(keep ? 'Retain' : 'Delete');
    expect(resource.Properties.DeletionProtectionEnabled).toBe(keep);
  });

  it('encrypts every table with the stack key, which rotates and is retained', () => {
    // Act
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    const keyId = stack.getLogicalId(stack.key.node.defaultChild as never);

    // Assess: the data key, the backup vault's own key (second audit, finding 8), and in prod the logs key of
    // the backup-settings custom resource's log group (go-live review, finding 10).
    expect(
      Object.keys(keys)
        .filter((id) => !id.startsWith('LogsKey'))
        .sort(),
    ).toEqual([keyId, stack.getLogicalId(stack.backupKey.node.defaultChild as never)].sort());
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } }),
    });
  });

  it('generates the HMAC key, the pepper and the token data key in Secrets Manager: never a value in the template', () => {
    // Act
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');

    // Assess
    expect(Object.keys(secrets)).toHaveLength(3);
    for (const secret of Object.values(secrets)) {
      expect(secret.Properties).toMatchObject({
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
        KmsKeyId: expect.anything(),
      });
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.DeletionPolicy).toBe('Retain');
    }
  });

  it('outputs every table name and every secret ARN', () => {
    // Act
    const outputs = Object.keys(template.toJSON().Outputs ?? {});

    // Assess
    expect(outputs).toEqual(
      expect.arrayContaining([
        'HmacSecretArn',
        'PepperSecretArn',
        'TokenKeySecretArn',
        ...tableNames.map((name) => `${name[0]?.toUpperCase()}${name.slice(1)}TableName`),
      ]),
    );
  });
});
