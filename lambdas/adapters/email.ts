// The email adapter: SES, in AWS or at the local SES emulator's endpoint.
import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Email, EmailSender } from '../ports/notifications.ts';
import { DependencyError } from '../rules/errors.ts';

export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESClient,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(email: Email): Promise<void> {
    try {
      await this.ses.send(
        new SendEmailCommand({
          Source: this.from,
          Destination: { ToAddresses: [email.to] },
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
          ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        }),
      );
    } catch (error) {
      throw new DependencyError('SES send failed', { cause: error });
    }
  }
}
