// The HTTP layer (API.md conventions, rules 8, 26, 29): a real middy handler built with apiHandler, called
// with API Gateway proxy events; and the JSON logger's last line of defence.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../lambdas/adapters/event-log.ts';
import {
  type ApiRequest,
  type ApiResponse,
  apiHandler,
  MAX_BODY_BYTES,
} from '../../lambdas/http/api-handler.ts';
import { routes } from '../../lambdas/routes.ts';
import { DependencyError, fail, RegistrationError } from '../../lambdas/rules/errors.ts';

const context = { awsRequestId: 'aws-request-id', functionName: 'test' } as Context;

function event(options: {
  body?: string;
  headers?: Record<string, string>;
  id?: string;
  requestId?: string;
  base64?: boolean;
}): APIGatewayProxyEvent {
  return {
    body: options.body ?? null,
    headers: { 'x-viewer-ip': '198.51.100.9', ...options.headers },
    multiValueHeaders: {},
    httpMethod: 'POST',
    isBase64Encoded: options.base64 ?? false,
    path: '/v1/registrations',
    pathParameters: options.id ? { id: options.id } : null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/v1/registrations',
    requestContext: {
      requestId: options.requestId ?? 'req-123',
      identity: { sourceIp: '198.51.100.9' },
    } as APIGatewayProxyEvent['requestContext'],
  };
}

function harness(run: (request: ApiRequest) => Promise<ApiResponse>) {
  const lines: string[] = [];
  const handler = apiHandler(
    jsonLogger('debug', (line) => lines.push(line)),
    run,
  );
  const call = async (e: APIGatewayProxyEvent) => {
    const result = (await handler(e, context)) as APIGatewayProxyResult;
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return { call, lines };
}

const json = { 'Content-Type': 'application/json' };
const echo = harness(async (request) => ({ status: 200, body: { got: request.json() } }));

describe('success responses', () => {
  it('a success is JSON with Cache-Control no-store and the x-request-id header', async () => {
    // Act
    const response = await echo.call(event({ body: '{"a":1}', headers: json }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ got: { a: 1 } });
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'x-request-id': 'req-123',
    });
  });

  it('the handler sees the source address, the path id and the bearer token (headers in any case)', async () => {
    // Prepare
    let seen: unknown;
    const { call } = harness(async (request) => {
      seen = { ip: request.sourceIp, session: request.session() };
      return { status: 204 };
    });

    // Act
    await call(event({ id: 'reg-1', headers: { authorization: `Bearer ${'A'.repeat(43)}` } }));

    // Assess
    expect(seen).toEqual({ ip: '198.51.100.9', session: { registrationId: 'reg-1', token: 'A'.repeat(43) } });
  });

  it('a malformed Authorization header gives no token', async () => {
    // Prepare
    let token: string | undefined = 'unset';
    const { call } = harness(async (request) => {
      token = request.session().token;
      return { status: 204 };
    });

    // Act
    await call(event({ id: 'reg-1', headers: { Authorization: 'Basic dXNlcjpwYXNz' } }));

    // Assess
    expect(token).toBeUndefined();
  });
});

describe('problem details', () => {
  it('errors are application/problem+json with no-store, the request id in header and body', async () => {
    // Prepare
    const { call } = harness(async () => fail('session_invalid'));

    // Act
    const response = await call(event({ requestId: 'req-xyz' }));

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/problem+json; charset=utf-8',
      'Cache-Control': 'no-store',
      'x-request-id': 'req-xyz',
    });
    expect(response.json).toMatchObject({
      type: expect.stringContaining('session-invalid'),
      title: expect.any(String),
      status: 401,
      code: 'session_invalid',
      detail: expect.any(String),
      requestId: 'req-xyz',
    });
  });

  it('a body that is not JSON is 400 malformed_request', async () => {
    const response = await echo.call(event({ body: '{"a":', headers: json }));
    expect(response.statusCode).toBe(400);
    expect(response.json.code).toBe('malformed_request');
  });

  it.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['no content type', {}],
    ['application/jsonx', { 'Content-Type': 'application/jsonx' }],
  ])('a body with %s is 400 malformed_request', async (_name, headers) => {
    const response = await echo.call(event({ body: '{"a":1}', headers }));
    expect(response.statusCode).toBe(400);
    expect(response.json.code).toBe('malformed_request');
  });

  it('application/json with a charset parameter is accepted', async () => {
    const response = await echo.call(
      event({ body: '{"a":1}', headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );
    expect(response.statusCode).toBe(200);
  });

  it('an empty body where JSON is expected is 400', async () => {
    const response = await echo.call(event({ body: '', headers: json }));
    expect(response.statusCode).toBe(400);
  });

  it('a body over 16 KiB is 413 payload_too_large, even for a route that does not read it', async () => {
    // Prepare
    const { call } = harness(async () => ({ status: 204 }));
    const big = JSON.stringify({ a: 'x'.repeat(MAX_BODY_BYTES) });

    // Act
    const response = await call(event({ body: big, headers: json }));

    // Assess
    expect(MAX_BODY_BYTES).toBe(16 * 1024);
    expect(response.statusCode).toBe(413);
    expect(response.json.code).toBe('payload_too_large');
  });

  it('the 16 KiB limit counts UTF-8 bytes, and exactly 16 KiB is accepted', async () => {
    // Prepare
    const exact = `"${'x'.repeat(MAX_BODY_BYTES - 2)}"`;
    const multibyte = `"${'ñ'.repeat(MAX_BODY_BYTES / 2)}"`;

    // Act
    const ok = await echo.call(event({ body: exact, headers: json }));
    const tooBig = await echo.call(event({ body: multibyte, headers: json }));

    // Assess
    expect(ok.statusCode).toBe(200);
    expect(tooBig.statusCode).toBe(413);
  });

  it('a base64-encoded body is decoded before it is read', async () => {
    const body = Buffer.from('{"a":2}').toString('base64');
    const response = await echo.call(event({ body, headers: json, base64: true }));
    expect(response.json).toEqual({ got: { a: 2 } });
  });

  it('422 lists each field error', async () => {
    // Prepare
    const errors = [
      { field: 'pin', code: 'pin_format', message: 'La clave debe tener exactamente 4 dígitos.' },
      { field: 'cedula', code: 'cedula_format', message: 'La cédula debe tener 10 dígitos y ser válida.' },
    ];
    const { call } = harness(async () => fail('validation_failed', { errors }));

    // Act
    const response = await call(event({}));

    // Assess
    expect(response.statusCode).toBe(422);
    expect(response.json).toMatchObject({ code: 'validation_failed', errors });
  });

  it('429 carries a Retry-After header in seconds', async () => {
    // Prepare
    const { call } = harness(async () => fail('rate_limited', { retryAfterSeconds: 17 }));

    // Act
    const response = await call(event({}));

    // Assess
    expect(response.statusCode).toBe(429);
    expect(response.headers?.['Retry-After']).toBe('17');
    expect(response.json.code).toBe('rate_limited');
  });

  it.each([
    ['resend_cooldown', 30, 'Podrás pedir una nueva clave temporal en 30 segundos.'],
    ['sends_per_phone', 1_500, 'Podrás pedir otra en 25 minutos.'],
    ['sends_per_registration', 61, 'inténtalo en 2 minutos.'],
    ['per_address', 1, 'Podrás intentarlo de nuevo en 1 segundo.'],
    ['username_tries', 900, 'Probaste demasiados nombres de usuario en este registro.'],
  ] as const)('429 %s: the body names the reason and says when to try again', async (reason, wait, text) => {
    // Prepare
    const { call } = harness(async () => fail('rate_limited', { reason, retryAfterSeconds: wait }));

    // Act
    const response = await call(event({}));

    // Assess
    expect(response.headers?.['Retry-After']).toBe(String(wait));
    expect(response.json.reason).toBe(reason);
    expect(response.json.detail).toContain(text);
    expect(response.json).not.toHaveProperty('retryAfterSeconds');
  });

  it('otp_invalid carries attemptsLeft; step_out_of_order carries currentStep', async () => {
    // Prepare
    const otp = harness(async () => fail('otp_invalid', { attemptsLeft: 1 }));
    const step = harness(async () => fail('step_out_of_order', { currentStep: 'create-password' }));

    // Act
    const otpResponse = await otp.call(event({}));
    const stepResponse = await step.call(event({}));

    // Assess
    expect(otpResponse.json).toMatchObject({ status: 401, attemptsLeft: 1 });
    expect(otpResponse.json.detail).toContain('Te queda 1 intento.');
    expect(stepResponse.json).toMatchObject({ status: 409, currentStep: 'create-password' });
    expect(stepResponse.json.detail).toContain('creación de clave');
  });

  it.each([
    ['invalid_credentials', 401],
    ['credential_locked', 423],
    ['already_registered', 409],
    ['otp_expired', 410],
    ['otp_locked', 423],
    ['username_taken', 409],
  ] as const)('%s is status %i', async (code, status) => {
    const { call } = harness(async () => {
      throw new RegistrationError(code);
    });
    expect((await call(event({}))).statusCode).toBe(status);
  });
});

describe('5xx reveal nothing (rule 29)', () => {
  it('rule 29: a DependencyError is 503 service_unavailable and the body says nothing of the cause', async () => {
    // Prepare
    const cause = new Error(
      'ResourceNotFoundException: arn:aws:dynamodb:us-east-1:123456789012:table/secret-registrations',
    );
    const { call, lines } = harness(async () => {
      throw new DependencyError('DynamoDB call failed on secret-registrations', { cause });
    });

    // Act
    const response = await call(event({}));

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.json.code).toBe('service_unavailable');
    expect(response.headers?.['Content-Type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).not.toMatch(/DynamoDB|secret-registrations|arn:aws|ResourceNotFound/);
    expect(lines.join('\n')).toContain('dependency failed');
  });

  it('rule 29: an unexpected Error is 500 internal_error and reveals neither message nor stack', async () => {
    // Prepare
    const { call } = harness(async () => {
      throw new TypeError(
        "Cannot read properties of undefined (reading 'pinHash') at /var/task/index.mjs:42",
      );
    });

    // Act
    const response = await call(event({}));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.json.code).toBe('internal_error');
    expect(response.body).not.toMatch(/pinHash|var\/task|TypeError|undefined/);
    expect(response.headers?.['Cache-Control']).toBe('no-store');
  });
});

describe('the JSON logger (rules 26, 27)', () => {
  it('rule 26: fields whose name says secret are redacted, whatever a caller passed', () => {
    // Prepare
    const lines: string[] = [];
    const log = jsonLogger('info', (line) => lines.push(line));

    // Act
    log.record({
      event: 'otp_failure',
      registrationId: 'reg-1',
      reason: 'wrong_code',
      pin: '1234',
      password: 'hunter2hunter2',
      code: '123456',
      otp: '654321',
      token: 'tok',
      cardNumber: '4111111111111111',
      pan: '4111111111111111',
      answer: 'firulais',
      authorization: 'Bearer abc',
      clientSecret: 's3cr3t',
    });

    // Assess
    const line = JSON.parse(lines[0] as string);
    for (const field of [
      'pin',
      'password',
      'code',
      'otp',
      'token',
      'cardNumber',
      'pan',
      'answer',
      'authorization',
      'clientSecret',
    ]) {
      expect(line[field], field).toBe('[redacted]');
    }
    expect(line).toMatchObject({
      event: 'otp_failure',
      registrationId: 'reg-1',
      reason: 'wrong_code',
      level: 'info',
    });
    expect(lines[0]).not.toMatch(/1234|hunter2|123456|4111111111111111|firulais|s3cr3t/);
  });

  it('rule 26: error lines and child loggers redact too', () => {
    // Prepare
    const lines: string[] = [];
    const log = jsonLogger('info', (line) => lines.push(line)).child({ requestId: 'req-1' });

    // Act
    log.error('dependency failed', { password: 'x'.repeat(12), problem: 'timeout' });

    // Assess
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'error',
      requestId: 'req-1',
      message: 'dependency failed',
      password: '[redacted]',
      problem: 'timeout',
    });
  });

  it('rule 27: every line is structured JSON with a UTC ISO time', () => {
    // Prepare
    const lines: string[] = [];
    const log = jsonLogger('info', (line) => lines.push(line));

    // Act
    log.record({ event: 'otp_sent', registrationId: 'r', phone: 'xxxxxxx190' });

    // Assess
    const line = JSON.parse(lines[0] as string);
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line.event).toBe('otp_sent');
    expect(line.phone).toBe('xxxxxxx190');
  });

  it('the level filters lines below it', () => {
    const lines: string[] = [];
    jsonLogger('error', (line) => lines.push(line)).record({ event: 'otp_sent' });
    jsonLogger('silent', (line) => lines.push(line)).error('x');
    expect(lines).toEqual([]);
  });
});

describe('secrets only in bodies and headers (rule 8)', () => {
  it('rule 8: no route carries anything but the registration id in its path, and none a query string', () => {
    for (const route of routes) {
      const parameters = route.path.match(/\{[^}]+\}/g) ?? [];
      expect(
        parameters.every((p) => p === '{id}'),
        route.path,
      ).toBe(true);
    }
  });

  it('rule 8: a token in the query string or the path is never read as the bearer', async () => {
    // Prepare
    const seen = harness(async (request) => ({
      status: 200,
      body: { token: request.session().token ?? null },
    }));
    const base = event({ id: 'a1b2', headers: json });
    const inQuery = {
      ...base,
      queryStringParameters: { token: 'secret-token-0123456789', access_token: 'secret-token-0123456789' },
      multiValueQueryStringParameters: {
        token: ['secret-token-0123456789'],
        access_token: ['secret-token-0123456789'],
      },
    };
    const inHeader = event({
      id: 'a1b2',
      headers: { ...json, Authorization: 'Bearer header-token-0123456789' },
    });

    // Act
    const fromQuery = await seen.call(inQuery);
    const fromHeader = await seen.call({
      ...inHeader,
      queryStringParameters: { token: 'secret-token-0123456789' },
    });

    // Assess: only the Authorization header carries it, and the query value is never logged.
    expect(fromQuery.json).toEqual({ token: null });
    expect(fromHeader.json).toEqual({ token: 'header-token-0123456789' });
    expect(seen.lines.join('\n')).not.toContain('secret-token-0123456789');
  });
});
