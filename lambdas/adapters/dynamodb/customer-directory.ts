// The reference customer directory: a DynamoDB table in which credentials are keyed by HMAC of their
// identifier and PINs are argon2id hashes. A bank replaces this adapter with one for its core system.
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Credential,
  type CredentialSummary,
  type Customer,
  type CustomerDirectory,
  credentialIdentifier,
} from '../../ports/customer-directory.ts';
import type { Hasher, Keyed } from '../../ports/system.ts';
import { dummyHash, verifyOrDummy } from '../../rules/equal-work.ts';
import { storage } from './client.ts';

interface CredentialItem {
  pk: string;
  customerId: string;
  type: Credential['type'];
  pinHash: string;
  status: 'active' | 'blocked';
  last4?: string;
  expiryMonth?: number;
  expiryYear?: number;
}

export const customerKey = (customerId: string): string => `CUSTOMER#${customerId}`;
const CREDENTIAL_PREFIX = 'CREDENTIAL#';
/** A credential item's key: the keyed digest of its identifier (card number, RUC + cédula, cédula). */
export const credentialKey = (digest: string): string => `${CREDENTIAL_PREFIX}${digest}`;
/** The staff look-up item of a cédula or RUC: the keyed digest of the number, never the number. */
export const identityKey = (digest: string): string => `IDENTITY#${digest}`;
/** The digest back from a credential item's key, or undefined for a customer item. */
export const credentialDigestOf = (pk: string): string | undefined =>
  pk.startsWith(CREDENTIAL_PREFIX) ? pk.slice(CREDENTIAL_PREFIX.length) : undefined;

export class DynamoCustomerDirectory implements CustomerDirectory {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** Resolved on first use: reading a customer needs neither the HMAC key nor the pepper. */
    private readonly secrets: { keyed: () => Promise<Keyed>; hasher: () => Promise<Hasher> },
  ) {}

  private async get(pk: string) {
    const result = await storage(() => this.db.send(new GetCommand({ TableName: this.table, Key: { pk } })));
    return result.Item;
  }

  async authenticate(credential: Credential): Promise<Customer | undefined> {
    const [keyed, hasher] = await Promise.all([this.secrets.keyed(), this.secrets.hasher()]);
    // Made before the look-up, whatever it finds: the first call of a process costs the same either way.
    await dummyHash(hasher);
    const item = await this.findCredential(keyed.digests('credential', credentialIdentifier(credential)));
    const pinMatches = await verifyOrDummy(hasher, item?.pinHash, credential.pin);
    if (!item || !pinMatches || item.status !== 'active') return undefined;
    if (
      credential.type === 'card' &&
      (item.expiryMonth !== credential.expiryMonth || item.expiryYear !== credential.expiryYear)
    ) {
      return undefined;
    }
    return this.getCustomer(item.customerId);
  }

  /**
   * The credential under the first digest that has one: the current key's, then a staged or previous key's
   * (rule 62), so a directory loaded before a rotation keeps answering until it is loaded again.
   */
  private async findCredential(digests: string[]): Promise<CredentialItem | undefined> {
    for (const digest of digests) {
      const item = (await this.get(credentialKey(digest))) as CredentialItem | undefined;
      if (item) return item;
    }
    return undefined;
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const item = await this.get(customerKey(customerId));
    if (!item) return undefined;
    return {
      customerId: item.customerId,
      ...(typeof item.name === 'string' ? { name: item.name } : {}),
      cedula: item.cedula,
      identityNumbers: item.identityNumbers ?? [],
      phone: item.phone,
      email: item.email,
      registered: item.registered === true,
    };
  }

  async credentialKeys(customerId: string): Promise<string[]> {
    const item = await this.get(customerKey(customerId));
    return (item?.credentialKeys as string[] | undefined) ?? [];
  }

  async credentials(customerId: string): Promise<CredentialSummary[]> {
    const digests = await this.credentialKeys(customerId);
    const items = await Promise.all(digests.map((digest) => this.get(credentialKey(digest))));
    return digests.map((digest, index) => {
      const item = items[index] as CredentialItem | undefined;
      return {
        digest,
        type: item?.type ?? 'card',
        ...(item?.last4 ? { last4: item.last4 } : {}),
      };
    });
  }

  async findByIdentityNumber(identityNumber: string): Promise<string[]> {
    const keyed = await this.secrets.keyed();
    const item = await this.get(identityKey(keyed.digest('identity', identityNumber)));
    return (item?.customerIds as string[] | undefined) ?? [];
  }
}

export interface DirectoryRecord {
  customer: Customer & { name: string };
  credentials: (Credential & { status?: 'active' | 'blocked' })[];
}

/** Writes customers and their credentials, hashing PINs and keying identifiers as it goes. */
export async function writeDirectory(
  db: DynamoDBDocumentClient,
  table: string,
  keyed: Keyed,
  hasher: Hasher,
  records: DirectoryRecord[],
): Promise<{ customers: number; credentials: number }> {
  const credentialItem = async (customerId: string, credential: DirectoryRecord['credentials'][number]) => {
    const item: CredentialItem = {
      pk: credentialKey(keyed.digest('credential', credentialIdentifier(credential))),
      customerId,
      type: credential.type,
      pinHash: await hasher.hash(credential.pin),
      status: credential.status ?? 'active',
      ...(credential.type === 'card'
        ? {
            last4: credential.cardNumber.slice(-4),
            expiryMonth: credential.expiryMonth,
            expiryYear: credential.expiryYear,
          }
        : {}),
    };
    return { ...item };
  };
  const items: Record<string, unknown>[] = [];
  // argon2 runs on libuv's thread pool: a few hashes at a time use the cores without flooding memory.
  const HASHES_AT_ONCE = 4;
  const pending = records.flatMap(({ customer, credentials }) =>
    credentials.map((credential) => () => credentialItem(customer.customerId, credential)),
  );
  for (let i = 0; i < pending.length; i += HASHES_AT_ONCE) {
    items.push(...(await Promise.all(pending.slice(i, i + HASHES_AT_ONCE).map((make) => make()))));
  }
  // The staff look-up of a cédula or RUC: one item per number, naming every customer that holds it.
  const holders = new Map<string, Set<string>>();
  for (const { customer } of records) {
    for (const number of customer.identityNumbers) {
      holders.set(number, (holders.get(number) ?? new Set()).add(customer.customerId));
    }
  }
  items.push(
    ...[...holders].map(([number, customerIds]) => ({
      pk: identityKey(keyed.digest('identity', number)),
      customerIds: [...customerIds].sort(),
    })),
  );
  // The customer item lists its credentials' digests (never the identifiers), to lock them all (rule 40).
  items.push(
    ...records.map(({ customer, credentials }) => ({
      pk: customerKey(customer.customerId),
      ...customer,
      credentialKeys: credentials.map((c) => keyed.digest('credential', credentialIdentifier(c))),
    })),
  );
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await storage(() =>
        db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })),
      );
      pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
  return { customers: records.length, credentials: items.length - records.length - holders.size };
}
