// What observability costs at cold start: two functions as lib/ builds them against variants with Powertools
// Tracer capturing the SDK clients, Powertools Logger, Powertools Metrics (EMF), or `--enable-source-maps`. Each sample is a fresh Node process that imports the bundle and serves one request
// whose AWS calls (DynamoDB, the secrets extension) reach a stub on 127.0.0.1, as a Lambda cold start does.
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Plugin } from 'esbuild';
import {
  type BuildChanges,
  type BuiltBundle,
  buildBundle,
  bundleDir,
  functionSpecs,
  removeBundles,
} from './bundles.ts';
import { lambdaEnvironment } from './cold-start.ts';
import { fixed, kib, median, percentile, table } from './stats.ts';

const run = promisify(execFile);

/** An authenticated step with the HMAC key, and step 1, the function with the most AWS calls and argon2. */
export const OBSERVED_FUNCTIONS = ['verify-otp', 'start-registration'] as const;

export const SOURCE_MAPS = '--enable-source-maps';

/** Replaces `lambdas/adapters/event-log.ts` for every importer but the replacement itself. */
const swapEventLog = (replacement: string): Plugin => ({
  name: 'swap-event-log',
  setup(build) {
    build.onResolve({ filter: /\/event-log\.ts$/ }, (args) =>
      args.importer === replacement ? undefined : { path: replacement },
    );
  },
});

export interface Variant {
  name: string;
  /** What the variant changes against the baseline. */
  what: string;
  nodeOptions?: string;
  changes: (entry: string) => BuildChanges;
}

const variantModule = (file: string) => join(import.meta.dirname, 'observability', file);

export const VARIANTS: Variant[] = [
  {
    name: 'baseline',
    what: 'as lib/ builds it: hand-written logger, metric filters, no SDK capture, NODE_OPTIONS unset',
    changes: () => ({}),
  },
  {
    name: 'source maps',
    what: 'the same bundle with NODE_OPTIONS=--enable-source-maps (as lib/ set it before)',
    nodeOptions: SOURCE_MAPS,
    changes: () => ({}),
  },
  {
    name: 'tracer',
    what: 'Powertools Tracer capturing the DynamoDB client (and fetch)',
    changes: (entry) => ({
      entrySource: [
        "import { Tracer } from '@aws-lambda-powertools/tracer';",
        "import { db } from './lambdas/storage.ts';",
        `export { handler } from ${JSON.stringify(entry)};`,
        "new Tracer({ serviceName: 'self-registration' }).captureAWSv3Client(db());",
      ].join('\n'),
    }),
  },
  {
    name: 'logger',
    what: 'Powertools Logger writes the redacted lines',
    changes: () => ({ plugins: [swapEventLog(variantModule('powertools-logger.ts'))] }),
  },
  {
    name: 'metrics',
    what: 'every security event also an EMF metric (Powertools Metrics)',
    changes: () => ({ plugins: [swapEventLog(variantModule('powertools-metrics.ts'))] }),
  },
];

const REGISTRATION_ID = '3f1c2b4a-9d8e-4f7a-8b6c-5d4e3f2a1b0c';

/** One request each function serves on its cold start; the stub answers every DynamoDB call with no item. */
const firstRequests: Record<(typeof OBSERVED_FUNCTIONS)[number], object> = {
  'verify-otp': {
    httpMethod: 'POST',
    path: `/v1/registrations/${REGISTRATION_ID}/otp/verify`,
    pathParameters: { id: REGISTRATION_ID },
    headers: { 'content-type': 'application/json', authorization: `Bearer ${'A'.repeat(43)}` },
    body: JSON.stringify({ code: '123456' }),
  },
  'start-registration': {
    httpMethod: 'POST',
    path: '/v1/registrations',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'card',
      cardNumber: '4111111111111111',
      expiryMonth: 12,
      expiryYear: 2030,
      pin: '1234',
    }),
  },
};

// Runs in the fresh process: import, then one invocation; the figures go to stderr, the function's logs to
// stdout as in Lambda.
const IMPORTER = `const cpu0 = process.cpuUsage();
const t0 = performance.now();
const module = await import(process.argv[2]);
const t1 = performance.now();
const cpu1 = process.cpuUsage(cpu0);
const event = JSON.parse(process.argv[3]);
const context = { awsRequestId: 'bench-request', functionName: 'bench', getRemainingTimeInMillis: () => 10000 };
const response = await module.handler({ ...event, isBase64Encoded: false, requestContext: { requestId: 'bench-request', identity: { sourceIp: '127.0.0.1' } } }, context);
const t2 = performance.now();
const cpu2 = process.cpuUsage(cpu0);
const ms = (c) => (c.user + c.system) / 1000;
process.stderr.write('BENCH ' + JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, importCpuMs: ms(cpu1), totalCpuMs: ms(cpu2), status: response.statusCode }) + '\\n');
`;

interface Sample {
  importMs: number;
  invokeMs: number;
  importCpuMs: number;
  totalCpuMs: number;
  processMs: number;
  status: number;
  /** Lines the function wrote to stdout, and how many of them were EMF metrics. */
  logLines: number;
  emfLines: number;
  /** X-Ray segment documents the process sent to the daemon address. */
  segments: number;
}

/** DynamoDB (any call answers `{}`: no item) and the Parameters and Secrets extension, on 127.0.0.1. */
async function startStub(): Promise<{ server: Server; port: number; calls: () => number }> {
  let calls = 0;
  const secret = 'bench-secret-'.padEnd(48, 'x');
  const server = createServer((request, response) => {
    calls += 1;
    request.resume();
    request.on('end', () => {
      if (request.url?.startsWith('/secretsmanager/get')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ SecretString: secret }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, calls: () => calls };
}

/** Stands in for the X-Ray daemon: counts the segment documents it receives. */
async function startDaemon(): Promise<{ socket: Socket; port: number; segments: () => number }> {
  let segments = 0;
  const socket = createSocket('udp4');
  socket.on('message', (message) => {
    segments += message
      .toString()
      .split('\n')
      .filter((l) => l.includes('"trace_id"')).length;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, segments: () => segments };
}

/** Lambda's environment for the function, plus what a cold start in AWS has: credentials, X-Ray, the extension. */
function environment(
  bundle: BuiltBundle,
  variant: Variant,
  stubPort: number,
  daemonPort: number,
): Record<string, string> {
  return {
    ...lambdaEnvironment(bundle),
    ...(variant.nodeOptions ? { NODE_OPTIONS: variant.nodeOptions } : {}),
    LOG_LEVEL: 'info',
    AWS_ACCESS_KEY_ID: 'AKIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${stubPort}`,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(stubPort),
    HMAC_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hmac-AbCdEf',
    PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:pepper-AbCdEf',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: bundle.file.replace(/\/index\.mjs$/, ''),
    _X_AMZN_TRACE_ID: 'Root=1-65f05a2d-5f2b6c1e8a9d4e3f2a1b0c9d;Parent=53995c3f42cd8ad8;Sampled=1',
    // Segments go by UDP to the bench, which counts them as the X-Ray daemon would receive them.
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemonPort}`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    POWERTOOLS_SERVICE_NAME: 'self-registration',
  };
}

export interface VariantResult {
  fn: string;
  variant: Variant;
  bundle: BuiltBundle;
  samples: Sample[];
  stubCalls: number;
}

/** Median, p10 and p90 of one figure. */
const spread = (values: number[]) => ({
  median: median(values),
  p10: percentile(values, 10),
  p90: percentile(values, 90),
});

export async function measureObservability(
  rounds: number,
  out: (text?: string) => void,
): Promise<VariantResult[]> {
  const dir = bundleDir('registration-observability-');
  const stub = await startStub();
  const daemon = await startDaemon();
  try {
    const importer = join(dir, 'import-and-invoke.mjs');
    writeFileSync(importer, IMPORTER);
    const specs = functionSpecs().filter((s) => (OBSERVED_FUNCTIONS as readonly string[]).includes(s.name));
    const results: VariantResult[] = [];
    for (const spec of specs) {
      for (const variant of VARIANTS) {
        const bundle = await buildBundle(dir, spec, {
          outName: `${spec.name}-${variant.name}`,
          ...variant.changes(spec.entry),
        });
        results.push({ fn: spec.name, variant, bundle, samples: [], stubCalls: 0 });
      }
    }
    // Variants take turns within a round, so load from elsewhere on the machine falls on all of them alike.
    for (let round = 0; round < rounds; round++) {
      for (const result of results) {
        const event = JSON.stringify(firstRequests[result.fn as (typeof OBSERVED_FUNCTIONS)[number]]);
        const callsBefore = stub.calls();
        const started = performance.now();
        const segmentsBefore = daemon.segments();
        const { stdout, stderr } = await run(process.execPath, [importer, result.bundle.file, event], {
          env: environment(result.bundle, result.variant, stub.port, daemon.port),
          cwd: dir,
          timeout: 30_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        const processMs = performance.now() - started;
        const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
        if (!line) throw new Error(`${result.fn} (${result.variant.name}) printed no figures: ${stderr}`);
        const lines = stdout.split('\n').filter((l) => l.trim() !== '');
        // UDP is asynchronous: give the last datagram a moment to arrive before counting.
        await new Promise((resolve) => setTimeout(resolve, 20));
        result.samples.push({
          ...JSON.parse(line.slice(6)),
          processMs,
          logLines: lines.length,
          emfLines: lines.filter((l) => l.includes('"_aws"')).length,
          segments: daemon.segments() - segmentsBefore,
        });
        result.stubCalls = stub.calls() - callsBefore;
      }
    }
    report(results, rounds, out);
    return results;
  } finally {
    stub.server.close();
    daemon.socket.close();
    removeBundles(dir);
  }
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${fixed(value)}`;

function report(results: VariantResult[], rounds: number, out: (text?: string) => void): void {
  out(
    `  ${rounds} fresh processes per variant, variants taking turns; import = import() of the bundle, first call = one request (DynamoDB and the secrets extension stubbed on 127.0.0.1), process = spawn to exit`,
  );
  for (const v of VARIANTS) out(`  ${v.name}: ${v.what}`);
  for (const fn of new Set(results.map((r) => r.fn))) {
    const rows = results.filter((r) => r.fn === fn);
    const base = rows.find((r) => r.variant.name === 'baseline') as VariantResult;
    const totalOf = (r: VariantResult) => r.samples.map((s) => s.importMs + s.invokeMs);
    const baseTotal = median(totalOf(base));
    const baseCpu = median(base.samples.map((s) => s.totalCpuMs));
    out(`\n  ${fn}`);
    out(
      table(
        [
          'variant',
          'minified',
          'map',
          'import ms (p10-p90)',
          'first call ms',
          'import + call',
          'vs baseline',
          'cpu ms',
          'cpu vs baseline',
          'process ms',
          'status',
          'AWS calls',
          'log lines (EMF)',
          'X-Ray segments',
        ],
        rows.map((r) => {
          const imp = spread(r.samples.map((s) => s.importMs));
          const total = spread(totalOf(r));
          return [
            r.variant.name,
            kib(r.bundle.bytes),
            kib(r.bundle.mapBytes),
            `${fixed(imp.median)} (${fixed(imp.p10)}-${fixed(imp.p90)})`,
            fixed(median(r.samples.map((s) => s.invokeMs))),
            `${fixed(total.median)} (p90 ${fixed(total.p90)})`,
            r === base
              ? '-'
              : `${total.median - baseTotal >= 0 ? '+' : ''}${fixed(total.median - baseTotal)}`,
            fixed(median(r.samples.map((s) => s.totalCpuMs))),
            r === base ? '-' : signed(median(r.samples.map((s) => s.totalCpuMs)) - baseCpu),
            fixed(median(r.samples.map((s) => s.processMs))),
            [...new Set(r.samples.map((s) => s.status))].join('/'),
            String(r.stubCalls),
            `${median(r.samples.map((s) => s.logLines))} (${median(r.samples.map((s) => s.emfLines))})`,
            String(median(r.samples.map((s) => s.segments))),
          ];
        }),
      ),
    );
  }
}
