// SMS adapters: SNS in AWS, a local outbox file on a developer's machine (served at /_local/sms).
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SmsSender } from '../ports/notifications.ts';
import { DependencyError } from '../registration/errors.ts';

export class SnsSmsSender implements SmsSender {
  constructor(private readonly sns: SNSClient) {}

  async send(to: string, message: string): Promise<void> {
    try {
      await this.sns.send(
        new PublishCommand({
          PhoneNumber: to,
          Message: message,
          MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
        }),
      );
    } catch (error) {
      throw new DependencyError('SNS publish failed', { cause: error });
    }
  }
}

export class LocalOutboxSmsSender implements SmsSender {
  constructor(private readonly dir: string) {}

  async send(to: string, message: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const line = JSON.stringify({ to, message, sentAt: new Date().toISOString() });
    await appendFile(join(this.dir, 'sms.jsonl'), `${line}\n`);
  }
}
