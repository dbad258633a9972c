// Every log group the app declares is encrypted with a customer-managed KMS key (go-live review, finding 10):
// function logs, API access logs, WAF request logs and SMS delivery logs hold addresses, phone numbers and
// identifiers, and a key of our own lets the bank disable them, see who decrypted them (CloudTrail), and keep
// them unreadable to anyone the key policy does not name. One key per top-level stack (a nested stack's
// groups use their parent's, through a parameter), because CloudWatch Logs only uses a key of its own region.
import { ArnFormat, Aspects, type IAspect, NestedStack, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

export interface LogEncryptionOptions {
  stage: string;
  /** The key must outlive the retained log groups it encrypts: RETAIN wherever they are. */
  removalPolicy: RemovalPolicy;
}

/** The construct id of each top-level stack's logs key. */
export const logsKeyId = 'LogsKey';

const keys = new WeakMap<Stack, Key>();

/** The top-level stack a construct deploys with: its own, or the parent of its nested stack. */
function topLevelStack(construct: IConstruct): Stack {
  let stack = Stack.of(construct);
  while (NestedStack.isNestedStack(stack) && stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}

function logsKeyOf(stack: Stack, options: LogEncryptionOptions): Key {
  let key = keys.get(stack);
  if (key) return key;
  key = new Key(stack, logsKeyId, {
    description: `Self-registration (${options.stage}): CloudWatch log groups of ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: options.removalPolicy,
  });
  // CloudWatch Logs of this region, for this account's log groups only (the encryption context names the group).
  key.grant(
    new ServicePrincipal(`logs.${stack.region}.amazonaws.com`, {
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
    'kms:Encrypt*',
    'kms:Decrypt*',
    'kms:ReEncrypt*',
    'kms:GenerateDataKey*',
    'kms:Describe*',
  );
  keys.set(stack, key);
  return key;
}

/** Encrypts one log group with its top-level stack's logs key, unless it names a key of its own. */
export function encryptLogGroup(group: CfnLogGroup, options: LogEncryptionOptions): void {
  if (group.kmsKeyId !== undefined) return;
  group.kmsKeyId = logsKeyOf(topLevelStack(group), options).keyArn;
}

class EveryLogGroupEncrypted implements IAspect {
  constructor(private readonly options: LogEncryptionOptions) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup) encryptLogGroup(node, this.options);
  }
}

/** Encrypts every log group of every stack under the scope (see also lib/log-retention.ts). */
export function encryptEveryLogGroup(scope: IConstruct, options: LogEncryptionOptions): void {
  Aspects.of(scope).add(new EveryLogGroupEncrypted(options));
}
