// The DynamoDB tables of the service: one definition drives the CDK stateful stack and the local table setup.

export type TableName =
  | 'customers'
  | 'registrations'
  | 'recoveries'
  | 'codes'
  | 'limits'
  | 'users'
  | 'outbox'
  | 'signins'
  | 'audit';

/** A global secondary index (all attributes projected). */
export interface IndexDefinition {
  name: string;
  partitionKey: string;
  /** Numeric sort key. */
  sortKey: string;
}

export interface TableDefinition {
  /** Partition key attribute (string). */
  partitionKey: string;
  /** Sort key attribute (string); only the audit trail has one. */
  sortKey?: string;
  indexes?: IndexDefinition[];
  /** Epoch-seconds attribute DynamoDB TTL deletes by; expiry itself is always checked in code. */
  ttlAttribute?: string;
  /** Holds data the bank cannot lose: RETAIN and deletion protection in every stage. */
  holdsUsers: boolean;
  /** Stream of new images, consumed by the completion-email sender. */
  stream: boolean;
  description: string;
}

export const tableDefinitions: Record<TableName, TableDefinition> = {
  customers: {
    partitionKey: 'pk',
    holdsUsers: true,
    stream: false,
    description:
      'Reference customer directory: customers, and credentials keyed by HMAC with argon2id PIN hashes',
  },
  registrations: {
    partitionKey: 'registrationId',
    ttlAttribute: 'ttl',
    holdsUsers: false,
    stream: false,
    description: 'Open wizard sessions: current step, version, token hash, hashed answers',
  },
  recoveries: {
    partitionKey: 'recoveryId',
    ttlAttribute: 'ttl',
    holdsUsers: false,
    stream: false,
    description: 'Open recoveries (forgotten password, lost phone): current step, version, token hash',
  },
  codes: {
    partitionKey: 'registrationId',
    ttlAttribute: 'ttl',
    holdsUsers: false,
    stream: false,
    description: 'SMS one-time codes as keyed HMAC, with attempts and sends',
  },
  limits: {
    partitionKey: 'pk',
    ttlAttribute: 'ttl',
    holdsUsers: false,
    stream: false,
    description: 'Velocity counters and PIN locks',
  },
  users: {
    partitionKey: 'pk',
    ttlAttribute: 'ttl',
    holdsUsers: true,
    stream: false,
    description:
      'Online users (one item per customer, CUSTOMER#<id>), their usernames (reserved or permanent) and «No fui yo» links (REPORT#<hash>)',
    // The hold sweep finds the held token resets that ended (sparse: only users with a held reset).
    indexes: [{ name: 'byHoldEnd', partitionKey: 'holdQueue', sortKey: 'holdUntil' }],
  },
  outbox: {
    partitionKey: 'messageId',
    ttlAttribute: 'ttl',
    holdsUsers: false,
    stream: true,
    description:
      'Customer emails (completion, token activation) written in the same transaction as what they tell, sent from the stream',
  },
  signins: {
    partitionKey: 'pk',
    ttlAttribute: 'ttl',
    holdsUsers: false,
    stream: false,
    description: 'Sign-in attempts (SIGNIN#<id>) and signed-in sessions (SESSION#<token hash>)',
    // The assisted service lists a user's open sign-ins and sessions.
    indexes: [{ name: 'byUser', partitionKey: 'userPk', sortKey: 'createdAt' }],
  },
  audit: {
    partitionKey: 'customerId',
    sortKey: 'eventId',
    holdsUsers: true,
    stream: false,
    description:
      "Append-only trail of a customer's security events: recoveries, locks, and every assisted-service change with who made it and why",
  },
};

export const tableNames = Object.keys(tableDefinitions) as TableName[];

/** The environment variable that carries a table's physical name, e.g. REGISTRATIONS_TABLE. */
export const tableEnvVar = (name: TableName): string => `${name.toUpperCase()}_TABLE`;
