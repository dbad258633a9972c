// Builds every function's bundle exactly as the CDK stack does (lib/service-function.ts), measures it, and
// reads esbuild's metafile to find code a function carries without using it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { assistedRoutes, type RouteNeeds, routes, streamConsumers } from '../../lambdas/routes.ts';
import { nodeRuntime } from '../../lib/service-function.ts';

const root = join(import.meta.dirname, '..', '..');

/** lib/service-function.ts builds with this banner; it does not export it, so it is repeated here. */
const esmRequireBanner =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** The esbuild target NodejsFunction derives from the runtime: nodejs24.x gives node24. */
export const esbuildTarget = nodeRuntime.name.replace(/^nodejs(\d+)\.x$/, 'node$1');

export interface FunctionSpec {
  name: string;
  entry: string;
  needs: RouteNeeds & { email?: boolean };
}

export interface BuiltBundle extends FunctionSpec {
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  metafile: Metafile;
}

export const FLOOR = 'floor (document client + GetCommand)';

export function functionSpecs(): FunctionSpec[] {
  const handler = (name: string) => join(root, 'lambdas', 'handlers', `${name}.ts`);
  return [
    ...[...routes, ...assistedRoutes].map((r) => ({
      name: r.handler,
      entry: handler(r.handler),
      needs: r.needs,
    })),
    ...streamConsumers.map((c) => ({
      name: c.handler,
      entry: handler(c.handler),
      needs: c.needs as RouteNeeds & { email?: boolean },
    })),
  ];
}

/** A temporary folder whose node_modules points at the project's, so `argon2` resolves as in the asset. */
export function bundleDir(prefix = 'registration-bundles-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** What a variant of a function changes in the build: extra code around the entry, modules swapped. */
export interface BuildChanges {
  /** Output folder name, when one function is built more than once. */
  outName?: string;
  /** Source of an entry module that replaces `spec.entry` (resolved from the project root). */
  entrySource?: string;
  plugins?: Plugin[];
}

/** One function, built with the settings of lib/service-function.ts. */
export async function buildBundle(
  dir: string,
  spec: FunctionSpec,
  changes: BuildChanges = {},
): Promise<BuiltBundle> {
  const outDir = join(dir, (changes.outName ?? spec.name).replace(/[^\w-]+/g, '-'));
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.mjs');
  const result = await build({
    ...(changes.entrySource === undefined
      ? { entryPoints: [spec.entry] }
      : { stdin: { contents: changes.entrySource, resolveDir: root, sourcefile: 'entry.ts', loader: 'ts' } }),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: esbuildTarget,
    mainFields: ['module', 'main'],
    banner: { js: esmRequireBanner },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // Same as the stack: the SDK is bundled but for the Secrets Manager client (in Lambda the secrets
    // extension serves secrets); the native argon2 stays outside, for the hashing functions.
    external: ['@aws-sdk/client-secrets-manager', ...(spec.needs.hashes ? ['argon2'] : [])],
    outfile: file,
    metafile: true,
    logLevel: 'error',
    plugins: changes.plugins ?? [],
  });
  const code = readFileSync(file);
  return {
    ...spec,
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    mapBytes: readFileSync(`${file}.map`).length,
    metafile: result.metafile,
  };
}

export async function buildBundles(): Promise<{ dir: string; bundles: BuiltBundle[]; floor: BuiltBundle }> {
  const dir = bundleDir();
  const bundles: BuiltBundle[] = [];
  for (const spec of functionSpecs()) bundles.push(await buildBundle(dir, spec));
  const floor = await buildBundle(dir, {
    name: FLOOR,
    entry: join(import.meta.dirname, 'floor-handler.ts'),
    needs: { tables: { registrations: ['GetItem'] } },
  });
  return { dir, bundles, floor };
}

export const removeBundles = (dir: string): void => rmSync(dir, { recursive: true, force: true });

/** `node_modules/@scope/name/...` or `node_modules/name/...` gives the package; project files give their path. */
export function ownerOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? input;
}

/** Bytes each package (or project folder) contributes to the output. */
export function contributions(bundle: BuiltBundle): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const owner = input.includes('node_modules') ? ownerOf(input) : input.replace(/\/[^/]+$/, '/');
      sizes.set(owner, (sizes.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return sizes;
}

/** Shortest import chain from the entry to the first input that matches. */
export function chainTo(bundle: BuiltBundle, matches: (input: string) => boolean): string[] | undefined {
  const inputs = bundle.metafile.inputs;
  const entry = Object.keys(inputs).find((path) => bundle.entry.endsWith(path));
  if (!entry) return undefined;
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (matches(current)) {
      const chain: string[] = [];
      for (let at: string | undefined = current; at !== undefined; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const imported of inputs[current]?.imports ?? []) {
      if (!previous.has(imported.path)) {
        previous.set(imported.path, current);
        queue.push(imported.path);
      }
    }
  }
  return undefined;
}

export interface Finding {
  fn: string;
  what: string;
  bytes: number;
  chain: string[];
}

/** What a function's needs allow it to carry; anything else it holds is a finding. */
const allowed = (needs: FunctionSpec['needs']): Record<string, boolean> => ({
  '@aws-sdk/client-sns': needs.sms === true,
  '@aws-sdk/client-ses': needs.email === true,
  '@aws-sdk/client-secrets-manager':
    needs.hmacKey === true || needs.pepper === true || needs.tokenKey === true,
  '@aws-sdk/client-dynamodb': Object.keys(needs.tables).length > 0,
  '@aws-sdk/lib-dynamodb': Object.keys(needs.tables).length > 0,
  argon2: needs.hashes === true,
});

export function findings(bundle: BuiltBundle): Finding[] {
  const found: Finding[] = [];
  const sizes = contributions(bundle);
  for (const [pkg, ok] of Object.entries(allowed(bundle.needs))) {
    if (ok) continue;
    const bytes = sizes.get(pkg) ?? 0;
    const external = Object.values(bundle.metafile.outputs).some((o) =>
      o.imports.some((i) => i.external && ownerOf(`node_modules/${i.path}`) === pkg),
    );
    if (bytes === 0 && !external) continue;
    const chain = chainTo(bundle, (input) => ownerOf(input) === pkg || input === pkg) ?? [];
    found.push({ fn: bundle.name, what: pkg, bytes, chain });
  }
  // Code that exists for the developer's machine only (local outbox, local secrets file) has no place in AWS.
  for (const [input, bytes] of sizes) {
    if (/bin\/local|test\//.test(input)) {
      found.push({
        fn: bundle.name,
        what: input,
        bytes,
        chain: chainTo(bundle, (i) => i.startsWith(input)) ?? [],
      });
    }
  }
  return found;
}
