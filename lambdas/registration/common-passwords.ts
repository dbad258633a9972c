// Rule 18's common-password check: a password is refused when it, or its stem without trailing digits,
// spaces and symbols ("password123456" -> "password", "Dragon2026!" -> "dragon"), is a leaked password.
// Only create-password imports this module, so no other function carries the list; the set is built on the
// first check, not when the module loads.
import { COMMON_PASSWORDS } from './common-passwords-list.ts';
import { commonPasswordCandidates } from './credentials-policy.ts';

let list: ReadonlySet<string> | undefined;

export function isCommonPassword(password: string): boolean {
  list ??= new Set(COMMON_PASSWORDS.split('\n'));
  return commonPasswordCandidates(password).some((candidate) => list?.has(candidate));
}
