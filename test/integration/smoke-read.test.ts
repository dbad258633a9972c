// Issue 22, item 5: the deploy hook's smoke event reaches a read on DynamoDB. A real handler module, wired by
// its own composition root from the environment the stack gives it, answers the event against DynamoDB Local.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { tableEnvVar } from '../../lambdas/tables.ts';
import { smokeEvent } from '../../lib/deploy-hook.ts';
import { freshTables, type TestTables } from '../support/integration.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** The get-registration function as Lambda would load it, with the variables its ServiceFunction sets. */
async function loadFunction(registrationsTable: string): Promise<Handler> {
  vi.resetModules();
  vi.stubEnv('DYNAMODB_ENDPOINT', inject('dynamodbEndpoint'));
  vi.stubEnv(tableEnvVar('registrations'), registrationsTable);
  vi.stubEnv('SMOKE_READ_TABLE', 'registrations');
  vi.stubEnv('LOG_LEVEL', 'silent');
  return (await import('../../lambdas/handlers/get-registration.ts')).handler as unknown as Handler;
}

const invoke = (handler: Handler) =>
  handler(smokeEvent as unknown as APIGatewayProxyEvent, { awsRequestId: 'smoke' } as Context);

describe("the deploy hook's smoke call", () => {
  let tables: TestTables;

  beforeAll(async () => {
    tables = await freshTables('smoke');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the table the function may read and answers 200', async () => {
    // Prepare
    const handler = await loadFunction(tables.names.registrations);

    // Act
    const result = await invoke(handler);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ smoke: 'ok', reads: 1 });
  });

  it('answers 503 when the read fails (a table that is not there), so the hook fails the deployment', async () => {
    // Prepare
    const handler = await loadFunction(`${tables.prefix}no-such-table`);

    // Act
    const result = await invoke(handler);

    // Assess
    expect(result.statusCode).toBe(503);
  });

  it('the outbox stream consumer reads its table too, and errs (a Lambda error) when it cannot', async () => {
    // Prepare
    const load = async (customersTable: string) => {
      vi.resetModules();
      vi.stubEnv('DYNAMODB_ENDPOINT', inject('dynamodbEndpoint'));
      vi.stubEnv(tableEnvVar('customers'), customersTable);
      vi.stubEnv(tableEnvVar('outbox'), tables.names.outbox);
      vi.stubEnv('SMOKE_READ_TABLE', 'customers');
      vi.stubEnv('LOG_LEVEL', 'silent');
      return (await import('../../lambdas/handlers/send-completion-email.ts')).handler as unknown as (
        event: unknown,
      ) => Promise<unknown>;
    };

    // Act
    const answered = await (await load(tables.names.customers))(smokeEvent);
    const failed = await (await load(`${tables.prefix}no-such-table`))(smokeEvent).catch(
      (error: Error) => error,
    );

    // Assess
    expect(answered).toEqual({ batchItemFailures: [] });
    expect(failed).toBeInstanceOf(Error);
  });
});
