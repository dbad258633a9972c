// Cold start: the time a fresh Node process takes to import a built bundle, with the environment Lambda
// gives that function, so its top level (configuration, clients) runs as it does there.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type TableName, tableEnvVar } from '../../lambdas/tables.ts';
import type { BuiltBundle } from './bundles.ts';
import { median } from './stats.ts';

const run = promisify(execFile);

/** What lib/service-function.ts puts in every function's environment, plus what Lambda itself sets. */
export function lambdaEnvironment(bundle: BuiltBundle): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    RUNTIME_MODE: 'aws',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: bundle.name,
    LOG_LEVEL: 'silent',
  };
  for (const name of Object.keys(bundle.needs.tables) as TableName[])
    env[tableEnvVar(name)] = `bench-${name}`;
  if (bundle.needs.hmacKey)
    env.HMAC_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hmac-AbCdEf';
  if (bundle.needs.pepper)
    env.PEPPER_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:pepper-AbCdEf';
  if (bundle.needs.email) {
    env.EMAIL_FROM = 'no-reply@example.com';
    env.SES_CONFIGURATION_SET = 'bench';
  }
  return env;
}

const IMPORTER = `const cpu = process.cpuUsage();
const started = performance.now();
const module = await import(process.argv[2]);
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
if (typeof module.handler !== 'function') throw new Error('no handler export');
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1000 }));
`;

export interface ColdStart {
  name: string;
  /** Wall-clock milliseconds of the import, one per fresh process. */
  samples: number[];
  medianMs: number;
  /** CPU milliseconds of the import: less sensitive than wall time to other work on the machine. */
  medianCpuMs: number;
}

/**
 * Imports each bundle in `rounds` fresh processes. The bundles take turns within a round, so a burst of load
 * from elsewhere on the machine falls on all of them alike.
 */
export async function measureColdStarts(
  dir: string,
  bundles: BuiltBundle[],
  rounds: number,
): Promise<ColdStart[]> {
  const importer = join(dir, 'import-once.mjs');
  writeFileSync(importer, IMPORTER);
  const samples = new Map<string, { wallMs: number; cpuMs: number }[]>(bundles.map((b) => [b.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const bundle of bundles) {
      const { stdout } = await run(process.execPath, [importer, bundle.file], {
        env: lambdaEnvironment(bundle),
        cwd: dir,
        timeout: 30_000,
      });
      samples.get(bundle.name)?.push(JSON.parse(stdout));
    }
  }
  return bundles.map((b) => {
    const list = samples.get(b.name) ?? [];
    const wall = list.map((s) => s.wallMs);
    return {
      name: b.name,
      samples: wall,
      medianMs: median(wall),
      medianCpuMs: median(list.map((s) => s.cpuMs)),
    };
  });
}
