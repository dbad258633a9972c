// CodeDeploy's BeforeAllowTraffic hook (second audit, finding 8), run from its own inline source with the
// two SDK clients the Lambda runtime provides replaced by recording fakes.
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../lambdas/adapters/event-log.ts';
import { apiHandler } from '../../lambdas/http/api-handler.ts';
import { deployHookSource, smokeEvent } from '../../lib/deploy-hook.ts';

type Sent = { command: string; input: Record<string, unknown> };

function loadHook(invoke: (input: Record<string, unknown>) => Promise<Record<string, unknown>>) {
  const sent: Sent[] = [];
  const command = (name: string) =>
    class {
      constructor(readonly input: Record<string, unknown>) {}
      readonly name = name;
    };
  const appSpec = {
    version: 0.0,
    Resources: [
      {
        StartRegistrationFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Name: 'svc-StartRegistration',
            Alias: 'live',
            CurrentVersion: '6',
            TargetVersion: '7',
          },
        },
      },
    ],
  };
  const client = (handle: (c: { name: string; input: Record<string, unknown> }) => Promise<unknown>) =>
    class {
      send(c: { name: string; input: Record<string, unknown> }) {
        sent.push({ command: c.name, input: c.input });
        return handle(c);
      }
    };
  const modules: Record<string, unknown> = {
    '@aws-sdk/client-codedeploy': {
      CodeDeployClient: client(async (c) =>
        c.name === 'GetDeployment'
          ? { deploymentInfo: { revision: { appSpecContent: { content: JSON.stringify(appSpec) } } } }
          : {},
      ),
      GetDeploymentCommand: command('GetDeployment'),
      PutLifecycleEventHookExecutionStatusCommand: command('PutStatus'),
    },
    '@aws-sdk/client-lambda': {
      LambdaClient: client(async (c) => invoke(c.input)),
      InvokeCommand: command('Invoke'),
    },
  };
  const module = { exports: {} as { handler: (event: unknown) => Promise<string> } };
  runInNewContext(deployHookSource, {
    require: (name: string) => modules[name],
    module,
    exports: module.exports,
    console: { log: () => undefined },
    JSON,
    Object,
    String,
    Error,
    Buffer,
  });
  const event = { DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-1' };
  return { run: () => module.exports.handler(event), sent };
}

/** What Lambda's Invoke returns as the payload of an API function's answer. */
const answer = (statusCode: number) => new TextEncoder().encode(JSON.stringify({ statusCode, body: '{}' }));

describe('the BeforeAllowTraffic hook', () => {
  it('invokes the target version once with the smoke event and reports Succeeded', async () => {
    // Arrange
    const hook = loadHook(async () => ({ StatusCode: 200, Payload: answer(200) }));

    // Act
    const status = await hook.run();

    // Assert
    expect(status).toBe('Succeeded');
    const invoke = hook.sent.find((s) => s.command === 'Invoke');
    expect(invoke?.input).toMatchObject({ FunctionName: 'svc-StartRegistration', Qualifier: '7' });
    expect(JSON.parse(String(invoke?.input.Payload))).toEqual(smokeEvent);
    expect(hook.sent.at(-1)).toEqual({
      command: 'PutStatus',
      input: { deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded' },
    });
  });

  it.each([
    [
      'the new version errs (a module that does not load)',
      async () => ({ StatusCode: 200, FunctionError: 'Unhandled' }),
    ],
    ['the invocation itself fails', async () => Promise.reject(new Error('AccessDenied'))],
    ['its smoke read fails (503)', async () => ({ StatusCode: 200, Payload: answer(503) })],
    ['it does not know the smoke event (403 before any dependency)', async () => ({ Payload: answer(403) })],
  ])('reports Failed when %s, so CodeDeploy rolls back before any traffic', async (_case, invoke) => {
    // Arrange
    const hook = loadHook(invoke);

    // Act
    const status = await hook.run();

    // Assert
    expect(status).toBe('Failed');
    expect(hook.sent.at(-1)?.input.status).toBe('Failed');
  });

  it('the smoke event reaches the readiness reads of an API function, not its client-address check', async () => {
    // Prepare
    let ran = false;
    const handler = apiHandler(
      jsonLogger('silent', () => undefined),
      async () => {
        ran = true;
        return { status: 200 };
      },
    );

    // Act
    const result = (await handler(
      smokeEvent as unknown as APIGatewayProxyEvent,
      { awsRequestId: 'r' } as Context,
    )) as APIGatewayProxyResult;

    // Assess: 200 with the number of reads (none registered in this process); the route itself never ran
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ smoke: 'ok', reads: 0 });
    expect(ran).toBe(false);
  });

  it('an event from API Gateway never counts as the smoke event', async () => {
    // Prepare: a client can write headers and a body, not the proxy event's top-level fields
    const handler = apiHandler(
      jsonLogger('silent', () => undefined),
      async () => ({ status: 200 }),
    );
    const event = {
      ...smokeEvent,
      smokeTest: undefined,
      body: '{"smokeTest":true}',
      headers: { smokeTest: 'true' },
    };

    // Act
    const result = (await handler(
      event as unknown as APIGatewayProxyEvent,
      { awsRequestId: 'r' } as Context,
    )) as APIGatewayProxyResult;

    // Assess: without the viewer address it is refused like any request
    expect(result.statusCode).toBe(403);
  });
});
