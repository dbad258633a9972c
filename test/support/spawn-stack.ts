// Spawns the local stack exactly as `npm start` runs it (`node --import tsx bin/local.ts`), as a child on a
// free 127.0.0.1 port against a given DynamoDB, with tables and state of its own. Resolves once
// GET /v1/health answers 200. Used by the tests (local-stack.ts) and the load run and benchmarks
// (bench-stack.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../bin/local/dynamodb-local.ts';

export interface SpawnedStack {
  baseUrl: string;
  /** The assisted-service API of the stack (its own loopback port). */
  agentUrl: string;
  tablePrefix: string;
  /** Every line the stack printed (its structured logs among them). */
  output: string[];
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..', '..');

export async function spawnStack(options: {
  dynamodbEndpoint: string;
  prefixLetter: string;
  env?: Record<string, string>;
  /** Arguments of `bin/local.ts`, e.g. `--explore`. */
  args?: string[];
  onExit?: () => void;
}): Promise<SpawnedStack> {
  const port = await freePort();
  const agentPort = await freePort();
  const tablePrefix = `${options.prefixLetter}${port}-`;
  const stateDir = mkdtempSync(join(tmpdir(), 'registration-stack-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'bin', 'local.ts'), ...(options.args ?? [])],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        AGENT_PORT: String(agentPort),
        HOST: '127.0.0.1',
        DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
        TABLE_PREFIX: tablePrefix,
        LOCAL_STATE_DIR: stateDir,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Never leave the child behind when this process ends early.
  const killChild = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    options.onExit?.();
  };
  process.once('exit', killChild);
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...String(chunk).split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    process.removeListener('exit', killChild);
    rmSync(stateDir, { recursive: true, force: true });
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`local stack exited (${child.exitCode}):\n${output.join('\n')}`);
    }
    try {
      if ((await fetch(`${baseUrl}/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await stop();
      throw new Error(`local stack did not become healthy:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { baseUrl, agentUrl: `http://127.0.0.1:${agentPort}`, tablePrefix, output, stop };
}
