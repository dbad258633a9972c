// Issue 22, item 5: a handler turns an exception into a 500 or 503 answer, which Lambda's Errors metric never
// counts; the handler counts it itself as an EMF metric with the function's name, for the deployment alarm.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../lambdas/adapters/event-log.ts';
import { SERVER_ERRORS_METRIC } from '../../lambdas/adapters/metrics.ts';
import { apiHandler, staffApiHandler } from '../../lambdas/http/api-handler.ts';
import { DependencyError, fail } from '../../lambdas/rules/errors.ts';

const metrics = {
  namespace: 'SelfRegistration/test',
  dimensions: { FunctionName: 'svc-start-registration' },
};

const event = {
  body: null,
  headers: { 'x-viewer-ip': '198.51.100.9' },
  httpMethod: 'GET',
  path: '/v1/health',
  isBase64Encoded: false,
  pathParameters: null,
  requestContext: { requestId: 'req-1', identity: { userArn: 'arn:aws:iam::1:role/staff' } },
} as unknown as APIGatewayProxyEvent;

/** The EMF lines a handler wrote while answering one request, at the quietest log level. */
async function emfLinesOf(failure: () => never, kind: 'api' | 'staff' = 'api') {
  const lines: string[] = [];
  const logger = jsonLogger('silent', (line) => lines.push(line), {}, metrics);
  const handler =
    kind === 'api'
      ? apiHandler(logger, async () => failure())
      : staffApiHandler(logger, async () => failure());
  const result = (await handler(event, { awsRequestId: 'r' } as Context)) as APIGatewayProxyResult;
  return {
    status: result.statusCode,
    emf: lines.map((line) => JSON.parse(line)).filter((line) => '_aws' in line),
  };
}

describe('the per-function 5xx metric', () => {
  it.each([
    [
      'a dependency failure',
      503,
      () => {
        throw new DependencyError('DynamoDB call failed');
      },
    ],
    [
      'an unexpected exception',
      500,
      () => {
        throw new TypeError('boom');
      },
    ],
  ] as const)(
    'counts %s (%i) once, with the function as its dimension, even when logs are silent',
    async (_case, status, failure) => {
      // Act
      const { status: answered, emf } = await emfLinesOf(failure);

      // Assess
      expect(answered).toBe(status);
      expect(emf).toHaveLength(1);
      expect(emf[0]).toMatchObject({
        _aws: {
          CloudWatchMetrics: [
            {
              Namespace: metrics.namespace,
              Dimensions: [['FunctionName']],
              Metrics: [{ Name: SERVER_ERRORS_METRIC, Unit: 'Count' }],
            },
          ],
        },
        FunctionName: 'svc-start-registration',
        [SERVER_ERRORS_METRIC]: 1,
      });
    },
  );

  it('counts the staff API too', async () => {
    // Act
    const { status, emf } = await emfLinesOf(() => {
      throw new DependencyError('down');
    }, 'staff');

    // Assess
    expect(status).toBe(503);
    expect(emf).toHaveLength(1);
  });

  it('does not count answers the contract expects (4xx)', async () => {
    // Act
    const { status, emf } = await emfLinesOf(() => fail('rate_limited', { retryAfterSeconds: 5 }));

    // Assess
    expect(status).toBe(429);
    expect(emf).toEqual([]);
  });
});
