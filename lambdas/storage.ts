// DynamoDB for the functions that use it: one document client per process and the stores built on it.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './adapters/dynamodb/client.ts';
import { DynamoCustomerDirectory } from './adapters/dynamodb/customer-directory.ts';
import { DynamoRegistrationStore } from './adapters/dynamodb/registration-store.ts';
import type { Hasher, Keyed } from './ports/system.ts';
import type { SessionDeps } from './registration/session.ts';
import { clock, config, once } from './runtime.ts';
import type { TableName } from './tables.ts';

export const db = once(
  (): DynamoDBDocumentClient => createDocumentClient({ endpoint: config.dynamodbEndpoint }),
);

/** Tables a function was not granted get a name no table has, so a stray write fails closed. */
function tableOrUnused(name: TableName): string {
  try {
    return config.table(name);
  } catch {
    return `not-granted-${name}`;
  }
}

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

const noKeys = {
  keyed: (): Promise<Keyed> =>
    Promise.reject(new Error('this function has no HMAC key: it cannot authenticate')),
  hasher: (): Promise<Hasher> =>
    Promise.reject(new Error('this function has no pepper: it cannot authenticate')),
};

/** The customer directory; only step 1 passes the keys it needs to check a PIN. */
export const directory = (
  keys: { keyed: () => Promise<Keyed>; hasher: () => Promise<Hasher> } = noKeys,
): DynamoCustomerDirectory => new DynamoCustomerDirectory(db(), config.table('customers'), keys);

export const sessionDeps = (events: SessionDeps['events']): SessionDeps => ({
  clock,
  registrations: registrations(),
  events,
  session: config.session,
});
