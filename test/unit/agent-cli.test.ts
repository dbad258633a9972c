// The staff CLI's request signing: SigV4 for the deployed assisted-service API (service execute-api, the
// region of the URL, the standard credential chain), the local staff name for the loopback stack.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../bin/agent.ts';

describe('npm run agent: request headers', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    process.env.AWS_SESSION_TOKEN = 'session-token-example';
    delete process.env.AWS_PROFILE;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('signs a deployed API call with SigV4 for execute-api in the region of the URL', async () => {
    // Act
    const headers = await signedHeaders({
      method: 'POST',
      url: new URL('https://abc123.execute-api.sa-east-1.amazonaws.com/prod/v1/customers/C1/actions/unlock'),
      body: JSON.stringify({ reason: 'El cliente confirmó su identidad' }),
    });

    // Assess
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/sa-east-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers['x-amz-security-token']).toBe('session-token-example');
    expect(headers).not.toHaveProperty('x-local-staff');
  });

  it('signs the body: two reasons give two signatures', async () => {
    const url = new URL(
      'https://abc123.execute-api.sa-east-1.amazonaws.com/prod/v1/customers/C1/actions/disable',
    );
    const one = await signedHeaders({ method: 'POST', url, body: '{"reason":"primer motivo largo"}' });
    const two = await signedHeaders({ method: 'POST', url, body: '{"reason":"segundo motivo largo"}' });
    expect(one.authorization).not.toBe(two.authorization);
  });

  it('sends the local stack the OS user as the staff name, unsigned', async () => {
    const headers = await signedHeaders({
      method: 'GET',
      url: new URL('http://127.0.0.1:3100/v1/customers/C1'),
    });
    expect(headers).not.toHaveProperty('authorization');
    expect(headers['x-local-staff']).toMatch(/.+/);
  });

  it('refuses to sign a request to a plain http URL that is not the local stack', async () => {
    await expect(
      signedHeaders({
        method: 'GET',
        url: new URL('http://abc123.execute-api.sa-east-1.amazonaws.com/prod/v1/customers/C1'),
      }),
    ).rejects.toThrow(/use https/);
  });
});
