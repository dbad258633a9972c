// `npm run privacy -- export|erase --customer <id>`: a data subject's request under Ecuador's LOPDP (access,
// erasure), against any DynamoDB. Local by default (DynamoDB at DYNAMODB_ENDPOINT, else 127.0.0.1:8000; tables
// <TABLE_PREFIX><name>, `local-` by default; keys from LOCAL_SECRETS_FILE, else .local/secrets.json):
//   DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm run privacy -- export --customer C-0001 > C-0001.json
// AWS (the tables' physical names and the HMAC key secret, as the data stack outputs them):
//   AWS_REGION=<region> CUSTOMERS_TABLE=... REGISTRATIONS_TABLE=... CODES_TABLE=... LIMITS_TABLE=... \
//   USERS_TABLE=... OUTBOX_TABLE=... HMAC_SECRET_ARN=<arn> npm run privacy -- erase --customer C-0001 --aws
// Export prints JSON: every item the service holds about the customer, as stored, except that hashes and keyed
// digests are withheld (they are not the customer's data and would help an offline guess). Erase deletes what
// no legal duty requires and keeps the rest, and prints what it did. docs/PRIVACY.md says which is which.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../lambdas/adapters/dynamodb/client.ts';
import { credentialDigestOf, customerKey } from '../lambdas/adapters/dynamodb/customer-directory.ts';
import { customerPointerId } from '../lambdas/adapters/dynamodb/registration-store.ts';
import { userKey, usernameItemKey } from '../lambdas/adapters/dynamodb/user-store.ts';
import { hmacKeyed } from '../lambdas/adapters/primitives.ts';
import { loadSecrets } from '../lambdas/adapters/secrets.ts';
import { parseConfig } from '../lambdas/config.ts';
import { activationCodeKey } from '../lambdas/digital-token/activation.ts';
import type { Keyed } from '../lambdas/ports/system.ts';
import { usernameKey } from '../lambdas/registration/registration.ts';
import {
  activationFailureKey,
  customerFailureKey,
  passwordLockKey,
  pinKey,
  recoveryCountKey,
  tokenFailureKey,
} from '../lambdas/rules/lock-keys.ts';
import { phoneLimitKey } from '../lambdas/rules/sms-code.ts';
import { type TableName, tableDefinitions, tableEnvVar, tableNames } from '../lambdas/tables.ts';
import { projectRoot } from '../lib/service-function.ts';

type Item = Record<string, unknown>;

export interface PrivacyDeps {
  db: DynamoDBDocumentClient;
  /** Physical table names. */
  tables: Record<TableName, string>;
  /** The service's HMAC key: phone counters are keyed by it. */
  keyed: Keyed;
  now: number;
}

/** What the service holds of one customer, found so far (later kinds look up from earlier ones). */
interface Found {
  kind: string;
  table: TableName;
  item: Item;
}

interface Lookup extends PrivacyDeps {
  customerId: string;
  found: Found[];
  of(kind: string): Item[];
}

export interface ItemKind {
  kind: string;
  table: TableName;
  /** The customer's items of this kind. */
  find(lookup: Lookup): Promise<Item[]>;
  /** Whether erase deletes an item; kept items need a legal duty, written in `reason`. */
  erase(item: Item, now: number): boolean;
  reason: string;
}

// ----------------------------------------------------------------------------------------------- look-ups

async function get(lookup: Lookup, table: TableName, key: string): Promise<Item[]> {
  const { Item: item } = await lookup.db.send(
    new GetCommand({
      TableName: lookup.tables[table],
      Key: { [tableDefinitions[table].partitionKey]: key },
      ConsistentRead: true,
    }),
  );
  return item ? [item] : [];
}

/** A filtered scan: the tool runs rarely, and these tables have no index by customer. */
async function scan(
  lookup: Lookup,
  table: TableName,
  filter: Pick<
    ScanCommandInput,
    'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await lookup.db.send(
      new ScanCommand({
        TableName: lookup.tables[table],
        ExclusiveStartKey: start,
        ConsistentRead: true,
        ...filter,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

const byCustomer = (lookup: Lookup, table: TableName) =>
  scan(lookup, table, {
    FilterExpression: 'customerId = :customer',
    ExpressionAttributeValues: { ':customer': lookup.customerId },
  });

const flat = async (lists: Promise<Item[]>[]): Promise<Item[]> => (await Promise.all(lists)).flat();

const always = () => true;
const never = () => false;
const LEGAL_DUTY =
  'kept: the bank must keep its customer and online-banking user records for its legal and regulatory duties';

/**
 * Every kind of item that can name a customer, one line each, in look-up order. A new item kind (a pointer
 * item, a session table) is one more entry here.
 */
export const itemKinds: readonly ItemKind[] = [
  {
    kind: 'customer',
    table: 'customers',
    find: (l) => get(l, 'customers', customerKey(l.customerId)),
    erase: never,
    reason: `${LEGAL_DUTY} (the directory is the bank's reference copy of its core system)`,
  },
  {
    kind: 'credential',
    table: 'customers',
    // The customer item carries its id too: only the credential items are taken here.
    find: async (l) =>
      (await byCustomer(l, 'customers')).filter((item) => credentialDigestOf(String(item.pk)) !== undefined),
    erase: never,
    reason: `${LEGAL_DUTY} (card, company and virtual-key credentials of the directory)`,
  },
  {
    kind: 'user',
    table: 'users',
    find: (l) => get(l, 'users', userKey(l.customerId)),
    erase: never,
    reason: `${LEGAL_DUTY} (the online-banking user created by the registration)`,
  },
  {
    kind: 'username',
    table: 'users',
    find: (l) =>
      flat(l.of('user').map((user) => get(l, 'users', usernameItemKey(usernameKey(String(user.username)))))),
    erase: never,
    reason: `${LEGAL_DUTY} (the user's permanent username)`,
  },
  {
    kind: 'registration',
    table: 'registrations',
    find: (l) => byCustomer(l, 'registrations'),
    erase: always,
    reason:
      'erased: a wizard session serves no duty once the customer asks (TTL deletes it within a day anyway)',
  },
  {
    kind: 'registration-pointer',
    table: 'registrations',
    find: (l) => get(l, 'registrations', customerPointerId(l.customerId)),
    erase: always,
    reason: "erased: the pointer to the customer's open registration (one open registration per customer)",
  },
  {
    kind: 'sms-code',
    table: 'codes',
    find: (l) => flat(l.of('registration').map((r) => get(l, 'codes', String(r.registrationId)))),
    erase: always,
    reason: "erased: a registration's one-time code",
  },
  {
    kind: 'username-reservation',
    table: 'users',
    find: async (l) => {
      const held = await flat(
        l
          .of('registration')
          .filter((r) => typeof r.username === 'string')
          .map((r) => get(l, 'users', usernameItemKey(usernameKey(r.username as string)))),
      );
      const ids = new Set(l.of('registration').map((r) => r.registrationId));
      return held.filter((item) => item.kind === 'reservation' && ids.has(item.registrationId));
    },
    erase: always,
    reason: "erased: a username held for one of the customer's registrations",
  },
  {
    kind: 'pin-counter',
    table: 'limits',
    find: (l) =>
      flat(
        l.of('credential').flatMap((credential) => {
          const digest = credentialDigestOf(String(credential.pk));
          return digest ? [get(l, 'limits', pinKey(digest))] : [];
        }),
      ),
    // An engaged lock protects the customer's own credential from guessing; it ends by itself (TTL).
    erase: (item, now) => !(typeof item.lockedUntil === 'number' && item.lockedUntil > now),
    reason:
      "erased: PIN-try counters of the customer's credentials; an engaged lock is kept until it ends, as a security measure",
  },
  {
    kind: 'phone-counter',
    table: 'limits',
    find: (l) =>
      flat(
        l.of('customer').map((customer) => get(l, 'limits', phoneLimitKey(l.keyed, String(customer.phone)))),
      ),
    erase: always,
    reason: "erased: SMS sends in the last hour to the customer's phone (keyed by HMAC of the number)",
  },
  {
    kind: 'code-failure-counter',
    table: 'limits',
    find: (l) => get(l, 'limits', customerFailureKey(l.customerId)),
    erase: always,
    reason:
      "erased: the customer's wrong SMS codes across registrations (a lock it engaged is on the credentials)",
  },
  {
    kind: 'sign-in',
    table: 'signins',
    find: (l) =>
      scan(l, 'signins', {
        FilterExpression: 'userPk = :user',
        ExpressionAttributeValues: { ':user': userKey(l.customerId) },
      }),
    erase: always,
    reason:
      "erased: the user's sign-in attempts and signed-in sessions (erasing a session signs the user out)",
  },
  {
    kind: 'activation-code',
    table: 'codes',
    find: (l) =>
      flat(
        l
          .of('sign-in')
          .filter((item) => typeof item.sessionId === 'string')
          .map((session) => get(l, 'codes', activationCodeKey(String(session.sessionId)))),
      ),
    erase: always,
    reason: "erased: a signed-in session's SMS code for the digital-token activation",
  },
  {
    kind: 'password-counter',
    table: 'limits',
    find: (l) =>
      flat(
        l
          .of('user')
          .map((user) => get(l, 'limits', passwordLockKey(l.keyed, usernameKey(String(user.username))))),
      ),
    // As for the PIN: an engaged lock protects the customer's own account and ends by itself.
    erase: (item, now) => !(typeof item.lockedUntil === 'number' && item.lockedUntil > now),
    reason: "erased: wrong-password tries of the user's username; an engaged lock is kept until it ends",
  },
  {
    kind: 'token-failure-counter',
    table: 'limits',
    find: (l) => flat(l.of('user').map((user) => get(l, 'limits', tokenFailureKey(String(user.userId))))),
    // Full, this window is what locks the token step against guessing; it leaves by itself (TTL).
    erase: never,
    reason:
      "kept until its TTL (at most PASSWORD_LOCK_SECONDS after the last wrong code): the user's wrong digital-token codes, which lock the token step when they reach their bound, a security measure",
  },
  {
    kind: 'activation-failure-counter',
    table: 'limits',
    find: (l) => get(l, 'limits', activationFailureKey(l.customerId)),
    erase: never,
    reason:
      "kept until its TTL (at most PIN_LOCK_SECONDS after the last wrong code): the customer's wrong token-activation codes, which refuse activation codes when they reach their bound, a security measure",
  },
  {
    kind: 'recovery',
    table: 'recoveries',
    find: (l) => byCustomer(l, 'recoveries'),
    erase: always,
    reason:
      'erased: a recovery session serves no duty once the customer asks (TTL deletes it within a day anyway)',
  },
  {
    kind: 'recovery-pointer',
    table: 'recoveries',
    find: (l) => get(l, 'recoveries', `customer#${l.customerId}`),
    erase: always,
    reason: "erased: the pointer to the customer's last recovery (what staff see as the open one)",
  },
  {
    kind: 'recovery-code',
    table: 'codes',
    find: (l) => flat(l.of('recovery').map((r) => get(l, 'codes', String(r.recoveryId)))),
    erase: always,
    reason: "erased: a recovery's one-time code",
  },
  {
    kind: 'recovery-counter',
    table: 'limits',
    find: (l) => get(l, 'limits', recoveryCountKey(l.customerId)),
    erase: never,
    reason:
      "kept until its TTL (at most a day after the last recovery): the customer's completed recoveries, which bound recoveries a day, a security measure",
  },
  {
    kind: 'audit-entry',
    table: 'audit',
    find: (l) => byCustomer(l, 'audit'),
    erase: never,
    reason: `${LEGAL_DUTY} (the append-only trail of who changed the customer's access, when and why)`,
  },
  {
    kind: 'completion-email',
    table: 'outbox',
    find: (l) => byCustomer(l, 'outbox'),
    erase: (item) => item.status !== 'sent',
    reason:
      'erased while pending; a sent one is kept until its TTL (7 days) as the record that the customer was notified',
  },
];

// -------------------------------------------------------------------------------------------- the verbs

async function collect(deps: PrivacyDeps, customerId: string): Promise<Found[]> {
  const found: Found[] = [];
  const lookup: Lookup = {
    ...deps,
    customerId,
    found,
    of: (kind) => found.filter((f) => f.kind === kind).map((f) => f.item),
  };
  for (const kind of itemKinds) {
    for (const item of await kind.find(lookup)) found.push({ kind: kind.kind, table: kind.table, item });
  }
  return found;
}

/** A SHA-256 or HMAC-SHA256 in base64url, wherever it sits (a key, a token hash, a code digest). */
const digestPattern = /[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
const hashAttribute = /hash|hmac/i;

/** The item as stored, with every hash and keyed digest withheld. */
export function withheld(value: unknown, name = ''): unknown {
  if (hashAttribute.test(name) && value !== undefined) return '[withheld: one-way hash]';
  if (typeof value === 'string') return value.replace(digestPattern, '[withheld: keyed digest]');
  if (Array.isArray(value)) return value.map((entry) => withheld(entry));
  if (value instanceof Set) return [...value].map((entry) => withheld(entry));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withheld(entry, key)]));
  }
  return value;
}

export interface ExportedItem {
  table: TableName;
  kind: string;
  onErasure: 'erased' | 'kept';
  reason: string;
  item: unknown;
}

export interface PrivacyExport {
  customerId: string;
  exportedAt: string;
  items: ExportedItem[];
}

const kindOf = (name: string): ItemKind => itemKinds.find((k) => k.kind === name) as ItemKind;

export async function exportCustomer(deps: PrivacyDeps, customerId: string): Promise<PrivacyExport> {
  const found = await collect(deps, customerId);
  return {
    customerId,
    exportedAt: new Date(deps.now).toISOString(),
    items: found.map(({ kind, table, item }) => ({
      table,
      kind,
      onErasure: kindOf(kind).erase(item, deps.now) ? 'erased' : 'kept',
      reason: kindOf(kind).reason,
      item: withheld(item),
    })),
  };
}

export interface ErasureReport {
  customerId: string;
  erasedAt: string;
  erased: Record<string, number>;
  kept: Record<string, { count: number; reason: string }>;
}

export async function eraseCustomer(deps: PrivacyDeps, customerId: string): Promise<ErasureReport> {
  const found = await collect(deps, customerId);
  const report: ErasureReport = {
    customerId,
    erasedAt: new Date(deps.now).toISOString(),
    erased: {},
    kept: {},
  };
  for (const { kind, table, item } of found) {
    const itemKind = kindOf(kind);
    if (!itemKind.erase(item, deps.now)) {
      const kept = report.kept[kind] ?? { count: 0, reason: itemKind.reason };
      kept.count += 1;
      report.kept[kind] = kept;
      continue;
    }
    const keyName = tableDefinitions[table].partitionKey;
    await deps.db.send(
      new DeleteCommand({ TableName: deps.tables[table], Key: { [keyName]: item[keyName] } }),
    );
    report.erased[kind] = (report.erased[kind] ?? 0) + 1;
  }
  return report;
}

// ---------------------------------------------------------------------------------------------- wiring

/** The deps from the environment, with the local defaults of the other bin tools. */
export async function privacyDeps(env: NodeJS.ProcessEnv, aws: boolean): Promise<PrivacyDeps> {
  const missing = tableNames.map(tableEnvVar).filter((name) => !env[name]);
  if (aws && missing.length > 0) {
    // A prefix guess against AWS would read (or delete in) the wrong tables: the names must be given.
    throw new Error(`--aws needs the tables' physical names: set ${missing.join(', ')} (Data stack outputs)`);
  }
  const prefix = env.TABLE_PREFIX ?? 'local-';
  const config = parseConfig({
    ...env,
    ...(aws
      ? {}
      : {
          DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:8000',
          LOCAL_SECRETS_FILE: env.LOCAL_SECRETS_FILE ?? join(projectRoot, '.local', 'secrets.json'),
        }),
    ...Object.fromEntries(
      tableNames.map((name) => [tableEnvVar(name), env[tableEnvVar(name)] ?? `${prefix}${name}`]),
    ),
  });
  const { hmacKey } = await loadSecrets(config, { hmacKey: true });
  return {
    db: createDocumentClient({ endpoint: config.dynamodbEndpoint }),
    tables: Object.fromEntries(tableNames.map((name) => [name, config.table(name)])) as Record<
      TableName,
      string
    >,
    keyed: hmacKeyed(hmacKey as Buffer),
    now: Date.now(),
  };
}

const usage =
  'usage: npm run privacy -- export|erase --customer <id> [--aws] (see the header of bin/privacy.ts)\n';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { customer: { type: 'string' }, aws: { type: 'boolean', default: false } },
  });
  const verb = positionals[0];
  if ((verb !== 'export' && verb !== 'erase') || !values.customer || positionals.length !== 1) {
    process.stderr.write(usage);
    process.exit(2);
  }
  const deps = await privacyDeps(process.env, values.aws);
  const result =
    verb === 'export'
      ? await exportCustomer(deps, values.customer)
      : await eraseCustomer(deps, values.customer);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
