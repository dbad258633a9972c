// One name for the customer's authenticator app everywhere the customer reads it (second audit, finding 9):
// "aplicación de autenticación". The digital token is a standard TOTP seed that any such app holds, so a
// name that suggests a Produbanco app of its own, or a "mobile app" in general, misleads.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const filesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? filesUnder(path) : [path];
  });

// Where customer-facing text lives: the web pages, the emails and SMS, the API's problem details.
const sources = [
  ...filesUnder('web/src'),
  ...filesUnder('lambdas/registration'),
  ...filesUnder('lambdas/digital-token'),
  ...filesUnder('lambdas/sign-in'),
  'lambdas/http/problem.ts',
].filter((path) => path.endsWith('.ts'));

const otherNames = [
  /aplicaci[oó]n Produbanco/i,
  /aplicaci[oó]n m[oó]vil/i,
  /aplicaci[oó]n (de|del) (tu )?Token/i,
  /\bsu aplicaci[oó]n\b/i,
];

describe('the authenticator app has one name', () => {
  it.each(sources)('%s names it only as "aplicación de autenticación"', (path) => {
    const text = readFileSync(join(root, path), 'utf8')
      // Comments are for developers, in English.
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const pattern of otherNames) expect(text, `${path}: ${pattern}`).not.toMatch(pattern);
  });

  it('the token screens and emails do use that name', () => {
    for (const path of [
      'web/src/sign-in/home.ts',
      'web/src/sign-in/sign-in.ts',
      'lambdas/registration/completion-email.ts',
    ]) {
      expect(readFileSync(join(root, path), 'utf8'), path).toContain('aplicación de autenticación');
    }
  });
});
