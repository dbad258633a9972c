// The completion-email delivery as the stream consumer, the scheduled sweep and the local drain all wire it:
// one outbox, one SES sender, the customer directory, so the three cannot drift.
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoReportLinkStore } from './adapters/dynamodb/access-store.ts';
import { DynamoOutbox } from './adapters/dynamodb/outbox.ts';
import { SesEmailSender } from './adapters/email.ts';
import type { DeliverDeps } from './registration/completion-email.ts';
import { clock, config, logger, once, random } from './runtime.ts';
import { db, directory } from './storage.ts';

export const outboxDelivery = once(
  (): DeliverDeps => ({
    outbox: new DynamoOutbox(db(), config.table('outbox')),
    clock,
    directory: directory(),
    email: new SesEmailSender(
      new SESClient(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}),
      config.email.from,
      config.email.configurationSet,
    ),
    events: logger,
    random,
    reportLinks: new DynamoReportLinkStore(db(), config.table('users')),
    reports: { ttlSeconds: config.securityReport.ttlSeconds, webBaseUrl: config.webBaseUrl },
  }),
);
