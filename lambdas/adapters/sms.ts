// SMS adapters: SNS in AWS, a local outbox file on a developer's machine (served at /_local/sms).
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SmsSender } from '../ports/notifications.ts';
import { DependencyError } from '../registration/errors.ts';

type Sns = typeof import('@aws-sdk/client-sns');

export class SnsSmsSender implements SmsSender {
  private sns?: Promise<{ client: SNSClient; sdk: Sns }>;

  /** Without a client, the SNS client is loaded and made on the first send, not at cold start. */
  constructor(private readonly client?: SNSClient) {}

  private load(): Promise<{ client: SNSClient; sdk: Sns }> {
    this.sns ??= import('@aws-sdk/client-sns').then((sdk) => ({
      client: this.client ?? new sdk.SNSClient({}),
      sdk,
    }));
    return this.sns;
  }

  async send(to: string, message: string): Promise<void> {
    try {
      const { client, sdk } = await this.load();
      await client.send(
        new sdk.PublishCommand({
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
