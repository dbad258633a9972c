// The layout tells the truth about the architecture: handlers → use cases → ports ← adapters. Rules and use
// cases never import adapters, handlers, the AWS SDK or the composition root; adapters never import the
// composition root. Read from the import statements of lambdas/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const lambdas = join(root, 'lambdas');

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });

/** Every module a file imports: relative ones as paths from lambdas/, packages by name. */
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map(([, spec]) =>
    (spec as string).startsWith('.')
      ? relative(lambdas, normalize(join(dirname(file), spec as string))).replaceAll('\\', '/')
      : (spec as string),
  );
}

const compositionRoot = ['storage.ts', 'keys.ts', 'runtime.ts', 'token-key.ts', 'hashing.ts', 'sms.ts'];
const layer = (dir: string) =>
  filesUnder(join(lambdas, dir)).map((file) => [relative(lambdas, file), importsOf(file)] as const);

describe('the import rules of lambdas/', () => {
  const useCaseDirs = ['rules', 'registration', 'sign-in', 'digital-token'];

  it.each(useCaseDirs)('%s/ imports no adapter, handler, AWS SDK or composition root', (dir) => {
    const offending = layer(dir).flatMap(([file, imports]) =>
      imports
        .filter(
          (spec) =>
            spec.startsWith('adapters/') ||
            spec.startsWith('handlers/') ||
            spec.startsWith('http/') ||
            spec.startsWith('@aws-sdk/') ||
            compositionRoot.includes(spec),
        )
        .map((spec) => `${file} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('rules/ imports nothing from a journey (they are shared by all of them)', () => {
    const offending = layer('rules').flatMap(([file, imports]) =>
      imports
        .filter((spec) => ['registration/', 'sign-in/', 'digital-token/'].some((dir) => spec.startsWith(dir)))
        .map((spec) => `${file} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('adapters/ never import the composition root or a handler', () => {
    const offending = layer('adapters').flatMap(([file, imports]) =>
      imports
        .filter((spec) => compositionRoot.includes(spec) || spec.startsWith('handlers/'))
        .map((spec) => `${file} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('the check reads imports at all (a use case that imports a port is seen)', () => {
    const imports = layer('registration').flatMap(([, specs]) => specs);
    expect(imports).toContain('ports/stores.ts');
  });
});
