// Who may read the service's secrets (second audit, finding 8): a resource policy on every secret denies
// secretsmanager:GetSecretValue to every principal of the account except the service's own roles, the
// role CloudFormation deploys with (it resolves the origin secret's dynamic references), and an optional
// break-glass role (`-c breakGlassRoleArn=`), which the directory loader also runs under. An IAM policy that
// grants more (an administrator's `secretsmanager:*`) is overridden by the explicit deny.
//
// The service's roles live in another stack, so the policy names them by pattern, not by reference (a
// reference would make the Data stack depend on the Service stack, which depends on it). The service
// functions' roles are named `<Service stack name>-<handler>` (lib/service-function.ts), in whichever nested
// stack they are, and the Service stack's name is fixed; other roles of the stack (generated names) read no secret.
import { Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { DeployConfig } from './config.ts';

const capitalized = (text: string): string => `${text[0]?.toUpperCase()}${text.slice(1)}`;

/** The stacks' name prefix, e.g. SelfRegistrationProd (lib/app.ts names every stack with it). */
export const stackPrefix = (config: Pick<DeployConfig, 'stage'>): string =>
  `SelfRegistration${capitalized(config.stage)}`;

/** ARN patterns of the principals that may read the secrets. */
export function secretReaderPatterns(stack: Stack, config: DeployConfig): string[] {
  const role = (name: string) => `arn:${stack.partition}:iam::${stack.account}:role/${name}`;
  return [
    role(`${stackPrefix(config)}Service-*`),
    // The CDK bootstrap's CloudFormation execution role (any qualifier).
    role('cdk-*-cfn-exec-role-*'),
    ...(config.breakGlassRoleArn ? [config.breakGlassRoleArn] : []),
  ];
}

/** Adds the deny-everyone-else statement to a secret's resource policy. */
export function restrictSecretReaders(secret: ISecret, config: DeployConfig): void {
  const stack = Stack.of(secret);
  secret.addToResourcePolicy(
    new PolicyStatement({
      sid: 'OnlyTheServiceReads',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['*'],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': secretReaderPatterns(stack, config) } },
    }),
  );
}
