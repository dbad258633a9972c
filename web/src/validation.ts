// Field rules of the API contract, checked in the browser so the customer hears about a typo before a round
// trip. The API stays the authority: it applies the same rules and the full common-password list.

export const digitsOnly = (value: string): string => value.replace(/[\s.-]/g, '');

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

export const BANK_NAME = 'Produbanco';

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

export function passwordChecks(
  password: string,
  confirmation: string,
  context: { username?: string; cedula?: string },
): PasswordCheck[] {
  const lower = password.toLowerCase();
  const length = charCount(password);
  const empty = password.length === 0;
  const username = context.username?.toLowerCase();
  return [
    {
      id: 'length',
      ok: empty ? null : length >= 12 && length <= 128,
      text: 'Entre 12 y 128 caracteres',
      problem: 'debe tener entre 12 y 128 caracteres',
    },
    {
      id: 'common',
      ok: empty ? null : !COMMON.has(lower),
      text: 'No es una clave común ni fácil de adivinar',
      problem: 'es muy común y fácil de adivinar',
    },
    {
      id: 'username',
      ok: empty || !username ? null : !lower.includes(username),
      text: 'No contiene tu nombre de usuario',
      problem: 'contiene tu nombre de usuario',
    },
    {
      id: 'cedula',
      ok: empty || !context.cedula ? null : !password.includes(context.cedula),
      text: 'No contiene tu número de cédula',
      problem: 'contiene tu número de cédula',
    },
    {
      id: 'bank',
      ok: empty ? null : !lower.includes(BANK_NAME.toLowerCase()),
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
