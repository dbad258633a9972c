// `npm run stack -- <function> [file]`: resolves a minified stack trace from a function's log (the raw
// stack, or the JSON error line holding it; read from the file or stdin) to positions in the TypeScript
// source. The source map comes from the function's asset in the cloud assembly (`cdk.out`, or
// `--cdk-out <dir>`), or `--map <file>`; without either the function is built now with the stack's settings,
// which matches the deployed code only when built from the deployed commit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle, bundleDir, functionSpecs, removeBundles } from './bench/bundles.ts';
import { mapInCloudAssembly, resolveStack, stackText } from './stack/resolve.ts';

const projectRoot = join(import.meta.dirname, '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { map: { type: 'string' }, 'cdk-out': { type: 'string', default: join(projectRoot, 'cdk.out') } },
});
const [handler, file] = positionals;
const spec = functionSpecs().find((s) => s.name === handler);
if (!spec) {
  process.stderr.write(
    `usage: npm run stack -- <function> [file] [--map <file>] [--cdk-out <dir>]\nfunctions: ${functionSpecs()
      .map((s) => s.name)
      .join(', ')}\n`,
  );
  process.exit(2);
}

const input = readFileSync(file ?? 0, 'utf8');
let built: string | undefined;
let mapFile = values.map ?? mapInCloudAssembly(values['cdk-out'], spec.name);
if (mapFile) {
  process.stderr.write(`source map: ${mapFile}\n`);
} else {
  built = bundleDir('registration-stack-');
  mapFile = `${(await buildBundle(built, spec)).file}.map`;
  process.stderr.write(
    `no cloud assembly holds ${spec.name}: built it from this checkout (right only if it is the deployed commit)\n`,
  );
}
try {
  const { text, frames, resolved } = resolveStack(stackText(input), mapFile, projectRoot);
  process.stdout.write(`${text.trimEnd()}\n`);
  process.stderr.write(`${resolved} of ${frames} bundle frames resolved\n`);
} finally {
  if (built) removeBundles(built);
}
