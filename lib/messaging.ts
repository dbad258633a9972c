// Outbound messaging: the SES identity and configuration set of the completion email (bounces and complaints
// to an encrypted SNS topic), and the account-level SNS SMS settings of the one-time codes.
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EmailResources } from './service-function.ts';

export interface EmailSendingProps {
  domain: string;
  from: string;
  /** Encrypts the bounce and complaint topic; its key policy must let SES use it. */
  topicKey: IKey;
}

export class EmailSending extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  /** Bounce, complaint, reject and delivery-delay events: DevOps (or the bank's CRM) subscribe here. */
  readonly eventsTopic: Topic;
  readonly resources: EmailResources;

  constructor(scope: Construct, id: string, props: EmailSendingProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.domain),
      configurationSet: this.configurationSet,
    });
    this.eventsTopic = new Topic(this, 'EventsTopic', {
      displayName: 'Self-registration email bounces and complaints',
      masterKey: props.topicKey,
      enforceSSL: true,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.eventsTopic),
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.RENDERING_FAILURE,
        EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
    this.resources = {
      identityArn: this.identity.emailIdentityArn,
      configurationSetArn: Stack.of(this).formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: this.configurationSet.configurationSetName,
      }),
      configurationSetName: this.configurationSet.configurationSetName,
      from: props.from,
    };
  }
}

export interface SmsSettingsProps {
  monthlySpendLimitUsd: number;
}

/**
 * CloudFormation has no resource for the account-level SMS attributes, so a custom resource calls
 * SNS SetSMSAttributes on every deploy. They are account-wide: deleting the stack leaves them as they are.
 */
export class SmsSettings extends Construct {
  readonly attributes: Record<string, string>;

  constructor(scope: Construct, id: string, props: SmsSettingsProps) {
    super(scope, id);
    this.attributes = {
      DefaultSMSType: 'Transactional',
      MonthlySpendLimit: String(props.monthlySpendLimitUsd),
    };
    const call = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: { attributes: this.attributes },
      physicalResourceId: PhysicalResourceId.of('SmsAccountAttributes'),
    };
    new AwsCustomResource(this, 'SetSmsAttributes', {
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['sns:SetSMSAttributes'], resources: ['*'] }),
      ]),
    });
  }
}
