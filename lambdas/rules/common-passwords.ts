// Rule 18's common-password check: a password is refused when it, or its stem without trailing digits,
// spaces and symbols ("password123456" -> "password", "Dragon2026!" -> "dragon"), is a leaked password.
// Only create-password imports this module, so no other function carries the list. The list stays one
// sorted string searched by bisection: no set of 200,000 strings to build at the first check.
import { COMMON_PASSWORDS } from './common-passwords-list.ts';
import { commonPasswordCandidates } from './credentials-policy.ts';

/** Whether `word` is a line of the sorted, newline-separated `list` (UTF-16 code unit order, as sort()). */
export function sortedListHas(list: string, word: string): boolean {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const start = list.lastIndexOf('\n', mid - 1) + 1;
    const newline = list.indexOf('\n', start);
    const end = newline === -1 ? list.length : newline;
    const line = list.slice(start, end);
    if (line === word) return true;
    if (line < word) low = end + 1;
    else high = start;
  }
  return false;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswordCandidates(password).some((candidate) => sortedListHas(COMMON_PASSWORDS, candidate));
}
