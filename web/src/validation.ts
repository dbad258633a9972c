// Field rules of the API contract, checked in the browser so the customer hears about a typo before a round
// trip. The API stays the authority: it applies the same rules and the full common-password list.

export const digitsOnly = (value: string): string => value.replace(/[\s.-]/g, '');

export function luhnValid(number: string): boolean {
  if (!/^\d{13,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const province = (digits: string): boolean => {
  const p = Number(digits.slice(0, 2));
  return (p >= 1 && p <= 24) || p === 30;
};

/** Ecuadorian cédula: 10 digits, a province code, third digit below 6, modulus-10 check digit. */
export function cedulaValid(cedula: string): boolean {
  if (!/^\d{10}$/.test(cedula) || !province(cedula) || Number(cedula[2]) >= 6) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(cedula[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(cedula[9]);
}

function modulus11(digits: string, weights: number[]): number {
  const sum = weights.reduce((acc, w, i) => acc + w * Number(digits[i]), 0);
  const rest = sum % 11;
  return rest === 0 ? 0 : 11 - rest;
}

/** Ecuadorian RUC: natural person (cédula + establishment), public body (third digit 6) or company (9). */
export function rucValid(ruc: string): boolean {
  if (!/^\d{13}$/.test(ruc) || !province(ruc)) return false;
  const third = Number(ruc[2]);
  if (third < 6) return cedulaValid(ruc.slice(0, 10)) && ruc.slice(10) !== '000';
  if (third === 6)
    return modulus11(ruc, [3, 2, 7, 6, 5, 4, 3, 2]) === Number(ruc[8]) && ruc.slice(9) !== '0000';
  if (third === 9) {
    return modulus11(ruc, [4, 3, 2, 7, 6, 5, 4, 3, 2]) === Number(ruc[9]) && ruc.slice(10) !== '000';
  }
  return false;
}

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
  text: string;
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
    { id: 'length', ok: empty ? null : length >= 12 && length <= 128, text: 'Entre 12 y 128 caracteres' },
    {
      id: 'common',
      ok: empty ? null : !COMMON.has(lower),
      text: 'No es una clave común ni fácil de adivinar',
    },
    {
      id: 'username',
      ok: empty || !username ? null : !lower.includes(username),
      text: 'No contiene tu nombre de usuario',
    },
    {
      id: 'cedula',
      ok: empty || !context.cedula ? null : !password.includes(context.cedula),
      text: 'No contiene tu número de cédula',
    },
    {
      id: 'bank',
      ok: empty ? null : !lower.includes(BANK_NAME.toLowerCase()),
      text: `No contiene la palabra «${BANK_NAME}»`,
    },
    {
      id: 'match',
      ok: confirmation.length === 0 ? null : confirmation === password,
      text: 'La confirmación es igual a la clave',
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
