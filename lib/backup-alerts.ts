// Failed backups and copies page on-call (go-live review, finding 3): AWS Backup tells EventBridge when a job
// changes state, and a rule sends every backup job that failed, was aborted or expired before it ran, and every
// copy job that failed, to the alarm topic. Without it a plan can fail every night unseen until a restore.
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Backup job states that mean no recovery point was made. */
export const failedBackupStates = ['FAILED', 'ABORTED', 'EXPIRED'];
/** Copy job states that mean the copy in the other region is missing. */
export const failedCopyStates = ['FAILED', 'PARTIAL'];

export interface BackupJobAlertsProps {
  stage: string;
  /** The alarm topic of the region (where AWS Backup runs the jobs and emits their events). */
  topic: ITopic;
  /** The topic's key: EventBridge must be able to use it to publish. */
  topicKey: IKey;
}

export class BackupJobAlerts extends Construct {
  readonly backupJobs: Rule;
  readonly copyJobs: Rule;

  constructor(scope: Construct, id: string, props: BackupJobAlertsProps) {
    super(scope, id);
    props.topicKey.grant(new ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    const rule = (ruleId: string, detailType: string, states: string[], what: string) =>
      new Rule(this, ruleId, {
        description: `Self-registration (${props.stage}): ${what} to the alarm topic`,
        eventPattern: { source: ['aws.backup'], detailType: [detailType], detail: { state: states } },
        targets: [
          new SnsTopic(props.topic, {
            message: RuleTargetInput.fromText(
              `AWS Backup ${what}: ${EventField.fromPath('$.detail.state')} in ${EventField.fromPath('$.region')}, ` +
                `resource ${EventField.fromPath('$.detail.resourceArn')}, ${EventField.fromPath('$.detail.statusMessage')}. ` +
                'See docs/DEPLOYMENT.md, "Alarms and what to do", BackupJobFailed.',
            ),
          }),
        ],
      });
    this.backupJobs = rule(
      'BackupJobFailed',
      'Backup Job State Change',
      failedBackupStates,
      'backup job failed',
    );
    this.copyJobs = rule('CopyJobFailed', 'Copy Job State Change', failedCopyStates, 'copy job failed');
  }
}
