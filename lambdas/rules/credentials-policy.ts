// Rules for what the customer creates: username (rule 17), password (rule 18), challenge answers (rule 19).

import { BANK_NAME } from './catalog.ts';
import type { FieldError } from './errors.ts';
import { fieldError } from './validation.ts';

export const USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{5,19}$/;

/** A run of ten or more digits could be a cédula, RUC or card number: never part of a username. */
const LONG_DIGIT_RUN = /\d{10,}/;

export function usernameErrors(username: string, identityNumbers: string[]): FieldError[] {
  if (!USERNAME_PATTERN.test(username)) return [fieldError('username', 'username_format')];
  if (LONG_DIGIT_RUN.test(username) || identityNumbers.some((n) => n && username.includes(n))) {
    return [fieldError('username', 'username_identity_number')];
  }
  return [];
}

/** Printable: no control, format-only, surrogate, private-use, unassigned or line/paragraph separator code
 * points; spaces are allowed. */
export const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;

export const PASSWORD_MIN = 12;
/** Stems shorter than this mean little: "ab" and ten digits is judged whole. */
const MIN_STEM = 4;
const TRAILING_DIGITS_AND_SYMBOLS = /[\d\s\p{P}\p{S}]+$/u;

/**
 * What the common-password list is searched for: the lower-cased password and its stem without trailing
 * digits, spaces and symbols, since "password123456" or "Dragon2026!" is as guessable as its stem.
 */
export function commonPasswordCandidates(password: string): string[] {
  const lower = password.toLowerCase();
  const stem = stemOf(lower);
  return stem !== lower && stem.length >= MIN_STEM ? [lower, stem] : [lower];
}

const stemOf = (lower: string): string => lower.replace(TRAILING_DIGITS_AND_SYMBOLS, '');

/** Whether a lower-cased list entry can ever be a candidate of a password long enough to be checked. */
export const commonListKeeps = (entry: string): boolean =>
  [...entry].length >= PASSWORD_MIN || (entry.length >= MIN_STEM && stemOf(entry) === entry);

export function passwordErrors(
  password: string,
  context: { username?: string; identityNumbers: string[]; isCommon: (password: string) => boolean },
): FieldError[] {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > 128) return [fieldError('password', 'password_length')];
  if (NON_PRINTABLE.test(password)) return [fieldError('password', 'password_characters')];
  const lower = password.toLowerCase();
  const errors: FieldError[] = [];
  if (context.isCommon(password)) errors.push(fieldError('password', 'password_common'));
  if (context.username && lower.includes(context.username.toLowerCase())) {
    errors.push(fieldError('password', 'password_contains_username'));
  }
  if (context.identityNumbers.some((n) => n && password.includes(n))) {
    errors.push(fieldError('password', 'password_contains_identity'));
  }
  if (lower.includes(BANK_NAME.toLowerCase()))
    errors.push(fieldError('password', 'password_contains_bank_name'));
  return errors;
}

/** Answers are compared loosely by people: trim, collapse spaces, lower case, strip accents (rule 19). */
export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFD').replace(/\p{M}/gu, '').trim().replace(/\s+/g, ' ').toLowerCase();
}
