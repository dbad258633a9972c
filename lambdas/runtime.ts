// The composition root shared by the handlers: configuration, logger and the adapters, each created once
// per cold start and only when a function asks for it, so a function loads only the clients it uses.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './adapters/dynamodb/client.ts';
import { DynamoCustomerDirectory } from './adapters/dynamodb/customer-directory.ts';
import { DynamoRegistrationStore } from './adapters/dynamodb/registration-store.ts';
import { jsonLogger } from './adapters/event-log.ts';
import { loadSecrets } from './adapters/secrets.ts';
import { argon2Hasher, cryptoRandom, hmacKeyed, systemClock } from './adapters/system.ts';
import { parseConfig } from './config.ts';
import type { Hasher, Keyed } from './ports/system.ts';
import type { SessionDeps } from './registration/session.ts';

export const config = parseConfig(process.env);
export const logger = jsonLogger(config.logLevel);
export const clock = systemClock;
export const random = cryptoRandom;

const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = create();
      made = true;
    }
    return value as T;
  };
};

export const db = once(
  (): DynamoDBDocumentClient => createDocumentClient({ endpoint: config.dynamodbEndpoint }),
);

/** Secrets are read once per cold start; a failed read is retried by the next call. */
function cachedSecret<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export const keyed = cachedSecret(async (): Promise<Keyed> => {
  const { hmacKey } = await loadSecrets(config, { hmacKey: true });
  return hmacKeyed(hmacKey as Buffer);
});

export const hasher = cachedSecret(async (): Promise<Hasher> => {
  const { pepper } = await loadSecrets(config, { pepper: true });
  return argon2Hasher(pepper as Buffer, config.argon2);
});

export const registrations = once(
  () =>
    new DynamoRegistrationStore(
      db(),
      {
        registrations: config.table('registrations'),
        users: tableOrUnused('users'),
        codes: tableOrUnused('codes'),
        outbox: tableOrUnused('outbox'),
      },
      config.session.maxSeconds * 1000,
    ),
);

/** Tables a function may not touch get a name that no table has, so a stray write fails closed. */
function tableOrUnused(name: 'users' | 'codes' | 'outbox'): string {
  try {
    return config.table(name);
  } catch {
    return `not-granted-${name}`;
  }
}

export const directory = once(
  () => new DynamoCustomerDirectory(db(), config.table('customers'), { keyed, hasher }),
);

export const sessionDeps = (events: SessionDeps['events']): SessionDeps => ({
  clock,
  registrations: registrations(),
  events,
  session: config.session,
});
