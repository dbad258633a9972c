// One DynamoDB document client per process, pointed at AWS or at DynamoDB Local by configuration.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../ports/stores.ts';
import { DependencyError } from '../../rules/errors.ts';

/** The low-level client (tools that copy items as they are, numbers and sets untouched, use it directly). */
export function createDynamoClient(options: { endpoint?: string; region?: string } = {}): DynamoDBClient {
  const local = options.endpoint !== undefined;
  return new DynamoDBClient({
    ...(local
      ? {
          endpoint: options.endpoint,
          region: options.region ?? 'local',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    maxAttempts: 3,
  });
}

export function createDocumentClient(
  options: { endpoint?: string; region?: string } = {},
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoClient(options), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** Runs one storage call: a lost condition is `onCondition` (or rethrown), anything else fails closed. */
export async function storage<T>(call: () => Promise<T>, onCondition?: () => T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isConditionFailure(error) && onCondition) return onCondition();
    if (error instanceof ConflictError) throw error;
    throw new DependencyError('DynamoDB call failed', { cause: error });
  }
}

/**
 * Runs a transaction, mapping the failure of item `i` to the conflict `reasons[i]` names: a failed condition,
 * or a parallel transaction on the same item (TransactionConflict), which for a username or a customer link
 * is the other claimant.
 */
export async function transaction(
  call: () => Promise<unknown>,
  reasons: (ConflictError['reason'] | undefined)[],
): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') {
      throw new DependencyError('DynamoDB transaction failed', { cause: error });
    }
    const codes = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
      (r) => r.Code,
    );
    const failed = (code: string) => codes.indexOf(code);
    const index =
      failed('ConditionalCheckFailed') >= 0
        ? failed('ConditionalCheckFailed')
        : failed('TransactionConflict');
    const reason = index >= 0 ? reasons[index] : undefined;
    if (reason) throw new ConflictError(reason);
    throw new DependencyError('DynamoDB transaction cancelled', { cause: error });
  }
}

/** One GetItem of a key no item has: proves the table, the grant and the endpoint without reading any data. */
export async function probeTable(db: DynamoDBDocumentClient, table: string, key: Record<string, string>) {
  await storage(() => db.send(new GetCommand({ TableName: table, Key: key })));
}

export const epochSeconds = (ms: number): number => Math.ceil(ms / 1000);

/**
 * Records activity on an open session item (a registration, a recovery) for its idle timeout, without moving
 * its step; a closed item, or a touch older than the stored one, is left as it is.
 */
export async function touchOpen(
  db: DynamoDBDocumentClient,
  table: string,
  key: Record<string, string>,
  now: number,
): Promise<void> {
  await storage(
    () =>
      db.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET lastSeenAt = :now',
          ConditionExpression: '#status = :open AND lastSeenAt < :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': now, ':open': 'open' },
        }),
      ),
    () => undefined,
  );
}
