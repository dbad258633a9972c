// `npm run agent -- <command> --customer <id> [--reason "..."]`: the assisted-service client for branch and
// call-center staff. Commands: status, unlock, revoke-sessions, reset-token, disable, enable. Every change
// needs a reason (the API answers 422 without one) and is written to the audit trail with who made it.
//
// Where it goes: AGENT_API_URL, or --url; without either, the local stack's staff API
// (http://127.0.0.1:${AGENT_PORT:-3100}). A loopback URL is called as is, naming the OS user in
// `x-local-staff`; any other URL is the deployed API (its AssistedApiUrl output): the request is signed
// with SigV4 (service execute-api) using the standard AWS credential chain (environment, SSO, profile,
// instance or container role), in AWS_REGION or the region of the URL.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { assistedActions } from '../lambdas/routes.ts';

const commands = ['status', ...assistedActions] as const;
type Command = (typeof commands)[number];

const bytes = (data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape SignatureV4 expects. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const isLoopback = (url: URL): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The region of an execute-api host (`<id>.execute-api.<region>.amazonaws.com`), else AWS_REGION. */
function regionOf(url: URL): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const region = match?.[1] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('Set AWS_REGION: the URL does not name a region.');
  return region;
}

export interface AgentRequest {
  method: 'GET' | 'POST';
  url: URL;
  body?: string;
  /** Sent with a change, the same on its retry: the API applies it once. */
  idempotencyKey?: string;
}

/** The headers of a request: SigV4-signed for AWS, the local staff name for the local stack. */
export async function signedHeaders(request: AgentRequest): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    host: request.url.host,
    accept: 'application/json',
    ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
  };
  if (isLoopback(request.url)) return { ...headers, 'x-local-staff': userInfo().username };
  // Signed requests carry the staff member's credentials' signature and the reasons: never in clear.
  if (request.url.protocol !== 'https:')
    throw new Error(`Refusing to call ${request.url.origin}: use https.`);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: regionOf(request.url),
    credentials: defaultProvider(),
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    path: request.url.pathname,
    query: Object.fromEntries(request.url.searchParams),
    headers,
    body: request.body,
  });
  return signed.headers as Record<string, string>;
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`${problem}\n\n`);
  process.stderr.write(
    [
      'Usage: npm run agent -- <command> --customer <id> [--reason "<why>"] [--url <staff API URL>]',
      `Commands: ${commands.join(', ')}. Every command but status needs --reason (10 to 500 characters).`,
      `Without --url or AGENT_API_URL it calls the local stack (npm start) on 127.0.0.1:${process.env.AGENT_PORT ?? 3100}.`,
      '',
    ].join('\n'),
  );
  process.exit(2);
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      customer: { type: 'string' },
      reason: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) usage();
  const command = positionals[0] as Command | undefined;
  if (!command || !(commands as readonly string[]).includes(command))
    usage(`Unknown command: ${command ?? '(none)'}`);
  if (!values.customer) usage('--customer is required');
  const base =
    values.url ?? process.env.AGENT_API_URL ?? `http://127.0.0.1:${process.env.AGENT_PORT ?? '3100'}`;
  const customer = encodeURIComponent(values.customer);
  const path =
    command === 'status' ? `v1/customers/${customer}` : `v1/customers/${customer}/actions/${command}`;
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  // The reason goes as given: the API refuses a missing or short one (422), so the rule lives in one place.
  const request: AgentRequest =
    command === 'status'
      ? { method: 'GET', url }
      : {
          method: 'POST',
          url,
          body: JSON.stringify({ reason: values.reason ?? '' }),
          idempotencyKey: randomUUID(),
        };
  // One retry after a network error or a 5xx, signed again, with the same Idempotency-Key: a change that
  // did go through the first time is not applied (nor audited, nor emailed) twice.
  const send = async () =>
    fetch(url, { method: request.method, headers: await signedHeaders(request), body: request.body });
  let response = await send().catch(() => undefined);
  if (!response || response.status >= 500) response = await send();
  const text = await response.text();
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON (an API Gateway or network error page): shown as it came
  }
  (response.ok ? process.stdout : process.stderr).write(`${response.status} ${shown}\n`);
  return response.ok ? 0 : 1;
}

if (import.meta.main ?? process.argv[1]?.endsWith('agent.ts')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`agent: ${error.message}\n`);
      process.exit(1);
    },
  );
}
