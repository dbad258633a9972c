// The audit trail's entry ids: they sort by time within a customer, and two entries of one millisecond
// never collide.
import type { RandomSource } from '../ports/system.ts';

export const auditEntryId = (at: number, random: RandomSource): string =>
  `${new Date(at).toISOString()}#${random.uuid()}`;
