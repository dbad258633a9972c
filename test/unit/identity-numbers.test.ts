// Check-digit rules (rule 5) and the masks shown to customers and written to logs (rules 26, API.md).
import { describe, expect, it } from 'vitest';
import { isValidCedula, isValidRuc, passesLuhn } from '../../lambdas/rules/identity-numbers.ts';
import { maskEmail, maskPhone } from '../../lambdas/rules/masking.ts';

describe('Luhn (rule 5)', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '4222222222222'])(
    'rule 5: %s passes Luhn',
    (number) => {
      expect(passesLuhn(number)).toBe(true);
    },
  );

  it.each([
    ['a wrong check digit', '4111111111111112'],
    ['two swapped digits', '4111111111111161'],
    ['12 digits', '411111111116'],
    ['20 digits', '41111111111111111113'],
    ['spaces', '4111 1111 1111 1111'],
    ['letters', '41111111111111a1'],
  ])('rule 5: a card number with %s fails', (_name, number) => {
    expect(passesLuhn(number)).toBe(false);
  });
});

describe('cédula (rule 5)', () => {
  it.each(['1710034065', '0926687856', '1713175071', '0912345675', '3050000003'])(
    'rule 5: %s is a valid cédula',
    (cedula) => {
      expect(isValidCedula(cedula)).toBe(true);
    },
  );

  it.each([
    ['a wrong check digit', '1710034066'],
    ['province 00', '0010034065'],
    ['province 25', '2510034065'],
    ['a third digit of 6 or more', '1760013210'],
    ['9 digits', '171003406'],
    ['11 digits', '17100340650'],
    ['a letter', '171003406A'],
  ])('rule 5: a cédula with %s is refused', (_name, cedula) => {
    expect(isValidCedula(cedula)).toBe(false);
  });
});

describe('RUC (rule 5)', () => {
  it('rule 5: a private company RUC (third digit 9, modulo 11 on nine digits) passes', () => {
    expect(isValidRuc('1790011674001')).toBe(true);
  });

  it('rule 5: a public-entity RUC (third digit 6, check digit in position 9, four-digit establishment) passes', () => {
    expect(isValidRuc('1760013210001')).toBe(true);
    expect(isValidRuc('1760001550001')).toBe(true);
  });

  it('rule 5: a natural-person RUC (a valid cédula and establishment 001) passes', () => {
    expect(isValidRuc('1710034065001')).toBe(true);
    expect(isValidRuc('0926687856002')).toBe(true);
  });

  it.each([
    ['a private company with a wrong check digit', '1790011675001'],
    ['a private company with establishment 000', '1790011674000'],
    ['a public entity with a wrong check digit', '1760013220001'],
    ['a public entity with establishment 0000', '1760013210000'],
    ['a natural person whose cédula fails', '1710034066001'],
    ['a natural person with establishment 000', '1710034065000'],
    ['a third digit of 7', '1770011674001'],
    ['province 99', '9990011674001'],
    ['12 digits', '179001167400'],
  ])('rule 5: a RUC of %s is refused', (_name, ruc) => {
    expect(isValidRuc(ruc)).toBe(false);
  });
});

describe('masking (API.md "Masking", rule 26)', () => {
  it('rule 26: a phone shows only its last three digits in the national form: +593991234190 -> xxxxxxx190', () => {
    expect(maskPhone('+593991234190')).toBe('xxxxxxx190');
  });

  it('rule 26: a national-form phone is masked the same way', () => {
    expect(maskPhone('0991234190')).toBe('xxxxxxx190');
    expect(maskPhone('022345678')).toBe('xxxxxx678');
  });

  it('rule 26: an email shows the first two and last two characters of the local part and the domain', () => {
    expect(maskEmail('tmateos@gmail.com')).toBe('tm****os@gmail.com');
    expect(maskEmail('abcde@example.ec')).toBe('ab****de@example.ec');
  });

  it('rule 26: a local part under five characters shows only its first character', () => {
    expect(maskEmail('abcd@example.ec')).toBe('a****@example.ec');
    expect(maskEmail('ana@x.ec')).toBe('a****@x.ec');
    expect(maskEmail('a@x.ec')).toBe('a****@x.ec');
  });

  it('rule 26: a mask never holds the whole local part or the hidden digits', () => {
    const email = maskEmail('tmateos@gmail.com');
    const phone = maskPhone('+593991234190');
    expect(email).not.toContain('tmateos');
    expect(phone).not.toContain('991234');
  });

  it('rule 26: something that is not an email is masked whole', () => {
    expect(maskEmail('not-an-email')).toBe('****');
  });
});
