// The HTTP layer at the edge: the client address comes from x-viewer-ip only (rules 38, 4),
// a request without it is refused, and error logs are redacted like events (rule 46).
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { jsonLogger, redactText } from '../../lambdas/adapters/event-log.ts';
import { apiHandler, errorResponse } from '../../lambdas/http/api-handler.ts';
import { clientKey } from '../../lambdas/http/client-address.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';

const context = { awsRequestId: 'aws-request-id', functionName: 'test' } as Context;

const event = (headers: Record<string, string>, sourceIp = '130.176.0.10'): APIGatewayProxyEvent =>
  ({
    body: null,
    headers,
    multiValueHeaders: {},
    httpMethod: 'GET',
    isBase64Encoded: false,
    path: '/v1/health',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/v1/health',
    requestContext: { requestId: 'req-1', identity: { sourceIp } },
  }) as unknown as APIGatewayProxyEvent;

function seenAddress() {
  const lines: string[] = [];
  let seen: string | undefined;
  const handler = apiHandler(
    jsonLogger('debug', (line) => lines.push(line)),
    async (request) => {
      seen = request.sourceIp;
      return { status: 204 };
    },
  );
  const call = async (headers: Record<string, string>) => {
    seen = undefined;
    const result = (await handler(event(headers), context)) as APIGatewayProxyResult;
    return { result, seen, lines };
  };
  return call;
}

describe('client address (rules 38, 4; second audit, finding 3)', () => {
  it.each([
    ['198.51.100.10', '198.51.100.10'],
    ['2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3:0::/64'],
    ['2001:DB8:85A3:0:1:2:3:4', '2001:db8:85a3:0::/64'],
    ['2001:db8:85a3:0::', '2001:db8:85a3:0::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
  ])('x-viewer-ip %s keys the client as %s', (header, key) => {
    expect(clientKey(header)).toBe(key);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['with a port', '198.51.100.10:443'],
    ['not an address', 'evil.example'],
    ['a list', '198.51.100.10, 203.0.113.1'],
    ['too many groups', '1:2:3:4:5:6:7:8:9'],
    ['two compressions', '2001::1::2'],
  ])('a client address that is %s gives no key', (_name, header) => {
    expect(clientKey(header)).toBeUndefined();
  });

  it('every address of one IPv6 /64 is one client; another /64 is another', () => {
    expect(clientKey('2001:db8:1:2::9')).toBe(clientKey('2001:0db8:0001:0002:ffff::1'));
    expect(clientKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(clientKey('2001:db8:1:2::'));
    expect(clientKey('2001:db8:1:3::9')).not.toBe(clientKey('2001:db8:1:2::9'));
  });

  it('the handler keys on x-viewer-ip, never on CloudFront-Viewer-Address, X-Forwarded-For or the edge node', async () => {
    // Prepare
    const call = seenAddress();

    // Act
    const { seen } = await call({
      'X-Forwarded-For': '10.9.9.9, 203.0.113.99',
      'cloudfront-viewer-address': '192.0.2.44:5000',
      'x-viewer-ip': '198.51.100.7',
    });

    // Assess
    expect(seen).toBe('198.51.100.7');
  });

  it('a request without x-viewer-ip is 403 forbidden before the route runs, even with CloudFront-Viewer-Address', async () => {
    // Prepare
    const call = seenAddress();

    // Act
    const { result, seen, lines } = await call({
      'X-Forwarded-For': '198.51.100.7',
      'CloudFront-Viewer-Address': '198.51.100.7:443',
    });

    // Assess
    expect(seen).toBeUndefined();
    expect(result.statusCode).toBe(403);
    expect(result.headers?.['Content-Type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(result.body)).toMatchObject({ status: 403, code: 'forbidden' });
    expect(lines.join('\n')).toContain('client_address_missing');
  });
});

describe('error logs are redacted (rule 46)', () => {
  const secrets = [
    '4111111111111111',
    '4111 1111 1111 1111',
    '482913',
    'ana.ruiz@example.com',
    'tomas.mateos',
  ];
  const hostile = () =>
    new TypeError(
      `Cannot parse card 4111111111111111 (4111 1111 1111 1111) code 482913 for ana.ruiz@example.com, username 'tomas.mateos'`,
    );

  it('an unexpected error logs its name and stack frames but no value of the request', () => {
    // Prepare
    const lines: string[] = [];
    const log = jsonLogger('debug', (line) => lines.push(line));
    const error = hostile();

    // Act
    const response = errorResponse(error, 'req-1', log);

    // Assess
    expect(response.statusCode).toBe(500);
    const logged = lines.join('\n');
    expect(logged).toContain('TypeError');
    expect(logged).toContain('edge-http.test.ts');
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });

  it('a dependency failure whose message quotes the request is logged without it', () => {
    // Prepare
    const lines: string[] = [];
    const log = jsonLogger('debug', (line) => lines.push(line));

    // Act
    errorResponse(new DependencyError(hostile().message), 'req-1', log);

    // Assess
    const logged = lines.join('\n');
    expect(logged).toContain('dependency failed');
    for (const secret of secrets) expect(logged).not.toContain(secret);
  });

  it('redactText keeps stack frames and code words, drops digits, emails, quoted values and tokens', () => {
    const token = 'dGhpcyBpcyBhIHRva2VuIG9mIDI1NiBiaXRz0123456789';
    const text = `Error: bad token ${token} for +593991234190\n    at handler (file:///var/task/index.mjs:1:2345)`;
    expect(redactText(text)).toBe(
      'Error: bad token [token] for [number]\n    at handler (file:///var/task/index.mjs:1:2345)',
    );
  });
});
