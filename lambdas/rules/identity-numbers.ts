// Check-digit rules of the identifiers a customer types: card numbers (Luhn), Ecuadorian cédula and RUC.

export function passesLuhn(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const validProvince = (digits: string): boolean => {
  const province = Number(digits.slice(0, 2));
  return (province >= 1 && province <= 24) || province === 30;
};

/** Cédula: 10 digits, province code, third digit below 6, modulo-10 check digit with 2-1 coefficients. */
export function isValidCedula(value: string): boolean {
  if (!/^\d{10}$/.test(value) || !validProvince(value) || Number(value[2]) >= 6) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(value[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(value[9]);
}

const modulo11 = (value: string, coefficients: number[]): number => {
  const sum = coefficients.reduce((acc, c, i) => acc + c * Number(value[i]), 0);
  const rest = sum % 11;
  return rest === 0 ? 0 : 11 - rest;
};

/**
 * RUC: 13 digits. Natural persons: a valid cédula then an establishment number (001...). Private companies
 * (third digit 9): modulo 11 with 4,3,2,7,6,5,4,3,2. Public entities (third digit 6): modulo 11 with
 * 3,2,7,6,5,4,3,2 and a four-digit establishment number.
 */
export function isValidRuc(value: string): boolean {
  if (!/^\d{13}$/.test(value) || !validProvince(value)) return false;
  const third = Number(value[2]);
  if (third < 6) return isValidCedula(value.slice(0, 10)) && Number(value.slice(10)) > 0;
  if (third === 9) {
    return modulo11(value, [4, 3, 2, 7, 6, 5, 4, 3, 2]) === Number(value[9]) && Number(value.slice(10)) > 0;
  }
  if (third === 6) {
    return modulo11(value, [3, 2, 7, 6, 5, 4, 3, 2]) === Number(value[8]) && Number(value.slice(9)) > 0;
  }
  return false;
}
