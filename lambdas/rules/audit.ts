// The audit trail's entry ids: they sort by time within a customer, and two entries of one millisecond
// never collide.
import type { AuditEntry } from '../ports/recovery.ts';
import type { RandomSource } from '../ports/system.ts';

export const auditEntryId = (at: number, random: RandomSource): string =>
  `${new Date(at).toISOString()}#${random.uuid()}`;

/** A new audit entry at `at`, with its sortable id. */
export const auditEntry = (
  random: RandomSource,
  at: number,
  entry: Omit<AuditEntry, 'eventId' | 'at'>,
): AuditEntry => ({ ...entry, eventId: auditEntryId(at, random), at });
