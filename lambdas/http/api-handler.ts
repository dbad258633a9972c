// The primary adapter shared by every route: a middy handler that reads the request (JSON body, bearer
// token, path id), and one error middleware that turns every failure into problem+json.
import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Logger } from '../adapters/event-log.ts';
import { SERVER_ERRORS_METRIC } from '../adapters/metrics.ts';
import { checkReadiness } from '../readiness.ts';
import type { SessionInput } from '../registration/session.ts';
import { DependencyError, type ErrorCode, fail, RegistrationError } from '../rules/errors.ts';
import { CLIENT_IP_HEADER, clientKey } from './client-address.ts';
import { problemBody, statusOf } from './problem.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiRequest {
  event: APIGatewayProxyEvent;
  requestId: string;
  log: Logger;
  /** The client's address as CloudFront saw it (locally: the gateway's TCP peer); never a header the client
   * wrote. IPv6 clients are keyed by their /64, the smallest block a home or mobile line gets. */
  sourceIp: string;
  /** The User-Agent header as the client sent it ('' when absent): only ever reduced to a label. */
  userAgent: string;
  /** The JSON body: 400 when not JSON, 413 when over 16 KiB. */
  json(): unknown;
  /** Path id and bearer token of an authenticated call. */
  session(): SessionInput;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
};

const requestIdOf = (event: APIGatewayProxyEvent, context: Context): string =>
  event.requestContext?.requestId ?? context?.awsRequestId ?? randomUUID();

const bodyText = (event: APIGatewayProxyEvent): string => {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) fail('payload_too_large');
  return body;
};

function readJson(event: APIGatewayProxyEvent): unknown {
  const body = bodyText(event);
  const type = header(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json' || body.trim() === '') return fail('malformed_request');
  try {
    return JSON.parse(body);
  } catch {
    return fail('malformed_request');
  }
}

function readSession(event: APIGatewayProxyEvent): SessionInput {
  const authorization = header(event, 'authorization');
  const match = authorization ? /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(authorization) : null;
  return { registrationId: event.pathParameters?.id ?? '', token: match?.[1] };
}

const baseHeaders = (requestId: string, json: 'application/json' | 'application/problem+json') => ({
  'Content-Type': `${json}; charset=utf-8`,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'x-request-id': requestId,
});

/** Problem details for any error: domain codes as they are, dependency failures 503, the rest 500. */
export function errorResponse(error: unknown, requestId: string, log: Logger): APIGatewayProxyResult {
  let code: ErrorCode = 'internal_error';
  let extras = {};
  if (error instanceof RegistrationError) {
    code = error.code;
    extras = error.extras;
  } else if (error instanceof DependencyError) {
    code = 'service_unavailable';
    log.error('dependency failed', { problem: error.message, cause: (error.cause as Error)?.name });
  } else {
    // The logger scrubs message lines of the stack (rule 46): an error may quote the request it failed on.
    log.error('unexpected error', { problem: (error as Error)?.name, stack: (error as Error)?.stack });
  }
  const retryAfter = (extras as { retryAfterSeconds?: number }).retryAfterSeconds;
  const statusCode = statusOf(code);
  // The answer hides the failure from Lambda's Errors metric: this count is what a deployment rolls back on.
  if (statusCode >= 500) log.metric(SERVER_ERRORS_METRIC, 1, 'Count');
  return {
    statusCode,
    headers: {
      ...baseHeaders(requestId, 'application/problem+json'),
      ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}),
    },
    body: JSON.stringify(problemBody(code, requestId, extras)),
  };
}

/**
 * The deploy hook's direct invocation (lib/deploy-hook.ts). API Gateway builds every proxy event itself, so no
 * client can set this top-level field; only a caller allowed lambda:InvokeFunction can.
 */
const isSmokeEvent = (event: APIGatewayProxyEvent): boolean =>
  (event as unknown as { smokeTest?: unknown }).smokeTest === true;

/** Reads what the function's dependencies would serve (readiness.ts); a failure is a 503 like any other. */
async function smokeAnswer(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  const reads = await checkReadiness().catch((error: unknown) => {
    throw new DependencyError('readiness check failed', { cause: error });
  });
  return jsonResponse(requestIdOf(event, context), { status: 200, body: { smoke: 'ok', reads } });
}

/** The middy handler every API function is: one error middleware that turns every failure into problem+json. */
const withProblems = (
  logger: Logger,
  handle: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>,
) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use({
      onError: async (request) => {
        const requestId = requestIdOf(request.event, request.context);
        request.response = errorResponse(request.error, requestId, logger.child({ requestId }));
      },
    })
    .handler((event, context) =>
      isSmokeEvent(event) ? smokeAnswer(event, context) : handle(event, context),
    );

const jsonResponse = (requestId: string, response: ApiResponse): APIGatewayProxyResult => ({
  statusCode: response.status,
  headers: { ...baseHeaders(requestId, 'application/json'), ...response.headers },
  body: response.body === undefined ? '' : JSON.stringify(response.body),
});

export interface StaffRequest {
  requestId: string;
  log: Logger;
  /** The caller's IAM identity (an ARN), as API Gateway's AWS_IAM authorization verified it. */
  actor: string;
  pathParameter(name: string): string;
  /** The client's `Idempotency-Key` (8 to 64 letters, digits, dashes), when it sent a well-formed one. */
  idempotencyKey?: string;
  json(): unknown;
}

/**
 * The assisted-service API's handler: every method is AWS_IAM-authorized by API Gateway, which puts the
 * verified caller in requestContext.identity.userArn; a request without one never passed that check.
 */
export function staffApiHandler(logger: Logger, run: (request: StaffRequest) => Promise<ApiResponse>) {
  return withProblems(logger, async (event, context) => {
    const requestId = requestIdOf(event, context);
    const log = logger.child({ requestId });
    const actor = event.requestContext?.identity?.userArn;
    if (!actor) {
      log.error('staff request without an IAM caller', { problem: 'caller_missing' });
      fail('forbidden');
    }
    bodyText(event);
    const response = await run({
      requestId,
      log,
      actor: actor as string,
      pathParameter: (name) => event.pathParameters?.[name] ?? '',
      idempotencyKey: /^[A-Za-z0-9-]{8,64}$/.exec(header(event, 'idempotency-key') ?? '')?.[0],
      json: () => readJson(event),
    });
    return jsonResponse(requestId, response);
  });
}

export function apiHandler(logger: Logger, run: (request: ApiRequest) => Promise<ApiResponse>) {
  return withProblems(logger, async (event, context) => {
    const requestId = requestIdOf(event, context);
    const log = logger.child({ requestId });
    // Behind CloudFront, requestContext.identity.sourceIp is an edge node shared by many customers and
    // X-Forwarded-For is whatever the client wrote first: only the header CloudFront's viewer-request
    // function overwrites keys per-client limits (client-address.ts). A request without a readable one did
    // not come through CloudFront (or the gateway) and is refused before any work.
    const sourceIp = clientKey(header(event, CLIENT_IP_HEADER));
    if (sourceIp === undefined) {
      log.error('request without a viewer address', { problem: 'client_address_missing' });
      fail('forbidden');
    }
    bodyText(event);
    const response = await run({
      event,
      requestId,
      log,
      sourceIp: sourceIp as string,
      userAgent: header(event, 'user-agent') ?? '',
      json: () => readJson(event),
      session: () => readSession(event),
    });
    return jsonResponse(requestId, response);
  });
}
