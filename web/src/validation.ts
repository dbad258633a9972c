// Field rules of the API contract, checked in the browser so the customer hears about a typo before a round
// trip. The API stays the authority: it applies the same rules and the full common-password list.

export const digitsOnly = (value: string): string => value.replace(/[\s.-]/g, '');

import { BANK_NAME } from '../../lambdas/rules/catalog.ts';
import { PASSWORD_MIN, passwordErrors } from '../../lambdas/rules/credentials-policy.ts';

// The check-digit rules are the API's own module, bundled into the page: one implementation, no drift.
export {
  isValidCedula as cedulaValid,
  isValidRuc as rucValid,
  passesLuhn as luhnValid,
} from '../../lambdas/rules/identity-numbers.ts';

export const usernamePattern = /^[A-Za-z][A-Za-z0-9._-]{5,19}$/;

export function usernameProblem(username: string): string | undefined {
  if (username.length < 6 || username.length > 20) return 'Debe tener entre 6 y 20 caracteres.';
  if (!/^[A-Za-z]/.test(username)) return 'Debe empezar con una letra.';
  if (!usernamePattern.test(username)) {
    return 'Usa solo letras sin tilde, números, punto (.), guion (-) o guion bajo (_).';
  }
  return undefined;
}

export { BANK_NAME };

/**
 * A few of the most common passwords that are 12 characters or longer, for instant feedback only: the API
 * checks the full list of at least 10,000.
 */
const COMMON = new Set([
  '123456789012',
  '1234567890123',
  'qwertyuiop12',
  'qwertyuiopas',
  'passwordpassword',
  'password1234',
  'contraseña123',
  'contrasena123',
  'iloveyou1234',
  '111111111111',
  '000000000000',
  'abcdefghijkl',
  'aaaaaaaaaaaa',
  'qwerty123456',
  '123456qwerty',
]);

export interface PasswordCheck {
  id: 'length' | 'common' | 'username' | 'cedula' | 'bank' | 'match';
  ok: boolean | null;
  /** The rule, shown in the list while typing. */
  text: string;
  /** What is wrong, completing "Tu clave …" when the form is sent. */
  problem: string;
}

/** Code points, not UTF-16 units: an emoji is one character to the customer and to the API. */
export const charCount = (value: string): number => [...value].length;

/**
 * The checklist of step 5, computed by the API's own rule (`passwordErrors`, one implementation): every line
 * says what the server will say. The common-password line cannot be decided here (the list is 2 MB), so it
 * is never shown as met: it stays "checked when you continue" unless the password is one of a few obvious
 * ones, or the server already refused this very password as common (`rejectedAsCommon`).
 */
export function passwordChecks(
  password: string,
  confirmation: string,
  context: { username?: string; cedula?: string; rejectedAsCommon?: string },
): PasswordCheck[] {
  const empty = password.length === 0;
  const isCommon = (candidate: string) =>
    COMMON.has(candidate.toLowerCase()) || candidate === context.rejectedAsCommon;
  const errorsOf = (value: string) =>
    new Set(
      passwordErrors(value, {
        username: context.username,
        identityNumbers: context.cedula ? [context.cedula] : [],
        isCommon,
      }).map((error) => error.code),
    );
  const lengthErrors = errorsOf(password);
  const tooShortOrLong = lengthErrors.has('password_length') || lengthErrors.has('password_characters');
  // The API answers only the length while the length is wrong; the other lines still help while typing,
  // so they are asked of the same rule with the password padded by spaces (which match no rule).
  const codes = tooShortOrLong ? errorsOf(password.padEnd(PASSWORD_MIN, ' ')) : lengthErrors;
  const met = (code: string, known = true): boolean | null => (empty || !known ? null : !codes.has(code));
  return [
    {
      id: 'length',
      ok: empty ? null : !tooShortOrLong,
      text: 'Entre 12 y 128 caracteres',
      problem: 'debe tener entre 12 y 128 caracteres',
    },
    {
      id: 'common',
      ok: empty ? null : codes.has('password_common') ? false : null,
      text: 'No es una clave común ni fácil de adivinar (lo revisamos al continuar)',
      problem: 'es muy común y fácil de adivinar',
    },
    {
      id: 'username',
      ok: met('password_contains_username', Boolean(context.username)),
      text: 'No contiene tu nombre de usuario',
      problem: 'contiene tu nombre de usuario',
    },
    {
      id: 'cedula',
      // Every identity number (cédula, RUC) is 10 digits or more: without such a run the rule is met even
      // when the page does not know the number (a card, or a reload).
      ok: met('password_contains_identity', Boolean(context.cedula) || !/\d{10}/.test(password)),
      text: 'No contiene tu número de cédula',
      problem: 'contiene tu número de cédula',
    },
    {
      id: 'bank',
      ok: met('password_contains_bank_name'),
      text: `No contiene la palabra «${BANK_NAME}»`,
      problem: `contiene la palabra «${BANK_NAME}»`,
    },
    {
      id: 'match',
      ok: confirmation.length === 0 ? null : confirmation === password,
      text: 'La confirmación es igual a la clave',
      problem: 'no coincide con la confirmación',
    },
  ];
}

/** Home and work phones: 0 + 8 digits (landline), 09 + 8 digits (mobile), or either in +593 form. */
export function normalisePhone(value: string): string {
  return value.replace(/[\s().-]/g, '');
}

export function phoneValid(value: string): boolean {
  const v = normalisePhone(value);
  return /^0\d{8}$/.test(v) || /^09\d{8}$/.test(v) || /^\+593\d{8}$/.test(v) || /^\+5939\d{8}$/.test(v);
}

export const answerValid = (answer: string): boolean => {
  const n = charCount(answer.trim());
  return n >= 2 && n <= 60;
};

/** "a", "a y b", "a, b y c": the password's problems as one Spanish sentence. */
export function passwordProblemText(checks: PasswordCheck[]): string | undefined {
  const problems = checks.filter((c) => c.ok === false && c.id !== 'match').map((c) => c.problem);
  if (problems.length === 0) return undefined;
  const last = problems.pop() as string;
  return `Tu clave ${problems.length ? `${problems.join(', ')} y ${last}` : last}.`;
}
