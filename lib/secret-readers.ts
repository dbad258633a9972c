// Who may use the service's secrets (second audit, finding 8; go-live review, finding 2): a resource policy on
// every secret denies reading it to every principal except the exact roles that need it, and denies writing
// it or its policy to every principal except the role CloudFormation deploys with and the break-glass role
// (`-c breakGlassRoleArn=`, required in prod), which the directory loader and the rotations run under. An IAM
// policy that grants more (an administrator's `secretsmanager:*`) is overridden by the explicit deny.
//
// Every allowed principal is an exact role ARN, never a pattern: `role/<prefix>-*` would also match a role
// that anyone allowed to create roles names to fit. The service's roles live in another stack, so the policy
// names them by ARN, not by reference (a reference would make the Data stack depend on the Service stack,
// which depends on it): the functions' roles are named `<Service stack name>-<handler>` (lib/service-function.ts),
// in whichever nested stack they are, and the Service stack's name is fixed.
import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  assistedRoutes,
  type RouteNeeds,
  routes,
  scheduledFunctions,
  streamConsumers,
} from '../lambdas/routes.ts';
import type { DeployConfig } from './config.ts';

const capitalized = (text: string): string => `${text[0]?.toUpperCase()}${text.slice(1)}`;

/** The stacks' name prefix, e.g. SelfRegistrationProd (lib/app.ts names every stack with it). */
export const stackPrefix = (config: Pick<DeployConfig, 'stage'>): string =>
  `SelfRegistration${capitalized(config.stage)}`;

/** The Service stack's name: the prefix of every function's and role's name. */
export const serviceStackName = (config: Pick<DeployConfig, 'stage'>): string =>
  `${stackPrefix(config)}Service`;

/** The route need that says a function reads a secret of the Data stack. */
export type SecretNeed = 'hmacKey' | 'pepper' | 'tokenKey';

const everyFunction: readonly { handler: string; needs: RouteNeeds }[] = [
  ...routes,
  ...assistedRoutes,
  ...streamConsumers,
  ...scheduledFunctions,
];

/** The handlers whose route table entry asks for the secret. */
export const handlersThatRead = (need: SecretNeed): string[] =>
  everyFunction.filter((fn) => fn.needs[need] === true).map((fn) => fn.handler);

/** The role CloudFormation deploys with (the CDK bootstrap's execution role): it resolves dynamic references. */
export function deployRoleArn(stack: Stack): string {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(`${stack.stackName}: the secret policies need the default synthesizer's execution role`);
  }
  // The synthesizer's ARN keeps `${AWS::Partition}` (and, for an environment-agnostic stack, the account and
  // region) as placeholders for the CLI; in a template they must be substituted.
  return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
}

/** Exact ARNs of the roles that may read a secret: the functions that need it, the deploy role, break-glass. */
export function secretReaderArns(stack: Stack, config: DeployConfig, need?: SecretNeed): string[] {
  const role = (name: string) => `arn:${stack.partition}:iam::${stack.account}:role/${name}`;
  return [
    ...(need ? handlersThatRead(need).map((handler) => role(`${serviceStackName(config)}-${handler}`)) : []),
    ...secretWriterArns(stack, config),
  ];
}

/** Exact ARNs of the roles that may change a secret's value or policy: the deploy role and break-glass. */
export const secretWriterArns = (stack: Stack, config: DeployConfig): string[] => [
  deployRoleArn(stack),
  ...(config.breakGlassRoleArn ? [config.breakGlassRoleArn] : []),
];

/** Reading the value. */
export const secretReadActions = ['secretsmanager:GetSecretValue'];
/** Changing the value, its versions, its rotation, its replicas, the secret itself or its resource policy. */
export const secretWriteActions = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
  'secretsmanager:RotateSecret',
  'secretsmanager:CancelRotateSecret',
  'secretsmanager:DeleteSecret',
  'secretsmanager:RestoreSecret',
  'secretsmanager:ReplicateSecretToRegions',
  'secretsmanager:RemoveRegionsFromReplication',
  'secretsmanager:StopReplicationToReplica',
  'secretsmanager:PutResourcePolicy',
  'secretsmanager:DeleteResourcePolicy',
];

/**
 * Adds the deny-everyone-else statements to a secret's resource policy. `need` names the route need whose
 * functions read it; none (the origin secrets) leaves reading to CloudFormation and break-glass.
 */
export function restrictSecretReaders(secret: ISecret, config: DeployConfig, need?: SecretNeed): void {
  const stack = Stack.of(secret);
  const denyUnless = (sid: string, actions: string[], allowed: string[]) =>
    secret.addToResourcePolicy(
      new PolicyStatement({
        sid,
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions,
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': allowed } },
      }),
    );
  denyUnless('OnlyTheServiceReads', secretReadActions, secretReaderArns(stack, config, need));
  denyUnless('OnlyDeployAndBreakGlassWrite', secretWriteActions, secretWriterArns(stack, config));
}
