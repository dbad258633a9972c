// Starts the local stack exactly as `npm start` does, in a child process, against the test run's DynamoDB
// Local (tables of its own) and on a free port; resolves once GET /v1/health answers 200.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { freePort } from '../../bin/local/dynamodb-local.ts';

export interface RunningStack {
  baseUrl: string;
  /** Every line the stack printed (its structured logs among them). */
  output: string[];
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..', '..');

export async function startLocalStack(env: Record<string, string> = {}): Promise<RunningStack> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'registration-stack-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin', 'local.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      TABLE_PREFIX: `t${port}-`,
      LOCAL_STATE_DIR: stateDir,
      // Tests of other rules would trip the per-address limit: 127.0.0.1 is every test's address.
      IDENTIFY_MAX_PER_IP_PER_MINUTE: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...String(chunk).split('\n').filter(Boolean));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`local stack exited (${child.exitCode}):\n${output.join('\n')}`);
    try {
      if ((await fetch(`${baseUrl}/v1/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local stack did not become healthy:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
