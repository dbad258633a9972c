// Outbound messaging: the SES identity and configuration set of the completion email (bounces and complaints
// to an encrypted SNS topic), and the account-level SNS SMS settings of the one-time codes.
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
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

/**
 * How long the SMS delivery-status logs are kept in every stage. Each record holds the destination phone
 * number; their purpose (LOPDP: no longer than it needs) is to answer a customer's or a carrier's "the code
 * never arrived" and to diagnose a delivery alarm, which happen within days. A month covers a monthly
 * carrier report; the spend and success-rate history stays in SNS's metrics, which hold no number.
 */
export const smsDeliveryLogRetention = RetentionDays.ONE_MONTH;

export interface SmsSettingsProps {
  monthlySpendLimitUsd: number;
}

/**
 * CloudFormation has no resource for the account-level SMS attributes, so a custom resource calls
 * SNS SetSMSAttributes on every deploy. They are account-wide: deleting the stack leaves them as they are.
 */
export class SmsSettings extends Construct {
  readonly attributes: Record<string, string>;
  /** The role SNS assumes to write SMS delivery-status logs (success and failure of each message). */
  readonly deliveryStatusRole: Role;
  readonly deliveryLogGroups: LogGroup[];

  constructor(scope: Construct, id: string, props: SmsSettingsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // SNS writes to these fixed names; created here so their retention is bounded (they hold phone numbers).
    const logGroupName = `sns/${stack.region}/${stack.account}/DirectPublishToPhoneNumber`;
    this.deliveryLogGroups = [logGroupName, `${logGroupName}/Failure`].map(
      (name, index) =>
        new LogGroup(this, index === 0 ? 'DeliveryLogs' : 'DeliveryFailureLogs', {
          logGroupName: name,
          retention: smsDeliveryLogRetention,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
    );
    this.deliveryStatusRole = new Role(this, 'DeliveryStatusRole', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com'),
      description: 'SNS writes SMS delivery-status logs with this role',
    });
    this.deliveryStatusRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteSmsDeliveryLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: this.deliveryLogGroups.map((group) =>
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: `${group.logGroupName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    this.attributes = {
      DefaultSMSType: 'Transactional',
      MonthlySpendLimit: String(props.monthlySpendLimitUsd),
      // Every message's outcome is logged, so failures are visible per carrier, not only as a rate.
      DeliveryStatusIAMRole: this.deliveryStatusRole.roleArn,
      DeliveryStatusSuccessSamplingRate: '100',
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
        new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.deliveryStatusRole.roleArn] }),
      ]),
    });
  }
}
