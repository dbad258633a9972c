// The CloudFront Function that gives the regional WAF a bare viewer IP (rule 38), run from its own source as
// CloudFront runs it: `handler(event)` in a context with no Node API, on events shaped like CloudFront's.
import { isIP } from 'node:net';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { viewerIpFunctionSource, viewerIpHeader } from '../../lib/viewer-ip-function.ts';

type Headers = Record<string, { value: string; multiValue?: { value: string }[] }>;
interface ViewerRequestEvent {
  version: '1.0';
  context: { eventType: 'viewer-request' };
  viewer: { ip: string };
  request: { method: string; uri: string; querystring: object; headers: Headers; cookies: object };
}

const handler = runInNewContext(`${viewerIpFunctionSource}\nhandler`, {}) as (
  event: ViewerRequestEvent,
) => Promise<ViewerRequestEvent['request']>;

const viewerRequest = (ip: string, headers: Headers = {}): ViewerRequestEvent => ({
  version: '1.0',
  context: { eventType: 'viewer-request' },
  viewer: { ip },
  request: {
    method: 'POST',
    uri: '/v1/registrations',
    querystring: {},
    headers: { host: { value: 'registro.produbanco.com.ec' }, ...headers },
    cookies: {},
  },
});

describe('viewer IP function (CloudFront Functions, viewer request)', () => {
  it.each([
    ['IPv4', '198.51.100.10'],
    ['IPv6', '2001:db8:85a3::8a2e:370:7334'],
    ['IPv4-mapped IPv6', '::ffff:198.51.100.10'],
  ])('sets the header to the %s viewer address, with no port', async (_kind, ip) => {
    // Act
    const request = await handler(viewerRequest(ip));

    // Assess: exactly the viewer's address, a value WAF reads as an IP.
    expect(request.headers[viewerIpHeader]).toEqual({ value: ip });
    expect(isIP(request.headers[viewerIpHeader]?.value ?? '')).not.toBe(0);
  });

  it.each([
    ['IPv4', '203.0.113.7'],
    ['IPv6', '2001:db8::1'],
  ])('overwrites a forged header, single or multi-valued (%s viewer)', async (_kind, ip) => {
    // Prepare: a client rotating addresses to get a fresh WAF quota on every call.
    const single = viewerRequest(ip, { [viewerIpHeader]: { value: '192.0.2.1' } });
    const multi = viewerRequest(ip, {
      [viewerIpHeader]: {
        value: '192.0.2.1',
        multiValue: [{ value: '192.0.2.1' }, { value: '192.0.2.2' }, { value: ip }],
      },
    });

    // Act
    const results = await Promise.all([handler(single), handler(multi)]);

    // Assess
    for (const request of results) expect(request.headers[viewerIpHeader]).toEqual({ value: ip });
  });

  it('passes the rest of the request on unchanged', async () => {
    // Prepare
    const event = viewerRequest('198.51.100.10', {
      authorization: { value: 'Bearer t' },
      'content-type': { value: 'application/json' },
    });
    const { [viewerIpHeader]: _set, ...before } = structuredClone(event.request.headers);

    // Act
    const request = await handler(event);

    // Assess
    const { [viewerIpHeader]: _written, ...after } = request.headers;
    expect(after).toEqual(before);
    expect(request).toMatchObject({ method: 'POST', uri: '/v1/registrations' });
  });
});
