// The SNS and SES adapters at their boundary with the AWS SDK (aws-sdk-client-mock): what each sends, and a
// provider failure turned into DependencyError (503, retryable).

import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../lambdas/adapters/email.ts';
import { SmsDestinationError, SnsSmsSender } from '../../lambdas/adapters/sms.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';

const sns = new SNSClient({ region: 'us-east-1' });
const ses = new SESClient({ region: 'us-east-1' });
const snsMock = mockClient(sns);
const sesMock = mockClient(ses);

const email = {
  to: 'tmateos@example.com',
  subject: 'Tu usuario de Produbanco en línea está listo',
  text: 'Tu nombre de usuario es: Juan.Perez\n',
  html: '<p>Tu nombre de usuario es: Juan.Perez</p>',
};

beforeEach(() => {
  snsMock.reset();
  sesMock.reset();
});

describe('SnsSmsSender', () => {
  it('publishes the message to the phone as a Transactional SMS', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    await new SnsSmsSender(sns).send('+593991234190', 'Produbanco: tu clave temporal es 012345.');

    // Assess
    expect(snsMock).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      PhoneNumber: '+593991234190',
      Message: 'Produbanco: tu clave temporal es 012345.',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input).not.toHaveProperty('TopicArn');
  });

  it('sends the origination number and sender ID of the deployment as SNS message attributes', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const sender = new SnsSmsSender(sns, { originationNumber: '+59312345', senderId: 'Produbanco' });

    // Act
    await sender.send('+593991234190', 'Produbanco: tu clave temporal es 012345.');

    // Assess
    expect(snsMock).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      PhoneNumber: '+593991234190',
      Message: 'Produbanco: tu clave temporal es 012345.',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+59312345' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Produbanco' },
      },
    });
  });

  it.each([
    ['a US number', '+12025550123'],
    ['a Colombian mobile', '+573001234567'],
    ['ten digits after +593', '+5939912341900'],
    ['eight digits after +593', '+59399123419'],
    ['no plus sign', '593991234190'],
    ['a national number', '0991234190'],
    ['spaces', '+593 99 123 4190'],
    ['a trailing newline', '+593991234190\n'],
  ])('refuses %s before calling SNS', async (_name, to) => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-4' });

    // Act
    const sending = new SnsSmsSender(sns).send(to, 'Produbanco: tu clave temporal es 012345.');

    // Assess
    await expect(sending).rejects.toBeInstanceOf(SmsDestinationError);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('without a given client, makes its own SNS client on the first send and reuses it', async () => {
    // Prepare: the class-level mock catches every SNSClient, the lazily made one too
    const anyClient = mockClient(SNSClient);
    anyClient.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const sender = new SnsSmsSender();

    // Act
    await sender.send('+593991234190', 'uno');
    await sender.send('+593991234190', 'dos');

    // Assess
    expect(anyClient.commandCalls(PublishCommand).map((c) => c.args[0].input.Message)).toEqual([
      'uno',
      'dos',
    ]);
    expect(new Set(anyClient.commandCalls(PublishCommand).map((c) => c.thisValue)).size).toBe(1);
    anyClient.restore();
  });

  it('turns an SNS failure into DependencyError, keeping the cause', async () => {
    // Prepare
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
    snsMock.on(PublishCommand).rejects(cause);

    // Act
    const sending = new SnsSmsSender(sns).send('+593991234190', 'x');

    // Assess
    await expect(sending).rejects.toBeInstanceOf(DependencyError);
    await expect(sending).rejects.toMatchObject({
      cause: expect.objectContaining({ message: 'Rate exceeded' }),
    });
  });
});

describe('SesEmailSender', () => {
  it('sends Source, Destination, Subject, Text and Html in UTF-8, with the configuration set when given', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'e-1' });

    // Act
    await new SesEmailSender(ses, 'no-reply@produbanco.com.ec', 'registration-emails').send(email);

    // Assess
    expect(sesMock).toHaveReceivedCommandExactlyOnceWith(SendEmailCommand, {
      Source: 'no-reply@produbanco.com.ec',
      Destination: { ToAddresses: ['tmateos@example.com'] },
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
      },
      ConfigurationSetName: 'registration-emails',
    });
  });

  it('leaves ConfigurationSetName out when none is set', async () => {
    // Prepare
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'e-2' });

    // Act
    await new SesEmailSender(ses, 'no-reply@produbanco.com.ec').send(email);

    // Assess
    expect(sesMock).toHaveReceivedCommandOnce(SendEmailCommand);
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input).not.toHaveProperty(
      'ConfigurationSetName',
    );
  });

  it('turns an SES failure into DependencyError', async () => {
    // Prepare
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Daily quota exceeded'), { name: 'Throttling' }));

    // Act
    const sending = new SesEmailSender(ses, 'no-reply@produbanco.com.ec').send(email);

    // Assess
    await expect(sending).rejects.toBeInstanceOf(DependencyError);
  });
});
