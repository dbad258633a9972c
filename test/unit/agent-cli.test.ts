// The staff CLI: request signing (SigV4 for the deployed assisted-service API, the local staff name for the
// loopback stack), its own checks before any call, and what it prints (a Spanish summary in Ecuador time).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeSummary, statusSummary } from '../../bin/agent/summary.ts';
import { type AgentIo, main, signedHeaders } from '../../bin/agent.ts';
import type { CustomerStatus } from '../../lambdas/assisted/status.ts';

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

describe('npm run agent: its own checks', () => {
  let server: Server;
  let requests: number;
  let url: string;
  beforeEach(async () => {
    requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((done) => server.close(() => done())));

  const capture = () => {
    const io = { out: '', err: '' };
    const sink: AgentIo = {
      out: (text) => {
        io.out += text;
      },
      err: (text) => {
        io.err += text;
      },
      readAnswer: async () => 'respuesta',
    };
    return { io, sink };
  };

  const length = '--reason: Escribe el motivo del cambio: de 10 a 500 caracteres.';
  it.each([
    ['missing', [], '--reason: Este campo es obligatorio.'],
    ['too short', ['--reason', 'corto'], length],
    ['too long', ['--reason', 'x'.repeat(501)], length],
    [
      'with a line break',
      ['--reason', 'Primera línea\nsegunda línea'],
      '--reason: El motivo no puede tener caracteres de control',
    ],
  ])('checks --reason (%s) before any call, with its own message', async (_case, reason, message) => {
    const { io, sink } = capture();
    const code = await main(['unlock', '--customer', 'CUST-001', '--url', url, ...reason], sink);
    expect(code).toBe(2);
    expect(io.err.startsWith(message)).toBe(true);
    expect(requests).toBe(0);
  });

  it('names the URL it tried when the API cannot be reached', async () => {
    await new Promise<void>((done) => server.close(() => done()));
    const { sink } = capture();
    await expect(main(['status', '--customer', 'CUST-001', '--url', url], sink)).rejects.toThrow(
      `No se pudo conectar con ${url}/v1/customer-lookups`,
    );
    server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
});

describe('npm run agent: what it prints', () => {
  const status: CustomerStatus = {
    customerId: 'CUST-001',
    name: 'Tomás Mateos',
    contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
    user: { username: 'Tomas.Asistido' },
    secondFactor: 'active',
    locks: [
      {
        kind: 'credential-pin',
        credential: 1,
        credentialType: 'card',
        last4: '1234',
        until: '2026-12-07T19:05:00.000Z',
      },
      { kind: 'credential-pin', credential: 2, credentialType: 'company', until: '2026-12-07T19:05:00.000Z' },
      { kind: 'password', until: '2026-12-06T04:30:00.000Z' },
    ],
    openRecovery: { step: 'enter-otp', expiresAt: '2026-12-06T19:25:00.000Z' },
    sessions: { active: 1, openSignIns: 0 },
    recentEvents: [
      {
        eventId: 'e2',
        at: '2026-12-06T19:00:00.000Z',
        kind: 'staff-change',
        actor: 'arn:aws:iam::1:user/ana',
        action: 'unlock',
        reason: 'Confirmó su identidad',
      },
      { eventId: 'e1', at: '2026-12-05T15:00:00.000Z', kind: 'token-activated', actor: 'customer' },
    ],
  };

  it('summarises the status in Spanish, times in Ecuador (UTC-5), each PIN lock by the credential the customer knows', () => {
    const text = statusSummary(status);
    expect(text).toContain('Cliente CUST-001: Tomás Mateos');
    expect(text).toContain('Segundo factor: Token digital activo');
    expect(text).toMatch(
      /Clave de 4 dígitos de la tarjeta terminada en 1234 bloqueada.*7 de diciembre de 2026.*2:05\sp\.\sm\./,
    );
    expect(text).toContain('Clave de 4 dígitos de la clave empresa (RUC) bloqueada');
    // 04:30 UTC on the 6th is 23:30 on the 5th in Ecuador.
    expect(text).toMatch(/Ingreso con usuario y clave bloqueado.*5 de diciembre de 2026.*11:30\sp\.\sm\./);
    expect(text).toMatch(/Recuperación abierta en el paso «enter-otp»/);
    expect(text).toMatch(/6 de diciembre de 2026.*2:00\sp\.\sm\..*Desbloqueo de todos los accesos/);
    expect(text).toMatch(/5 de diciembre de 2026.*10:00\sa\.\sm\..*Token digital activado/);
  });

  it('says what a change did', () => {
    expect(
      changeSummary({ customerId: 'CUST-001', action: 'disable', at: '2026-12-06T19:00:00.000Z' }),
    ).toMatch(/^Listo: el usuario quedó deshabilitado .*6 de diciembre de 2026.*2:00\sp\.\sm\./);
  });
});
