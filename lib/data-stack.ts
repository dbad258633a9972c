// The stateful stack: the customer-managed KMS key, one DynamoDB table per tableDefinitions entry, and the
// HMAC key, pepper and digital-token data key in Secrets Manager, and the backups of the user tables. It
// changes rarely and is never torn down with the functions.
import { Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  BackupPlan,
  type BackupPlanCopyActionProps,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  type IBackupVault,
} from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { type TableName, tableDefinitions, tableNames } from '../lambdas/tables.ts';
import type { DeployConfig } from './config.ts';
import { restrictSecretReaders } from './secret-readers.ts';

/**
 * The vault's construct id, hence its logical id and its generated name. A vault's name and key cannot change
 * in place, so giving the vault its own key (second audit) needed a new identity: `BackupVault` was the vault
 * of the tables' key, and an update that kept its name failed (docs/DEPLOYMENT.md, "Backups").
 */
export const backupVaultConstructId = 'UserTablesVault';

/**
 * The audit trail is append-only for every principal, whatever IAM grants: its table policy denies these.
 * A put that overwrites an entry cannot be denied the same way (DynamoDB has no condition key for the
 * condition expression), so the functions' grants (PutItem only, always with attribute_not_exists) bound that.
 */
export const auditDeniedActions = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

export interface DataStackProps extends StackProps {
  config: DeployConfig;
}

/** PascalCase construct id of a table, e.g. RegistrationsTable. */
export const tableConstructId = (name: TableName): string => `${name[0]?.toUpperCase()}${name.slice(1)}Table`;

/** Recovery points of the user tables: daily, kept 35 days in dev and a year in prod (RPO 24 h beyond PITR). */
export const backupRetentionDays = { dev: 35, prod: 365 } as const;
/** In prod the vault is locked: nobody, root included, deletes a recovery point younger than this. */
export const vaultLockMinRetentionDays = 35;
/**
 * ...nor keeps one longer than this (a year and a month): a plan edited to keep recovery points for ever,
 * personal data included, is refused by the vault itself (LOPDP: no longer than needed).
 */
export const vaultLockMaxRetentionDays = 400;

export class DataStack extends Stack {
  readonly key: Key;
  readonly backupVault: BackupVault;
  readonly backupKey: Key;
  readonly backupPlan: BackupPlan;
  readonly tables: Record<TableName, Table>;
  readonly hmacSecret: Secret;
  readonly pepperSecret: Secret;
  readonly tokenKeySecret: Secret;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;

    // The tables that hold users are retained in every stage, so the key and the secrets they depend on
    // (card look-ups are HMAC-keyed, password hashes peppered) must outlive any teardown as well.
    this.key = new Key(this, 'DataKey', {
      description: `Self-registration (${config.stage}): DynamoDB tables and Secrets Manager secrets`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tables = Object.fromEntries(
      tableNames.map((name) => [name, this.createTable(name, config)]),
    ) as Record<TableName, Table>;

    const secretString = {
      // 64 characters of [A-Za-z0-9]: about 381 bits, and valid base64 too (48 bytes once decoded).
      passwordLength: 64,
      excludePunctuation: true,
      includeSpace: false,
    };
    this.hmacSecret = new Secret(this, 'HmacSecret', {
      description: `Self-registration (${config.stage}): HMAC key of card look-ups, codes and counters`,
      encryptionKey: this.key,
      generateSecretString: secretString,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.pepperSecret = new Secret(this, 'PepperSecret', {
      description: `Self-registration (${config.stage}): pepper of the argon2id password and answer hashes`,
      encryptionKey: this.key,
      generateSecretString: secretString,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.tokenKeySecret = new Secret(this, 'TokenKeySecret', {
      description: `Self-registration (${config.stage}): data key that seals digital-token seeds (AES-256-GCM)`,
      encryptionKey: this.key,
      generateSecretString: secretString,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    restrictSecretReaders(this.hmacSecret, config, 'hmacKey');
    restrictSecretReaders(this.pepperSecret, config, 'pepper');
    restrictSecretReaders(this.tokenKeySecret, config, 'tokenKey');

    // Point-in-time recovery covers the last 35 days inside the table's own account; AWS Backup adds copies
    // that survive a deleted table, a compromised account admin (Vault Lock) and, when given, a region.
    const retentionDays = backupRetentionDays[config.stage];
    // The recovery points have a key of their own: whoever may use the tables' key (every function, through
    // DynamoDB) gains nothing on the backups, and disabling the data key in an incident leaves them readable.
    this.backupKey = new Key(this, 'BackupKey', {
      description: `Self-registration (${config.stage}): AWS Backup vault of the user tables`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupVault = new BackupVault(this, backupVaultConstructId, {
      encryptionKey: this.backupKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // Compliance mode: after the 3-day grace period nobody, root included, can shorten or remove the lock.
      lockConfiguration: config.isProd
        ? {
            minRetention: Duration.days(vaultLockMinRetentionDays),
            maxRetention: Duration.days(vaultLockMaxRetentionDays),
            changeableFor: Duration.days(3),
          }
        : undefined,
    });
    const copyTo: IBackupVault | undefined = config.backupCopyVaultArn
      ? BackupVault.fromBackupVaultArn(this, 'BackupCopyVault', config.backupCopyVaultArn)
      : undefined;
    // A copy to another account is decrypted there through AWS Backup: that account may use the key for it.
    const copyAccount = config.backupCopyVaultArn
      ? Arn.split(config.backupCopyVaultArn, ArnFormat.COLON_RESOURCE_NAME).account
      : undefined;
    if (copyAccount && copyAccount !== this.account) {
      this.backupKey.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CopyDestinationAccountThroughBackup',
          principals: [new AccountPrincipal(copyAccount)],
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `backup.${this.region}.amazonaws.com` } },
        }),
      );
    }
    this.backupPlan = new BackupPlan(this, 'BackupPlan', {
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'DailyUserTables',
          backupVault: this.backupVault,
          scheduleExpression: Schedule.cron({ hour: '5', minute: '0' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(3),
          deleteAfter: Duration.days(retentionDays),
          copyActions: copyTo
            ? [
                {
                  destinationBackupVault: copyTo,
                  deleteAfter: Duration.days(retentionDays),
                } satisfies BackupPlanCopyActionProps,
              ]
            : undefined,
        }),
      ],
    });
    const selection = this.backupPlan.addSelection('UserTables', {
      resources: tableNames
        .filter((name) => tableDefinitions[name].holdsUsers)
        .map((name) => BackupResource.fromDynamoDbTable(this.tables[name])),
    });
    // The role backs up and copies: with advanced DynamoDB backup the recovery points are the vault key's.
    this.backupKey.grant(
      selection.grantPrincipal,
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
    );
    if (config.manageAccountSettings) this.enableAdvancedDynamoDbBackup();

    for (const name of tableNames) {
      new CfnOutput(this, `${tableConstructId(name)}Name`, {
        description: `Physical name of the ${name} table (env ${name.toUpperCase()}_TABLE)`,
        value: this.tables[name].tableName,
      });
    }
    new CfnOutput(this, 'HmacSecretArn', {
      value: this.hmacSecret.secretArn,
      description: 'HMAC_SECRET_ARN',
    });
    new CfnOutput(this, 'PepperSecretArn', {
      value: this.pepperSecret.secretArn,
      description: 'PEPPER_SECRET_ARN',
    });
    new CfnOutput(this, 'TokenKeySecretArn', {
      value: this.tokenKeySecret.secretArn,
      description: 'TOKEN_KEY_SECRET_ARN',
    });
    new CfnOutput(this, 'BackupVaultName', {
      value: this.backupVault.backupVaultName,
      description: 'AWS Backup vault of the user tables (restore from here)',
    });
    new CfnOutput(this, 'DataKeyArn', {
      value: this.key.keyArn,
      description: 'KMS key of tables and secrets',
    });
  }

  /**
   * AWS Backup's advanced DynamoDB backup (a region setting of the account): without it a DynamoDB recovery
   * point is a DynamoDB on-demand backup encrypted with the table's key, the vault's key is ignored and a copy
   * to another region or account fails. CloudFormation has no resource for it, so a custom resource sets it on
   * every deploy; deleting the stack leaves it on (docs/DEPLOYMENT.md, "Account-wide settings").
   */
  private enableAdvancedDynamoDbBackup(): void {
    const call = {
      service: 'Backup',
      action: 'updateRegionSettings',
      parameters: {
        ResourceTypeOptInPreference: { DynamoDB: true },
        ResourceTypeManagementPreference: { DynamoDB: true },
      },
      physicalResourceId: PhysicalResourceId.of('BackupDynamoDbAdvancedFeatures'),
    };
    const settings = new AwsCustomResource(this, 'AdvancedDynamoDbBackup', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['backup:UpdateRegionSettings'], resources: ['*'] }),
      ]),
    });
    this.backupPlan.node.addDependency(settings);
  }

  private createTable(name: TableName, config: DeployConfig): Table {
    const definition = tableDefinitions[name];
    const keep = definition.holdsUsers || config.isProd;
    const table = new Table(this, tableConstructId(name), {
      partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
      sortKey: definition.sortKey ? { name: definition.sortKey, type: AttributeType.STRING } : undefined,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      timeToLiveAttribute: definition.ttlAttribute,
      stream: definition.stream ? StreamViewType.NEW_IMAGE : undefined,
      deletionProtection: keep,
      removalPolicy: keep ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      resourcePolicy: name === 'audit' ? appendOnlyPolicy() : undefined,
    });
    for (const index of definition.indexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.NUMBER },
      });
    }
    return table;
  }
}

/** The audit table's resource policy: nobody updates or deletes an entry, the table's owner included. */
function appendOnlyPolicy(): PolicyDocument {
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'AppendOnly',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: auditDeniedActions,
        resources: ['*'],
      }),
    ],
  });
}
