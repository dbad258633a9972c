// `npm run agent -- <command> --customer <value> [--reason "..."]`: the assisted-service client for branch and
// call-center staff. Commands: status, unlock, revoke-sessions, reset-token, disable, enable, verify-answer.
// The customer is found by customer id, cédula, RUC or username (the API's look-up); status prints a summary
// in Spanish (`--json`: the API's JSON); every change needs a reason, checked here before any call with the
// API's own rule, and is written to the audit trail with who made it.
//
// Where it goes: AGENT_API_URL, or --url; without either, the local stack's staff API
// (http://127.0.0.1:${AGENT_PORT:-3100}). A loopback URL is called as is, naming the OS user in
// `x-local-staff`; any other URL is the deployed API (its AssistedApiUrl output): the request is signed
// with SigV4 (service execute-api) using the standard AWS credential chain (environment, SSO, profile,
// instance or container role), in AWS_REGION or the region of the URL.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { readReason, type StaffChangeResult } from '../lambdas/assisted/actions.ts';
import type { CustomerStatus } from '../lambdas/assisted/status.ts';
import { type AssistedAction, assistedActions } from '../lambdas/routes.ts';
import { RegistrationError } from '../lambdas/rules/errors.ts';
import { changeSummary, stateText, statusSummary } from './agent/summary.ts';

const commands = ['status', 'verify-answer', ...assistedActions] as const;
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

/** Where the CLI writes, and how it reads a customer's answer (never from the command line: shell history). */
export interface AgentIo {
  out: (text: string) => void;
  err: (text: string) => void;
  readAnswer: () => Promise<string>;
}

const processIo: AgentIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  readAnswer: async () => {
    if (process.stdin.isTTY) process.stderr.write('Respuesta del cliente (no se muestra en el historial): ');
    for await (const line of createInterface({ input: process.stdin })) return line;
    return '';
  },
};

class UsageError extends Error {}

const usageText = (problem?: string) =>
  [
    ...(problem ? [problem, ''] : []),
    'Uso: npm run agent -- <comando> --customer <código, cédula, RUC o usuario> [--reason "<motivo>"] [--json] [--url <URL del API del personal>]',
    `Comandos: ${commands.join(', ')}.`,
    'Todo comando salvo status y verify-answer necesita --reason (de 10 a 500 caracteres, sin saltos de línea).',
    'verify-answer necesita --question <id de la pregunta> y lee la respuesta del cliente por la entrada estándar.',
    `Sin --url ni AGENT_API_URL llama al stack local (npm start) en 127.0.0.1:${process.env.AGENT_PORT ?? 3100}.`,
    '',
  ].join('\n');

/** The fields of an answer the CLI reads: a problem's, a look-up's, an identity check's. */
interface AnswerBody {
  code?: string;
  title?: string;
  detail?: string;
  state?: string;
  errors?: { field: string; message: string }[];
  candidates?: string[];
  customerId?: string;
  match?: boolean;
}

interface Answer {
  status: number;
  body: AnswerBody | undefined;
  text: string;
}

/** One call, signed, with one retry after a network error or a 5xx (the same Idempotency-Key: applied once). */
async function call(request: AgentRequest): Promise<Answer> {
  const send = async () =>
    fetch(request.url, { method: request.method, headers: await signedHeaders(request), body: request.body });
  let response = await send().catch(() => undefined);
  if (!response || response.status >= 500)
    response = await send().catch((error: Error) => {
      const cause = (error.cause as Error | undefined)?.message ?? error.message;
      throw new Error(
        `No se pudo conectar con ${request.url.href} (${cause}). ¿Está bien la URL del API del personal?`,
      );
    });
  const text = await response.text();
  let body: AnswerBody | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (an API Gateway or network error page): shown as it came
  }
  return { status: response.status, body, text };
}

/** A refusal in words: the problem's detail and field messages, or the raw answer. */
function refusal(answer: Answer): string {
  const body = answer.body;
  if (!body) return `${answer.status} ${answer.text}\n`;
  if (body.code === 'nothing_to_change')
    return `Nada que cambiar: ${stateText[body.state ?? ''] ?? body.state ?? body.detail}.\n`;
  const fields = (body.errors ?? []).map(
    (e: { field: string; message: string }) => `  ${e.field}: ${e.message}`,
  );
  return [`${answer.status} ${body.title ?? ''}: ${body.detail ?? ''}`, ...fields, ''].join('\n');
}

const json = (body: unknown) => `${JSON.stringify(body, null, 2)}\n`;

export async function main(argv: string[], io: AgentIo = processIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(usageText(error.message));
      return 2;
    }
    throw error;
  }
}

async function run(argv: string[], io: AgentIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      customer: { type: 'string' },
      reason: { type: 'string' },
      question: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  const command = positionals[0] as Command | undefined;
  if (!command || !(commands as readonly string[]).includes(command))
    throw new UsageError(`Comando desconocido: ${command ?? '(ninguno)'}`);
  if (!values.customer) throw new UsageError('Falta --customer');
  const isChange = (assistedActions as readonly string[]).includes(command);
  // The API's own rule, checked before any call: a typo costs no round trip and no audit noise.
  let reason: string | undefined;
  if (isChange) {
    try {
      reason = readReason({ reason: values.reason ?? '' });
    } catch (error) {
      if (!(error instanceof RegistrationError)) throw error;
      const message = error.extras.errors?.[0]?.message ?? 'El motivo no es válido.';
      throw new UsageError(`--reason: ${message}`);
    }
  }
  if (command === 'verify-answer' && !values.question) throw new UsageError('Falta --question');

  const base =
    values.url ?? process.env.AGENT_API_URL ?? `http://127.0.0.1:${process.env.AGENT_PORT ?? '3100'}`;
  const at = (path: string) => new URL(path, base.endsWith('/') ? base : `${base}/`);

  const found = await call({
    method: 'POST',
    url: at('v1/customer-lookups'),
    body: JSON.stringify({ query: values.customer }),
  });
  if (found.status === 404 && found.body?.code === 'not_found') {
    io.err(
      `No se encontró ningún cliente con «${values.customer}» (código de cliente, cédula, RUC o usuario).\n`,
    );
    return 1;
  }
  if (found.status === 409 && found.body?.code === 'customer_ambiguous') {
    io.err(
      `«${values.customer}» corresponde a varios clientes: ${(found.body.candidates ?? []).join(', ')}. Usa el código de cliente o el usuario.\n`,
    );
    return 1;
  }
  if (found.status !== 200 || !found.body) {
    io.err(refusal(found));
    return 1;
  }
  const customer = encodeURIComponent(found.body.customerId ?? '');

  if (command === 'status') {
    const answer = await call({ method: 'GET', url: at(`v1/customers/${customer}`) });
    if (answer.status !== 200 || !answer.body) {
      io.err(refusal(answer));
      return 1;
    }
    io.out(values.json ? json(answer.body) : statusSummary(answer.body as unknown as CustomerStatus));
    return 0;
  }
  if (command === 'verify-answer') {
    const answerText = await io.readAnswer();
    const answer = await call({
      method: 'POST',
      url: at(`v1/customers/${customer}/verify-answer`),
      body: JSON.stringify({ questionId: values.question, answer: answerText }),
    });
    if (answer.status !== 200 || !answer.body) {
      io.err(refusal(answer));
      return 1;
    }
    io.out(
      values.json
        ? json(answer.body)
        : answer.body.match
          ? 'La respuesta COINCIDE con la registrada.\n'
          : 'La respuesta NO coincide con la registrada.\n',
    );
    return 0;
  }
  const answer = await call({
    method: 'POST',
    url: at(`v1/customers/${customer}/actions/${command as AssistedAction}`),
    body: JSON.stringify({ reason }),
    idempotencyKey: randomUUID(),
  });
  if (answer.status !== 200 || !answer.body) {
    io.err(refusal(answer));
    return 1;
  }
  io.out(values.json ? json(answer.body) : changeSummary(answer.body as unknown as StaffChangeResult));
  return 0;
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
