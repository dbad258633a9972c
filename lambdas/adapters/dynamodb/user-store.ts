// Users, usernames and customer links as the wizard reads them; the writes happen in the registration
// store's transactions.
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { UsernameHolder, UserStore } from '../../ports/stores.ts';
import { storage } from './client.ts';

/** The user item of a customer (one per customer: its absence is the "one user" condition). */
export const userKey = (customerId: string): string => `CUSTOMER#${customerId}`;
/** A username's item: a reservation of an open registration, or the permanent username of a user. */
export const usernameItemKey = (usernameKey: string): string => `USERNAME#${usernameKey}`;

export class DynamoUserStore implements UserStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async item(pk: string) {
    const result = await storage(() =>
      this.db.send(new GetCommand({ TableName: this.table, Key: { pk }, ConsistentRead: true })),
    );
    return result.Item;
  }

  async usernameHolder(usernameKey: string): Promise<UsernameHolder | undefined> {
    const item = await this.item(usernameItemKey(usernameKey));
    if (!item) return undefined;
    if (item.kind === 'user') return { kind: 'user' };
    return { kind: 'reservation', registrationId: item.registrationId, expiresAt: item.expiresAt };
  }

  async customerHasUser(customerId: string): Promise<boolean> {
    return (await this.item(userKey(customerId))) !== undefined;
  }
}
