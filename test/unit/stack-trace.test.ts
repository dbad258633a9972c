// `npm run stack`: a stack trace logged by a real bundle, run without `--enable-source-maps` as Lambda runs
// it, resolves to the TypeScript line that threw, with the source map esbuild wrote beside the bundle.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltBundle,
  buildBundle,
  bundleDir,
  functionSpecs,
  removeBundles,
} from '../../bin/bench/bundles.ts';
import { mapInCloudAssembly, resolveStack, stackText } from '../../bin/stack/resolve.ts';
import { type TableName, tableEnvVar } from '../../lambdas/tables.ts';

const run = promisify(execFile);
const projectRoot = join(import.meta.dirname, '..', '..');

/** 1-based line of the first line of `file` that contains `text`. */
const lineOf = (file: string, text: string): number =>
  readFileSync(join(projectRoot, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text)) + 1;

describe('resolving a logged stack trace with the bundle source map', () => {
  const dir = bundleDir('selfreg-stack-');
  let bundle: BuiltBundle;
  let errorLine: string;

  beforeAll(async () => {
    // Prepare: verify-otp as the stack builds it, and a request whose body is not a string, which makes the
    // handler throw a TypeError that the error middleware logs with its stack (through CloudFront, as in AWS).
    const spec = functionSpecs().find((s) => s.name === 'verify-otp');
    if (!spec) throw new Error('verify-otp is not a function of the route table');
    bundle = await buildBundle(dir, spec);
    const script = `const { handler } = await import(${JSON.stringify(bundle.file)});
      await handler({ body: 5, headers: { 'x-viewer-ip': '198.51.100.7' },
        requestContext: { requestId: 'stack-test' } }, {});`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        RUNTIME_MODE: 'aws',
        AWS_REGION: 'us-east-1',
        // Every table the function is granted, as the stack gives it: a name is all import needs.
        ...Object.fromEntries(
          Object.keys(spec.needs.tables).map((name) => [tableEnvVar(name as TableName), name]),
        ),
        HMAC_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:hmac-AbCdEf',
      },
    });
    errorLine = stdout.split('\n').find((line) => line.includes('"unexpected error"')) ?? '';
  }, 120_000);

  afterAll(() => removeBundles(dir));

  it('resolves the logged line to the TypeScript line that threw', () => {
    // Prepare: the function logged positions in the minified bundle only
    const threw = lineOf('lambdas/http/api-handler.ts', 'Buffer.byteLength(body');
    expect(stackText(errorLine)).toMatch(/^TypeError[\s\S]*index\.mjs:\d+:\d+/);
    expect(stackText(errorLine)).not.toMatch(/\.ts:\d+/);

    // Act
    const { text, frames, resolved } = resolveStack(stackText(errorLine), `${bundle.file}.map`, projectRoot);

    // Assess
    expect(frames).toBeGreaterThan(0);
    expect(resolved).toBe(frames);
    // The first frame of the service's own code (Node's Buffer frame comes before it).
    const firstOwnFrame = text.split('\n').find((line) => /at .*\.ts:\d+:\d+/.test(line)) ?? '';
    expect(firstOwnFrame).toContain(`lambdas/http/api-handler.ts:${threw}:`);
    expect(text).not.toMatch(/index\.mjs/);
  });

  it('npm run stack reads the logged line from stdin and prints the resolved stack', async () => {
    // Prepare
    const threw = lineOf('lambdas/http/api-handler.ts', 'Buffer.byteLength(body');
    const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');

    // Act
    const child = execFile(
      tsx,
      [join(projectRoot, 'bin', 'stack.ts'), 'verify-otp', '--map', `${bundle.file}.map`],
      {
        cwd: projectRoot,
      },
    );
    child.stdin?.end(`${errorLine}\n`);
    const printed = await new Promise<{ stdout: string; stderr: string }>((done, failed) => {
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk) => (stdout += chunk));
      child.stderr?.on('data', (chunk) => (stderr += chunk));
      child.on('error', failed);
      child.on('close', () => done({ stdout, stderr }));
    });

    // Assess
    expect(printed.stdout).toContain(`lambdas/http/api-handler.ts:${threw}:`);
    expect(printed.stdout).not.toMatch(/index\.mjs/);
    expect(printed.stderr).toMatch(/(\d+) of \1 bundle frames resolved/);
  }, 60_000);

  it('finds the source map of a function in a cloud assembly by its description and asset path', () => {
    // Prepare: the layout `cdk synth` writes, with this bundle as the asset of verify-otp
    const cdkOut = join(dir, 'cdk.out');
    const asset = join(cdkOut, 'asset.0123abcd');
    mkdirSync(asset, { recursive: true });
    cpSync(dirname(bundle.file), asset, { recursive: true });
    const fn = (handler: string, path: string) => ({
      Type: 'AWS::Lambda::Function',
      Properties: { Description: `Self-registration: ${handler}` },
      Metadata: { 'aws:asset:path': path },
    });
    writeFileSync(
      join(cdkOut, 'Service.template.json'),
      JSON.stringify({
        Resources: { Other: fn('send-otp', 'asset.ffff'), Verify: fn('verify-otp', 'asset.0123abcd') },
      }),
    );

    // Act
    const found = mapInCloudAssembly(cdkOut, 'verify-otp');
    const missing = mapInCloudAssembly(cdkOut, 'send-otp');

    // Assess
    expect(found).toBe(join(asset, 'index.mjs.map'));
    expect(missing).toBeUndefined();
  });
});
