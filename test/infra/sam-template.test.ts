// The SAM local template (npm run sam:template), built with real bundling: SAM CLI cannot run here (no
// Docker), so its shape is what is proven. Every function's handler file is in its asset, nothing is
// imported from another stack, env.json is keyed by the function logical ids and sets only declared
// variables, every route is an API method integrated with its own function, and samconfig.toml names
// the files the command writes.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assetPathOf,
  containerSecretsFile,
  type SamTemplate,
  synthSamTemplate,
} from '../../bin/sam-template.ts';
import { assistedRoutes, routes, scheduledFunctions, streamConsumers } from '../../lambdas/routes.ts';
import { tableEnvVar, tableNames } from '../../lambdas/tables.ts';
import { projectRoot } from '../../lib/service-function.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

describe('npm run sam:template', () => {
  const work = mkdtempSync(join(tmpdir(), 'selfreg-sam-'));
  const outdir = join(work, 'sam');
  const secretsFile = join(work, 'secrets.json');
  let sam: SamTemplate;
  let resources: Record<string, Resource>;
  let functions: [string, Resource][];

  beforeAll(() => {
    // Prepare
    const key = () => randomBytes(48).toString('base64url');
    writeFileSync(secretsFile, JSON.stringify({ hmacKey: key(), pepper: key() }));

    // Act
    sam = synthSamTemplate({
      outdir,
      dynamodbEndpoint: 'http://host.docker.internal:8000',
      tablePrefix: 'local-',
      secretsFile,
      architecture: 'x86_64',
    });
    resources = sam.template.Resources as Record<string, Resource>;
    // CodeDeploy's pre-traffic hook is inline code that SAM local never runs (it runs no CodeDeploy).
    functions = Object.entries(resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        !(r.Properties as { Code?: { ZipFile?: string } }).Code?.ZipFile,
    );
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const serviceFunctions = () => {
    const ids = new Set(sam.functions.map((fn) => fn.logicalId));
    return functions.filter(([id]) => ids.has(id));
  };

  it('writes the template and env.json where samconfig.toml points SAM', () => {
    // Prepare
    const samconfig = readFileSync(join(projectRoot, 'samconfig.toml'), 'utf8');
    const values = (key: string) =>
      [...samconfig.matchAll(new RegExp(`^${key} = "([^"]+)"$`, 'gm'))].map((m) => m[1]);

    // Assess
    expect(relative(outdir, sam.templateFile)).toBe('template.json');
    expect(relative(outdir, sam.envVarsFile)).toBe('env.json');
    expect(JSON.parse(readFileSync(sam.templateFile, 'utf8'))).toEqual(sam.template);
    expect(values('template_file')).toEqual(['.sam/template.json', '.sam/template.json']);
    expect(values('env_vars')).toEqual(['.sam/env.json', '.sam/env.json']);
    expect(samconfig).toMatch(/^\[default\.local_start_api\.parameters\]$/m);
    expect(samconfig).toMatch(/^\[default\.local_invoke\.parameters\]$/m);
  });

  it('imports nothing from another stack', () => {
    // Assess
    expect(JSON.stringify(sam.template)).not.toContain('Fn::ImportValue');
  });

  it('has one function per route, stream consumer and schedule, and each function its handler file in its asset', () => {
    // Assess: the service's functions and nothing else (a dev stack manages no account-level settings, so
    // it has no custom-resource provider function)
    const service = new Set(sam.functions.map((fn) => fn.logicalId));
    expect(service.size).toBe(
      routes.length + assistedRoutes.length + streamConsumers.length + scheduledFunctions.length,
    );
    // One template: SAM local runs no nested stack.
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::CloudFormation::Stack')).toEqual([]);
    expect(functions.filter(([id]) => !service.has(id)).map(([id]) => id)).toEqual([]);
    for (const [logicalId, fn] of functions) {
      const [file, exported] = String(fn.Properties.Handler).split('.');
      const asset = join(outdir, assetPathOf(sam.template, logicalId));
      const bundle = ['mjs', 'js', 'cjs'].map((ext) => join(asset, `${file}.${ext}`)).find(existsSync);
      expect(bundle, `${logicalId}: ${file}.* in ${asset}`).toBeDefined();
      expect(fn.Metadata?.['aws:asset:property']).toBe('Code');
      // The service's ESM bundles export the name the Handler property names.
      if (service.has(logicalId)) {
        expect(readFileSync(bundle as string, 'utf8')).toMatch(
          new RegExp(`export\\s*\\{[^}]*\\b(as )?${exported}\\s*\\}`),
        );
      }
    }
  });

  it('ships the argon2 binary of the chosen architecture to the functions that hash', () => {
    // Assess
    const hashing = routes.filter((route) => route.needs.hashes);
    expect(hashing.length).toBeGreaterThan(0);
    for (const route of hashing) {
      const fn = sam.functions.find((candidate) => candidate.handler === route.handler);
      const prebuilds = join(
        outdir,
        assetPathOf(sam.template, fn?.logicalId ?? ''),
        'node_modules',
        'argon2',
        'prebuilds',
        'linux-x64',
      );
      expect(readdirSync(prebuilds).some((name) => name.endsWith('.node'))).toBe(true);
    }
    for (const [, fn] of serviceFunctions()) expect(fn.Properties.Architectures).toEqual(['x86_64']);
  });

  it('points every function at DynamoDB Local by plain table names, without the secrets extension layer', () => {
    // Assess
    for (const [logicalId, fn] of serviceFunctions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables.DYNAMODB_ENDPOINT, logicalId).toBe('http://host.docker.internal:8000');
      expect(variables.RUNTIME_MODE).toBe('local');
      for (const name of tableNames) {
        const value = variables[tableEnvVar(name)];
        if (value !== undefined) expect(value).toBe(`local-${name}`);
      }
      expect(fn.Properties.Layers).toBeUndefined();
    }
  });

  it('keys env.json by the function logical ids and sets only variables the template declares', () => {
    // Prepare
    const envVars = JSON.parse(readFileSync(sam.envVarsFile, 'utf8')) as Record<
      string,
      Record<string, string>
    >;

    // Assess
    expect(Object.keys(envVars).sort()).toEqual(
      serviceFunctions()
        .map(([id]) => id)
        .sort(),
    );
    for (const [logicalId, fn] of serviceFunctions()) {
      const declared = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const [name, value] of Object.entries(envVars[logicalId] ?? {})) {
        expect(declared[name], `${logicalId} ${name}`).toBe(value);
      }
    }
  });

  it('gives the local keys file to exactly the functions that read a key', () => {
    // Assess
    for (const fn of sam.functions) {
      const copy = join(outdir, assetPathOf(sam.template, fn.logicalId), 'local-secrets.json');
      expect(existsSync(copy), fn.handler).toBe(fn.usesSecrets);
      expect(sam.envVars[fn.logicalId]?.LOCAL_SECRETS_FILE).toBe(
        fn.usesSecrets ? containerSecretsFile : undefined,
      );
      if (fn.usesSecrets) expect(readFileSync(copy, 'utf8')).toBe(readFileSync(secretsFile, 'utf8'));
    }
    expect(
      sam.functions
        .filter((fn) => fn.usesSecrets)
        .map((fn) => fn.handler)
        .sort(),
    ).toEqual(
      [...routes, ...assistedRoutes, ...scheduledFunctions]
        .filter(
          (r) =>
            ('hmacKey' in r.needs && r.needs.hmacKey) ||
            ('pepper' in r.needs && r.needs.pepper) ||
            ('tokenKey' in r.needs && r.needs.tokenKey),
        )
        .map((r) => r.handler)
        .sort(),
    );
  });

  it('serves every route as an API method integrated with its own function (what start-api mounts)', () => {
    // Prepare: the full path of each API resource, from its PathPart chain
    const pathOf = (ref: unknown): string => {
      if (typeof ref === 'object' && ref && 'Fn::GetAtt' in ref) return '';
      const id = (ref as { Ref: string }).Ref;
      const resource = resources[id] as Resource;
      return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
    };
    const methods = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGateway::Method')
      .map((r) => ({
        key: `${String(r.Properties.HttpMethod)} ${pathOf(r.Properties.ResourceId)}`,
        uri: JSON.stringify((r.Properties.Integration as { Uri: unknown }).Uri),
        type: (r.Properties.Integration as { Type: string }).Type,
      }));

    // Assess: the assisted API's routes too (its second RestApi is in the same template)
    for (const route of [...routes, ...assistedRoutes]) {
      const fn = sam.functions.find((candidate) => candidate.handler === route.handler);
      const method = methods.find((m) => m.key === `${route.method} ${route.path}`);
      expect(method, `${route.method} ${route.path}`).toBeDefined();
      expect(method?.type).toBe('AWS_PROXY');
      expect(method?.uri).toContain(`"${fn?.logicalId}","Arn"`);
    }
  });

  it('refuses to empty an output folder that holds something else', () => {
    // Prepare
    const other = join(work, 'not-a-template');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    const options = { dynamodbEndpoint: 'http://x:8000', tablePrefix: 'local-', secretsFile } as const;

    // Act
    const attempt = () => synthSamTemplate({ ...options, outdir: other, architecture: 'arm64' });

    // Assess
    expect(attempt).toThrow('is not empty and holds no previous template');
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
  });
});
