// Builds the customer's web wizard: one minified ES module bundle plus the static files of web/public.
// Run directly with `npx tsx web/build.ts [outDir]` (default web/dist).
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));

/** Where the source map of a build in `outDir` goes: beside it, never inside what is deployed. */
export const mapsDirOf = (outDir: string): string => `${path.resolve(outDir)}.maps`;

/**
 * Builds into `outDir`, everything of which is public. The source map would hand out the readable source
 * of the wizard, so it is written to mapsDirOf(outDir) (kept with the build artefacts, never uploaded) and
 * the bundle carries no sourceMappingURL. `local` is the local stack's build (links to its own viewers).
 */
export async function buildWeb(outDir: string, opts: { local?: boolean } = {}): Promise<void> {
  const out = path.resolve(outDir);
  const maps = mapsDirOf(outDir);
  // A clean directory, so a file deleted from web/public never lingers in a deployment.
  await rm(out, { recursive: true, force: true });
  await rm(maps, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await mkdir(maps, { recursive: true });
  await cp(path.join(webDir, 'public'), out, { recursive: true });
  await build({
    entryPoints: [path.join(webDir, 'src', 'main.ts')],
    outfile: path.join(out, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'external',
    legalComments: 'none',
    // The local stack's build links its SMS viewer from the code screen; any other build carries no trace of
    // it (the constant is false and the minifier drops the code).
    define: { LOCAL_SMS_VIEWER: opts.local ? 'true' : 'false' },
    logLevel: 'warning',
  });
  await rename(path.join(out, 'app.js.map'), path.join(maps, 'app.js.map'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ?? path.join(webDir, 'dist');
  await buildWeb(outDir);
  console.log(`web wizard built in ${path.resolve(outDir)}`);
}
