// Turns a minified stack trace from a function's log into source positions, with the source map esbuild
// wrote next to the bundle. Lambda runs without `--enable-source-maps` (it costs every cold start), so
// stack traces are resolved here, off the hot path, when someone reads them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

/** A frame that points into a bundle: `(file:///var/task/index.mjs:1:2345)` or `at /var/task/index.mjs:1:2`. */
const BUNDLE_FRAME = /((?:file:\/\/)?[^\s()]*index\.mjs):(\d+):(\d+)/g;

export interface Resolved {
  text: string;
  /** Frames found in the bundle, and how many of them the map resolved. */
  frames: number;
  resolved: number;
}

/** Accepts the raw stack or the JSON log line that carries it in its `stack` field (one or more lines). */
export function stackText(input: string): string {
  const stacks = input
    .split('\n')
    .map((line) => {
      try {
        const parsed = JSON.parse(line) as { stack?: unknown };
        return typeof parsed.stack === 'string' ? parsed.stack : undefined;
      } catch {
        return undefined;
      }
    })
    .filter((stack): stack is string => stack !== undefined);
  return stacks.length > 0 ? stacks.join('\n\n') : input;
}

/**
 * Rewrites every bundle position of the stack to `path/in/project.ts:line:column`, paths relative to
 * `projectRoot`; positions the map does not cover are left as they are.
 */
export function resolveStack(stack: string, mapFile: string, projectRoot: string): Resolved {
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  let frames = 0;
  let resolved = 0;
  const text = stack.replace(BUNDLE_FRAME, (whole, _file: string, line: string, column: string) => {
    frames += 1;
    // Stack positions count from 1, source map entries from 0.
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return whole;
    resolved += 1;
    const source = entry.originalSource.replace(/^file:\/\//, '');
    const path = relative(projectRoot, resolve(dirname(mapFile), source));
    return `${path}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
  return { text, frames, resolved };
}

interface TemplateResource {
  Type?: string;
  Properties?: { Description?: string; Code?: { S3Key?: unknown } };
  Metadata?: Record<string, unknown>;
}

/** Where a function's asset folder may be: the path CDK records (the CLI turns that on), or `asset.<hash>`. */
function assetFolders(cdkOut: string, templateDir: string, resource: TemplateResource): string[] {
  const folders: string[] = [];
  const recorded = resource.Metadata?.['aws:asset:path'];
  if (typeof recorded === 'string') folders.push(join(templateDir, recorded));
  const key = resource.Properties?.Code?.S3Key;
  if (typeof key === 'string') {
    const hash = key.replace(/\.zip$/, '');
    folders.push(join(templateDir, `asset.${hash}`), join(cdkOut, `asset.${hash}`));
  }
  return folders;
}

/**
 * The source map of a function's asset in a synthesized cloud assembly: the function whose description
 * `lib/service-function.ts` sets to `Self-registration: <handler>`, in the asset folder of its code.
 */
export function mapInCloudAssembly(cdkOut: string, handler: string): string | undefined {
  if (!existsSync(cdkOut)) return undefined;
  const templates = readdirSync(cdkOut, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.template.json'),
  );
  for (const file of templates) {
    const template = JSON.parse(readFileSync(join(cdkOut, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      if (resource.Properties?.Description !== `Self-registration: ${handler}`) continue;
      for (const folder of assetFolders(cdkOut, dirname(join(cdkOut, file)), resource)) {
        const map = join(folder, 'index.mjs.map');
        if (existsSync(map)) return map;
      }
    }
  }
  return undefined;
}
