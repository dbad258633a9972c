// The DynamoDB tables of the service: one definition drives the CDK stateful stack and the local table setup.

export type TableName = 'customers' | 'registrations' | 'codes' | 'limits' | 'users' | 'outbox' | 'signins';

export interface TableDefinition {
  /** Partition key attribute (string). No table needs a sort key. */
  partitionKey: string;
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
      'Online users (one item per customer, CUSTOMER#<id>) and their usernames (reserved or permanent)',
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
  },
};

export const tableNames = Object.keys(tableDefinitions) as TableName[];

/** The environment variable that carries a table's physical name, e.g. REGISTRATIONS_TABLE. */
export const tableEnvVar = (name: TableName): string => `${name.toUpperCase()}_TABLE`;
