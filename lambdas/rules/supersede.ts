// One open session per customer (rule 41 for registrations, the same for recoveries): a new step 1 or R1
// opens its session and closes the customer's other open one in the same transaction, so the older token
// dies. A parallel write of the same customer makes it lose; it reads again and retries, then fails closed.
import { ConflictError, type Superseded } from '../ports/stores.ts';
import { DependencyError } from './errors.ts';

interface SessionItem {
  status: 'open' | 'completed' | 'cancelled';
  version: number;
  lastSeenAt: number;
}

export interface SessionsOfCustomer<T extends SessionItem> {
  lastOpenedBy(customerId: string): Promise<string | undefined>;
  get(id: string): Promise<T | undefined>;
  create(item: T, superseded: Superseded<T>): Promise<void>;
}

/**
 * Creates `item` in place of the customer's open one and returns the closed one, if any. `extra` adds what
 * closing frees besides (a registration's username reservation).
 */
export async function openInPlaceOfOthers<T extends SessionItem>(
  store: SessionsOfCustomer<T>,
  customerId: string,
  item: T,
  now: number,
  extra: (previous: T) => Pick<NonNullable<Superseded<T>['close']>, 'usernameKey'> = () => ({}),
): Promise<T | undefined> {
  for (let round = 0; round < 3; round++) {
    const pointer = await store.lastOpenedBy(customerId);
    const previous = pointer ? await store.get(pointer) : undefined;
    const close =
      previous?.status === 'open'
        ? {
            next: {
              ...previous,
              status: 'cancelled' as const,
              version: previous.version + 1,
              lastSeenAt: now,
            },
            expectedVersion: previous.version,
            ...extra(previous),
          }
        : undefined;
    try {
      await store.create(item, { pointer, close });
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    return close?.next;
  }
  throw new DependencyError('an R1 or step 1 kept losing to parallel writes of the same customer');
}
