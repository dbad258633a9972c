// The local API Gateway: turns HTTP requests into REST API proxy events (payload 1.0) and calls the very
// handler modules the Lambdas run, from the same route table the CDK stack uses.
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { CLIENT_IP_HEADER } from '../../lambdas/http/client-address.ts';
import type { Route } from '../../lambdas/routes.ts';

/** What the gateway needs of a route: the public API's routes and the assisted-service API's alike. */
type GatewayRoute = Pick<Route, 'handler' | 'method' | 'path'>;

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface GatewayOptions {
  routes: { route: GatewayRoute; handler: LambdaHandler }[];
  /**
   * The assisted-service API: AWS_IAM stands for the caller's identity. Locally the staff member is named
   * by the `x-local-staff` header (`npm run agent` sends the OS user name), and the gateway writes it where
   * API Gateway writes the verified caller (requestContext.identity.userArn); a call without it is refused
   * with 403, as the deployed API refuses an unsigned one. Nothing else is checked: the gateway listens on
   * the loopback interface only.
   */
  staffIdentity?: boolean;
  /** Extra local-only GET endpoints (/_local/sms, /v1/openapi.json ...), answered with JSON. */
  localJson: Record<string, () => Promise<unknown>>;
  /** The same data as an HTML page, for the endpoints that have one, when a browser asks (Accept: text/html). */
  localHtml?: Record<string, (data: unknown) => string>;
  /** Static files of the web wizard, served at `/` with these headers. */
  web?: { dir: string; headers: Record<string, string> };
}

/** API Gateway's own payload limit is 10 MB; locally a smaller cap keeps a stray upload from filling memory. */
const MAX_READ_BYTES = 1024 * 1024;

/** Client-written address headers that must never reach a function: the gateway sets the client address. */
const clientAddressHeaders = new Set([
  CLIENT_IP_HEADER,
  'cloudfront-viewer-address',
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
]);

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const pattern = (path: string): RegExp =>
  new RegExp(`^${path.replace(/\{(\w+)\}/g, (_m, name) => `(?<${name}>[^/]+)`)}$`);

function problem(
  res: ServerResponse,
  status: number,
  code: string,
  title: string,
  detail: string,
  extra: Record<string, string> = {},
) {
  const requestId = randomUUID();
  res.writeHead(status, {
    'Content-Type': 'application/problem+json; charset=utf-8',
    'Cache-Control': 'no-store',
    'x-request-id': requestId,
    ...extra,
  });
  res.end(
    JSON.stringify({
      type: `https://api.produbanco.com.ec/problems/${code.replaceAll('_', '-')}`,
      title,
      status,
      code,
      detail,
      requestId,
    }),
  );
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((done, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_READ_BYTES) {
        done('too-large');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => done(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The local stand-in of a verified IAM caller: the `x-local-staff` name, kept to safe characters; undefined
 * without one (the deployed API refuses an unsigned call, so the local one does too).
 */
function localStaffArn(req: IncomingMessage): string | undefined {
  const named = String(req.headers['x-local-staff'] ?? '')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 64);
  return named ? `arn:aws:iam::000000000000:user/local/${named}` : undefined;
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  route: GatewayRoute,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    // The client may write these; CloudFront's function overwrites the client address, and so does this gateway.
    if (clientAddressHeaders.has(name.toLowerCase())) continue;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  // As CloudFront's viewer-request function does: the TCP peer, the only client address the functions read
  // (they reduce an IPv6 one to its /64 themselves).
  const peer = req.socket.remoteAddress ?? '127.0.0.1';
  headers[CLIENT_IP_HEADER] = peer;
  multiValueHeaders[CLIENT_IP_HEADER] = [peer];
  const query = [...url.searchParams.entries()];
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of query) multiQuery[k] = [...(multiQuery[k] ?? []), v];
  const requestId = randomUUID();
  const text = body.toString('utf8');
  const binary = !Buffer.from(text, 'utf8').equals(body);
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.length ? Object.fromEntries(query) : null,
    multiValueQueryStringParameters: query.length ? multiQuery : null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: body.length ? (binary ? body.toString('base64') : text) : null,
    isBase64Encoded: binary,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: route.method,
      path: `/local${url.pathname}`,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: route.handler,
      resourcePath: route.path,
      identity: {
        sourceIp: peer,
        userAgent: req.headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
    },
  };
}

const lambdaContext = (route: GatewayRoute, requestId: string): Context => {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${route.handler}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${route.handler}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/local-${route.handler}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

async function serveStatic(
  res: ServerResponse,
  web: NonNullable<GatewayOptions['web']>,
  pathname: string,
  head: boolean,
) {
  const root = resolve(web.dir);
  const wanted = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(wanted);
  } catch {
    return false;
  }
  const file = normalize(join(root, decoded));
  if (!file.startsWith(root)) return false;
  try {
    if (!(await stat(file)).isFile()) return false;
  } catch {
    return false;
  }
  const type = contentTypes[extname(file)] ?? 'application/octet-stream';
  const content = await readFile(file);
  res.writeHead(200, {
    'Content-Type': type,
    'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'public, max-age=300',
    ...web.headers,
  });
  res.end(head ? undefined : content);
  return true;
}

export function createGateway(options: GatewayOptions): Server {
  const table = options.routes.map(({ route, handler }) => ({ route, handler, regex: pattern(route.path) }));
  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = req.method ?? 'GET';
      const local = options.localJson[url.pathname];
      if (local && method === 'GET') {
        const html = options.localHtml?.[url.pathname];
        const wantsHtml = html && /\btext\/html\b/.test(req.headers.accept ?? '');
        const body = wantsHtml ? html(await local()) : JSON.stringify(await local());
        res.writeHead(200, {
          ...(wantsHtml ? options.web?.headers : {}),
          'Content-Type': wantsHtml ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
          'Cache-Control': 'no-store',
        });
        res.end(body);
        return;
      }
      const matches = table.flatMap((entry) => {
        const m = entry.regex.exec(url.pathname);
        return m ? [{ ...entry, params: { ...(m.groups ?? {}) } }] : [];
      });
      const match = matches.find((m) => m.route.method === method);
      if (!match) {
        if (matches.length > 0) {
          const allow = matches.map((m) => m.route.method).join(', ');
          return problem(
            res,
            405,
            'method_not_allowed',
            'Método no permitido',
            'El recurso no admite este método.',
            { Allow: allow },
          );
        }
        if (options.web && (method === 'GET' || method === 'HEAD') && !url.pathname.startsWith('/v1/')) {
          if (await serveStatic(res, options.web, url.pathname, method === 'HEAD')) return;
        }
        return problem(res, 404, 'not_found', 'No encontrado', 'El recurso solicitado no existe.');
      }
      const body = await readBody(req);
      if (body === 'too-large') {
        return problem(
          res,
          413,
          'payload_too_large',
          'Solicitud demasiado grande',
          'La solicitud supera el tamaño máximo de 16 KiB.',
        );
      }
      const event = toEvent(req, url, match.route, match.params, body);
      if (options.staffIdentity) {
        const caller = localStaffArn(req);
        if (!caller) {
          return problem(
            res,
            403,
            'forbidden',
            'Acceso no permitido',
            'Falta la cabecera x-local-staff: el API del personal no atiende llamadas sin identidad.',
          );
        }
        event.requestContext.identity.userArn = caller;
      }
      const result = await match.handler(event, lambdaContext(match.route, event.requestContext.requestId));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
      res.writeHead(result.statusCode, headers);
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      process.stderr.write(`local gateway: ${(error as Error).stack ?? String(error)}\n`);
      if (!res.headersSent)
        problem(res, 502, 'bad_gateway', 'Error de la pasarela local', 'La función no respondió.');
      else res.end();
    }
  });
}
