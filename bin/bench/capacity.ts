// Counts DynamoDB capacity units per wizard step: an SDK middleware asks every call for
// ReturnConsumedCapacity TOTAL and adds what each answer reports to the step being measured.
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const READS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
]);

/** DynamoDB's item size: attribute names plus values (numbers about one byte per two digits). */
function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/\D/g, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return 3 + value.reduce((total: number, v) => total + 1 + valueSize(v), 0);
  if (value !== null && typeof value === 'object') return 3 + itemSize(value as Record<string, unknown>);
  return 1;
}
export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce(
    (total, [name, value]) => total + Buffer.byteLength(name) + 1 + valueSize(value),
    0,
  );

/**
 * What AWS bills for TransactWriteItems: two write units per item and KB. DynamoDB Local reports four units
 * per table touched whatever the items, so transactions are priced here from the items themselves. Updates,
 * deletes and condition checks are counted as items of at most 1 KB (true of the codes and reservations).
 */
function transactionWriteUnits(items: Record<string, { Item?: Record<string, unknown> }>[]): number {
  return items.reduce((total, entry) => {
    const put = entry.Put?.Item;
    return total + 2 * (put ? Math.max(1, Math.ceil(itemSize(put) / 1024)) : 1);
  }, 0);
}

export interface StepUsage {
  read: number;
  /** Write units as AWS bills them. */
  write: number;
  /** Write units as DynamoDB Local reports them (differs for transactions). */
  localWrite: number;
  calls: number;
  /** Calls that failed (a lost condition still costs a write unit in DynamoDB, but reports none). */
  failed: number;
  /** The operations of the last measured call sequence, e.g. GetItem, TransactWriteItems(2). */
  ops: string[];
}

export class CapacityMeter {
  /** The step the next calls belong to; undefined stops counting. */
  step: string | undefined;
  readonly usage = new Map<string, StepUsage>();
  private sequence: string[] = [];

  attach(client: DynamoDBDocumentClient, name: string): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const step = this.step;
        const input = args.input as Record<string, unknown>;
        const command = context.commandName ?? 'unknown';
        try {
          const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } });
          if (step !== undefined) {
            const output = result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };
            this.add(step, command, output.ConsumedCapacity, input);
          }
          return result;
        } catch (error) {
          if (step !== undefined) this.entry(step).failed += 1;
          throw error;
        }
      },
      { step: 'initialize', name, override: true },
    );
  }

  /** Starts a new call sequence for `step` (the operations list shows the last one). */
  begin(step: string): void {
    this.step = step;
    this.sequence = [];
  }

  end(): void {
    if (this.step !== undefined) this.entry(this.step).ops = this.sequence;
    this.step = undefined;
  }

  private entry(step: string): StepUsage {
    let usage = this.usage.get(step);
    if (!usage) {
      usage = { read: 0, write: 0, localWrite: 0, calls: 0, failed: 0, ops: [] };
      this.usage.set(step, usage);
    }
    return usage;
  }

  private add(
    step: string,
    command: string,
    consumed: ConsumedCapacity | ConsumedCapacity[] | undefined,
    input: Record<string, unknown>,
  ): void {
    const usage = this.entry(step);
    const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
      (total, c) => total + (c.CapacityUnits ?? 0),
      0,
    );
    const transaction = Array.isArray(input.TransactItems) ? input.TransactItems : undefined;
    if (READS.has(command)) usage.read += units;
    else {
      usage.localWrite += units;
      usage.write +=
        transaction && command === 'TransactWriteItemsCommand' ? transactionWriteUnits(transaction) : units;
    }
    usage.calls += 1;
    const items = transaction ? `(${transaction.length})` : '';
    this.sequence.push(`${command.replace(/Command$/, '')}${items}`);
  }
}
