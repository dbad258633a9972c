// Builds the customer's web wizard: one minified ES module bundle plus the static files of web/public.
// Run directly with `npx tsx web/build.ts [outDir]` (default web/dist).
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));

export async function buildWeb(outDir: string): Promise<void> {
  const out = path.resolve(outDir);
  // A clean directory, so a file deleted from web/public never lingers in a deployment.
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await cp(path.join(webDir, 'public'), out, { recursive: true });
  await build({
    entryPoints: [path.join(webDir, 'src', 'main.ts')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ?? path.join(webDir, 'dist');
  await buildWeb(outDir);
  console.log(`web wizard built in ${path.resolve(outDir)}`);
}
