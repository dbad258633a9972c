// DynamoDB for the functions that use it: one document client per process and the stores built on it.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAccessStore } from './adapters/dynamodb/access-store.ts';
import { DynamoAccountStore } from './adapters/dynamodb/account-store.ts';
import { createDocumentClient, probeTable } from './adapters/dynamodb/client.ts';
import { DynamoCustomerDirectory } from './adapters/dynamodb/customer-directory.ts';
import { DynamoRecoveryStore } from './adapters/dynamodb/recovery-store.ts';
import { DynamoRegistrationStore } from './adapters/dynamodb/registration-store.ts';
import { DynamoSignInStore } from './adapters/dynamodb/sign-in-store.ts';
import type { Hasher, Keyed } from './ports/system.ts';
import { addReadinessCheck } from './readiness.ts';
import type { RecoveryDeps } from './recovery/session.ts';
import type { SessionDeps } from './registration/session.ts';
import { clock, config, once } from './runtime.ts';
import type { SignedInDeps } from './signed-in/session.ts';
import { type TableName, tableDefinitions } from './tables.ts';

export const db = once(
  (): DynamoDBDocumentClient => createDocumentClient({ endpoint: config.dynamodbEndpoint }),
);

// The deploy hook's smoke call reads one absent item of a table the function may GetItem (lib/deploy-hook.ts).
const smokeTable = config.smokeReadTable;
if (smokeTable) {
  const { partitionKey, sortKey } = tableDefinitions[smokeTable];
  const key = { [partitionKey]: 'readiness#probe', ...(sortKey ? { [sortKey]: 'probe' } : {}) };
  addReadinessCheck(() => probeTable(db(), config.table(smokeTable), key));
}

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
        audit: tableOrUnused('audit'),
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

/**
 * The customer directory; only step 1 passes the keys it needs to check a PIN, and the staff look-up the HMAC
 * key of its cédula and RUC items.
 */
export const directory = (
  keys: Partial<{ keyed: () => Promise<Keyed>; hasher: () => Promise<Hasher> }> = {},
): DynamoCustomerDirectory =>
  new DynamoCustomerDirectory(db(), config.table('customers'), { ...noKeys, ...keys });

export const sessionDeps = (events: SessionDeps['events']): SessionDeps => ({
  clock,
  registrations: registrations(),
  events,
  session: config.session,
});

/** A day past the absolute lifetime: DynamoDB TTL only cleans up, code checks every expiry itself. */
const SIGN_IN_CLEANUP_MS = 86_400_000;

export const signIns = once(
  () =>
    new DynamoSignInStore(
      db(),
      config.table('signins'),
      config.signIn.maxSeconds * 1000 + SIGN_IN_CLEANUP_MS,
      { audit: tableOrUnused('audit'), users: tableOrUnused('users'), outbox: tableOrUnused('outbox') },
    ),
);

export const accounts = once(
  () =>
    new DynamoAccountStore(db(), {
      users: config.table('users'),
      codes: tableOrUnused('codes'),
      outbox: tableOrUnused('outbox'),
      audit: tableOrUnused('audit'),
    }),
);

/** What every signed-in call needs: the session, the user, the clock and the timeouts. */
export const signedInDeps = (events: SignedInDeps['events']): SignedInDeps => ({
  clock,
  events,
  signIns: signIns(),
  accounts: accounts(),
  rules: config.signIn,
});

export const recoveries = once(
  () =>
    new DynamoRecoveryStore(
      db(),
      { recoveries: config.table('recoveries'), codes: tableOrUnused('codes') },
      config.session.maxSeconds * 1000,
    ),
);

/** What every recovery call needs: the recovery session, the clock and the registration's timeouts. */
export const recoveryDeps = (events: RecoveryDeps['events']): RecoveryDeps => ({
  clock,
  recoveries: recoveries(),
  events,
  session: config.session,
});

/** Changes of a user's access (a recovery's R4, the assisted service) and what staff read of them. */
export const access = once(
  () =>
    new DynamoAccessStore(
      db(),
      {
        users: tableOrUnused('users'),
        limits: tableOrUnused('limits'),
        outbox: tableOrUnused('outbox'),
        audit: tableOrUnused('audit'),
        recoveries: tableOrUnused('recoveries'),
        signins: tableOrUnused('signins'),
      },
      config.session.maxSeconds * 1000,
    ),
);
