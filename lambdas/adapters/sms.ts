// SMS adapters: SNS in AWS, a local outbox file on a developer's machine (served at /_local/sms).
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SmsSender } from '../ports/notifications.ts';
import { DependencyError } from '../rules/errors.ts';

type Sns = typeof import('@aws-sdk/client-sns');
type MessageAttributes = NonNullable<ConstructorParameters<Sns['PublishCommand']>[0]['MessageAttributes']>;

/** Ecuador's mobile numbers in E.164: the only destinations this service texts. */
const ECUADOR_MOBILE = /^\+593\d{9}$/;

export class SmsDestinationError extends Error {
  override readonly name = 'SmsDestinationError';
}

/**
 * Refuses any destination that is not +593 and nine digits: a directory record gone wrong (or tampered) must
 * not make the bank pay for, or leak a code to, an international number (SMS pumping).
 */
export function checkDestination(to: string): void {
  if (!ECUADOR_MOBILE.test(to)) throw new SmsDestinationError('SMS destination is not an Ecuadorian mobile');
}

/** The origination identity, from deployment context: AWS documents short codes (not sender IDs) for Ecuador. */
export interface SmsOrigin {
  /** A short code or long number registered for Ecuador (AWS.MM.SMS.OriginationNumber). */
  originationNumber?: string;
  /** An alphanumeric sender ID (AWS.SNS.SMS.SenderID), for the countries that show one. */
  senderId?: string;
}

const text = (value: string) => ({ DataType: 'String', StringValue: value });

export class SnsSmsSender implements SmsSender {
  private sns?: Promise<{ client: SNSClient; sdk: Sns }>;
  private readonly attributes: MessageAttributes;

  /** Without a client, the SNS client is loaded and made on the first send, not at cold start. */
  constructor(
    private readonly client?: SNSClient,
    origin: SmsOrigin = {},
  ) {
    this.attributes = {
      'AWS.SNS.SMS.SMSType': text('Transactional'),
      ...(origin.originationNumber ? { 'AWS.MM.SMS.OriginationNumber': text(origin.originationNumber) } : {}),
      ...(origin.senderId ? { 'AWS.SNS.SMS.SenderID': text(origin.senderId) } : {}),
    };
  }

  private load(): Promise<{ client: SNSClient; sdk: Sns }> {
    this.sns ??= import('@aws-sdk/client-sns').then((sdk) => ({
      client: this.client ?? new sdk.SNSClient({}),
      sdk,
    }));
    return this.sns;
  }

  async send(to: string, message: string): Promise<void> {
    checkDestination(to);
    try {
      const { client, sdk } = await this.load();
      await client.send(
        new sdk.PublishCommand({ PhoneNumber: to, Message: message, MessageAttributes: this.attributes }),
      );
    } catch (error) {
      throw new DependencyError('SNS publish failed', { cause: error });
    }
  }
}

export class LocalOutboxSmsSender implements SmsSender {
  constructor(private readonly dir: string) {}

  async send(to: string, message: string): Promise<void> {
    checkDestination(to);
    await mkdir(this.dir, { recursive: true });
    const line = JSON.stringify({ to, message, sentAt: new Date().toISOString() });
    await appendFile(join(this.dir, 'sms.jsonl'), `${line}\n`);
  }
}
