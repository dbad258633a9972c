// The CloudFront Function that gives the regional WAF a bare viewer IP (rule 38), run from its own source as
// CloudFront runs it: `handler(event)` in a context with no Node API, on events shaped like CloudFront's.
import { isIP } from 'node:net';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { clientKey } from '../../lambdas/http/client-address.ts';
import { siteKey } from '../../lambdas/rules/address-limit.ts';
import { viewerIpFunctionSource, viewerIpHeader, viewerSiteHeader } from '../../lib/viewer-ip-function.ts';

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
    ['IPv4', '198.51.100.10', '198.51.100.10'],
    ['IPv6', '2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3:0::'],
    ['IPv6, full and upper case', '2001:0DB8:0001:0002:FFFF:0000:0000:0001', '2001:db8:1:2::'],
    ['IPv6 compressed in its network part', '2001:db8::1', '2001:db8:0:0::'],
    ['IPv6 with an embedded IPv4 tail', '64:ff9b::192.0.2.33', '64:ff9b:0:0::'],
    ['IPv4-mapped IPv6', '::ffff:198.51.100.10', '198.51.100.10'],
  ])(
    'sets the header to the %s viewer address (IPv6 as its /64), with no port',
    async (_kind, ip, expected) => {
      // Act
      const request = await handler(viewerRequest(ip));

      // Assess: a value WAF reads as an IP, and the key the code derives from it is the code's own key.
      expect(request.headers[viewerIpHeader]).toEqual({ value: expected });
      expect(isIP(request.headers[viewerIpHeader]?.value ?? '')).not.toBe(0);
      expect(clientKey(request.headers[viewerIpHeader]?.value)).toBe(clientKey(ip));
    },
  );

  it.each([
    ['IPv4', '198.51.100.10', '198.51.100.10'],
    ['IPv6', '2001:db8:85a3::8a2e:370:7334', '2001:db8:85a3::'],
    ['IPv6, full and upper case', '2001:0DB8:0001:0002:FFFF:0000:0000:0001', '2001:db8:1::'],
    ['IPv4-mapped IPv6', '::ffff:198.51.100.10', '198.51.100.10'],
  ])(
    'rule 66: sets the /48 header to the %s viewer network (IPv6 as its /48)',
    async (_kind, ip, expected) => {
      const request = await handler(viewerRequest(ip, { [viewerSiteHeader]: { value: '203.0.113.1' } }));

      // A value WAF reads as an IP, the client's own (never what it sent), and the /48 the code counts.
      expect(request.headers[viewerSiteHeader]).toEqual({ value: expected });
      expect(isIP(expected)).not.toBe(0);
      const code = siteKey(clientKey(ip) as string);
      if (code) expect(code).toBe(`${expected}/48`);
    },
  );

  it('rule 66: every /64 of one /48 gives WAF one /48 value', async () => {
    const values = await Promise.all(
      ['2001:db8:1:2::1', '2001:db8:1:ffff::1', '2001:db8:1:0:abcd::9'].map(
        async (ip) => (await handler(viewerRequest(ip))).headers[viewerSiteHeader]?.value,
      ),
    );
    expect(new Set(values)).toEqual(new Set(['2001:db8:1::']));
  });

  it('second audit, finding 3: every address of one IPv6 /64 gives WAF one value', async () => {
    // Act
    const values = await Promise.all(
      ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:abcd::9'].map(
        async (ip) => (await handler(viewerRequest(ip))).headers[viewerIpHeader]?.value,
      ),
    );
    const other = (await handler(viewerRequest('2001:db8:1:3::1'))).headers[viewerIpHeader]?.value;

    // Assess
    expect(new Set(values)).toEqual(new Set(['2001:db8:1:2::']));
    expect(other).toBe('2001:db8:1:3::');
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
    for (const request of results) {
      expect(request.headers[viewerIpHeader]).toEqual({ value: ip.includes(':') ? '2001:db8:0:0::' : ip });
    }
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
    const { [viewerIpHeader]: _written, [viewerSiteHeader]: _site, ...after } = request.headers;
    expect(after).toEqual(before);
    expect(request).toMatchObject({ method: 'POST', uri: '/v1/registrations' });
  });
});
