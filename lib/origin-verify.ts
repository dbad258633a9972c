// The origin secret (rule 37): CloudFront adds it to every /v1 request as a custom origin header, and the
// regional web ACL blocks any request without it, so the public execute-api URL answers nobody but CloudFront.
// Two secrets, current and previous, let a rotation run with no downtime (docs/DEPLOYMENT.md).
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Stage } from './config.ts';

/** The header CloudFront sends to the API origin; the regional ACL matches it exactly. */
export const originVerifyHeader = 'X-Origin-Verify';

/**
 * Fixed names, so the web stack (another stack, deployed after this one) refers to the secrets without a
 * cross-stack export. The regional ACL, in the secrets' own stack, refers to them by ARN instead (see below).
 */
export const originSecretNames = (stage: Stage) => ({
  current: `self-registration/${stage}/origin-verify`,
  previous: `self-registration/${stage}/origin-verify-previous`,
});

/**
 * A CloudFormation dynamic reference: the template holds this text, never the value. CloudFormation reads the
 * secret when it creates or updates the resource and passes the value to CloudFront or WAF, whose own
 * configuration then holds it (as it must, to send or compare it); stack events and the template do not.
 */
export const secretReference = (nameOrArn: string): string =>
  `{{resolve:secretsmanager:${nameOrArn}:SecretString}}`;

export interface OriginVerifySecretsProps {
  stage: Stage;
  /** The data key: the origin secrets are encrypted with it rather than the AWS-managed Secrets Manager key. */
  encryptionKey: IKey;
}

export class OriginVerifySecrets extends Construct {
  readonly current: Secret;
  readonly previous: Secret;
  /** The dynamic references of the values the regional ACL accepts: current and previous. */
  readonly acceptedValues: string[];

  constructor(scope: Construct, id: string, props: OriginVerifySecretsProps) {
    super(scope, id);
    const names = originSecretNames(props.stage);
    // 48 characters of [A-Za-z0-9]: about 285 bits, and safe in an HTTP header as it is.
    const value = { passwordLength: 48, excludePunctuation: true, includeSpace: false };
    const make = (constructId: string, secretName: string, what: string) =>
      new Secret(this, constructId, {
        secretName,
        description: `Self-registration (${props.stage}): ${what}`,
        generateSecretString: value,
        encryptionKey: props.encryptionKey,
        // Nothing is lost with it: a new deployment makes new values and sends and checks them together.
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.current = make(
      'Current',
      names.current,
      `${originVerifyHeader} value CloudFront sends to the API (rule 37)`,
    );
    // Random from the start, so the second accepted value is never a guessable placeholder.
    this.previous = make(
      'Previous',
      names.previous,
      `${originVerifyHeader} value still accepted during a rotation (rule 37)`,
    );
    // By ARN, not by name: the reference is then a Ref to each secret, so on a first deploy CloudFormation
    // creates both secrets before the web ACL resolves them (by name it could try first: "secret not found").
    this.acceptedValues = [secretReference(this.current.secretArn), secretReference(this.previous.secretArn)];
  }
}
