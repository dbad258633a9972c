// Starts the local stack outside vitest, for the load run and the benchmarks: its own DynamoDB Local (in
// memory), then `node --import tsx bin/local.ts` as a child on a free 127.0.0.1 port, exactly as `npm start`
// runs it. Resolves once GET /v1/health answers 200; stop() ends the child and DynamoDB Local.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startDynamoDbLocal } from '../../bin/local/dynamodb-local.ts';

export interface BenchStack {
  baseUrl: string;
  dynamodbEndpoint: string;
  tablePrefix: string;
  /** Every line the stack printed (its structured logs among them). */
  output: string[];
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..', '..');

export async function startBenchStack(env: Record<string, string> = {}): Promise<BenchStack> {
  const dynamo = await startDynamoDbLocal();
  const port = await freePort();
  const tablePrefix = `b${port}-`;
  const stateDir = mkdtempSync(join(tmpdir(), 'registration-bench-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin', 'local.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      TABLE_PREFIX: tablePrefix,
      LOCAL_STATE_DIR: stateDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave the child behind when this process ends early.
  const killChild = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    if (dynamo.process.exitCode === null) dynamo.process.kill('SIGKILL');
  };
  process.once('exit', killChild);
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...String(chunk).split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await dynamo.stop();
      throw new Error(`local stack exited (${child.exitCode}):\n${output.join('\n')}`);
    }
    try {
      if ((await fetch(`${baseUrl}/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await dynamo.stop();
      throw new Error(`local stack did not become healthy:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    dynamodbEndpoint: dynamo.endpoint,
    tablePrefix,
    output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      await dynamo.stop();
      process.removeListener('exit', killChild);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
