// Log retention for every Lambda function of the app (second audit, finding 8), including the ones
// aws-cdk-lib creates for itself (the cross-region export reader and writer, custom-resource providers,
// the site deployment) and so gives no log group of their own: Lambda would create `/aws/lambda/<name>`
// on the first invocation, kept for ever. For each function without a log group of its own, this declares
// that group with the stage's retention, and makes whatever invokes the function during the deployment
// (the custom resources naming it as their ServiceToken) wait for the group, so Lambda never creates it first.
import { Aspects, CfnResource, Fn, type IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { encryptLogGroup, type LogEncryptionOptions } from './log-encryption.ts';

export interface LogRetentionOptions {
  retention: RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Encrypts the groups declared here too, whatever order the aspects run in. */
  encryption?: LogEncryptionOptions;
}

class EveryFunctionHasItsLogGroup implements IAspect {
  private readonly done = new Set<string>();

  constructor(private readonly options: LogRetentionOptions) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    const stack = Stack.of(node);
    const logicalId = stack.resolve(node.logicalId) as string;
    const key = `${stack.stackName}/${logicalId}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const properties = stack.resolve(
      (node as CfnResource & { _cfnProperties?: unknown })._cfnProperties ?? {},
    );
    const ownGroup =
      node instanceof CfnFunction ? stack.resolve(node.loggingConfig) : properties?.LoggingConfig;
    if ((ownGroup as { logGroup?: unknown; LogGroup?: unknown } | undefined)?.logGroup) return;
    if ((ownGroup as { LogGroup?: unknown } | undefined)?.LogGroup) return;
    const logGroupName = Fn.join('', ['/aws/lambda/', node.ref]);
    // aws-cdk-lib declares the default-named group itself for some of its singletons: that one is used.
    const named = JSON.stringify(stack.resolve(logGroupName));
    const declared = stack.node
      .findAll()
      .find(
        (child): child is CfnLogGroup =>
          child instanceof CfnLogGroup && JSON.stringify(stack.resolve(child.logGroupName)) === named,
      );
    const group =
      declared ??
      new CfnLogGroup(stack, `${logicalId}LogGroup`, {
        logGroupName,
        retentionInDays: this.options.retention,
      });
    if (!declared) group.applyRemovalPolicy(this.options.removalPolicy);
    if (this.options.encryption) encryptLogGroup(group, this.options.encryption);
    // Everything in the stack that invokes the function while deploying names its ARN as ServiceToken.
    const arnReference = JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    for (const child of stack.node.findAll()) {
      if (!(child instanceof CfnResource) || child === node || child === group) continue;
      const type = child.cfnResourceType;
      if (!type.startsWith('Custom::') && type !== 'AWS::CloudFormation::CustomResource') continue;
      const text = JSON.stringify(
        stack.resolve((child as CfnResource & { _cfnProperties?: unknown })._cfnProperties ?? {}),
      );
      if (text.includes(arnReference)) child.node.addDependency(group);
    }
  }
}

/** Declares a log group with retention for every function of every stack that has none of its own. */
export function logRetentionForEveryFunction(scope: IConstruct, options: LogRetentionOptions): void {
  Aspects.of(scope).add(new EveryFunctionHasItsLogGroup(options));
}

export const logRetentionOf = (isProd: boolean): LogRetentionOptions => ({
  retention: isProd ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
  removalPolicy: isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
});
