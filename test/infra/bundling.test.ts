// The one test that bundles for real: create-password, as ServiceFunction builds it, is an ESM bundle with
// its source map, ships argon2's native linux-arm64 binary inside the asset, and the common-password list
// beside the bundle (read at the first check, not parsed at every cold start).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapInCloudAssembly } from '../../bin/stack/resolve.ts';
import { routes } from '../../lambdas/routes.ts';
import { type TableName, tableNames } from '../../lambdas/tables.ts';
import { ServiceFunction } from '../../lib/service-function.ts';

const route = routes.find((candidate) => candidate.handler === 'create-password');

describe('bundling create-password for real', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'selfreg-bundle-'));
  let assetDir: string;

  beforeAll(() => {
    // Prepare
    if (!route) throw new Error('create-password is not in the route table');
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleStack', { env: { region: 'us-east-1' } });
    const key = new Key(stack, 'Key');
    const tables = Object.fromEntries(
      tableNames.map((name) => [
        name,
        new Table(stack, `${name}Table`, {
          partitionKey: { name: 'pk', type: AttributeType.STRING },
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ]),
    ) as Record<TableName, Table>;
    const fn = new ServiceFunction(stack, 'CreatePassword', {
      handler: route.handler,
      needs: route.needs,
      data: {
        key,
        tables,
        hmacSecret: new Secret(stack, 'Hmac'),
        pepperSecret: new Secret(stack, 'Pepper'),
        tokenKeySecret: new Secret(stack, 'TokenKey'),
      },
      logRetention: RetentionDays.ONE_DAY,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });

    // Act
    const template = Template.fromStack(stack);
    const code =
      template.toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)].Properties.Code;
    assetDir = join(outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
  }, 240_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('emits a minified ESM bundle that defines require for CommonJS dependencies', () => {
    // Act
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');

    // Assess
    expect(bundle.startsWith("import { createRequire as __createRequire } from 'node:module';")).toBe(true);
    // Minified: long lines (template literals keep a few newlines).
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  });

  it('keeps the source map in the cloud assembly, where `npm run stack` finds it by the function name', () => {
    // Act
    const found = mapInCloudAssembly(outdir, 'create-password');

    // Assess
    expect(found).toBe(join(assetDir, 'index.mjs.map'));
    expect(mapInCloudAssembly(outdir, 'verify-otp')).toBeUndefined();
  });

  it('keeps argon2 out of the bundle and ships its linux-arm64 prebuild in node_modules', () => {
    // Prepare
    const prebuilds = join(assetDir, 'node_modules', 'argon2', 'prebuilds', 'linux-arm64');

    // Act
    const binaries = existsSync(prebuilds) ? readdirSync(prebuilds) : [];

    // Assess
    expect(binaries.some((file) => file.endsWith('.node'))).toBe(true);
    expect(JSON.parse(readFileSync(join(assetDir, 'package.json'), 'utf8')).dependencies).toHaveProperty(
      'argon2',
    );
  });

  it("never runs argon2's install script: no binary built for this machine, which argon2 would load first, and no .npmrc left", () => {
    expect(existsSync(join(assetDir, 'node_modules', 'argon2', 'build'))).toBe(false);
    expect(existsSync(join(assetDir, '.npmrc'))).toBe(false);
  });

  it('ships the common-password list beside index.mjs, where the check reads it, and not inside the bundle', () => {
    const list = join(assetDir, 'common-passwords.txt');
    expect(existsSync(list)).toBe(true);
    expect(readFileSync(list, 'utf8')).toBe(
      readFileSync(join(import.meta.dirname, '..', '..', 'lambdas', 'rules', 'common-passwords.txt'), 'utf8'),
    );
    expect(readFileSync(join(assetDir, 'index.mjs')).length).toBeLessThan(1024 * 1024);
  });
});
