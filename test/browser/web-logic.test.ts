// The wizard's own rules, without a browser: check digits, field rules, password hints and the shuffle.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemBody } from '../../lambdas/http/problem.ts';
import { problemText, rateLimitText, sendsLeftText, waitText } from '../../web/src/messages.ts';
import { randomBelow, shuffledDigits } from '../../web/src/random.ts';
import {
  answerValid,
  cedulaValid,
  luhnValid,
  passwordChecks,
  passwordProblemText,
  phoneValid,
  rucValid,
  usernameProblem,
} from '../../web/src/validation.ts';

describe('identification formats', () => {
  it('accepts the demo credentials and rejects one changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('411111111111')).toBe(false);
    expect(cedulaValid('1710034065')).toBe(true);
    expect(cedulaValid('0926687856')).toBe(true);
    expect(cedulaValid('1710034066')).toBe(false);
    expect(cedulaValid('9910034065')).toBe(false);
    expect(rucValid('1790011674001')).toBe(true);
    expect(rucValid('1790011675001')).toBe(false);
    expect(rucValid('1710034065001')).toBe(true);
    expect(rucValid('1760001550001')).toBe(true);
    expect(rucValid('1790011674')).toBe(false);
  });
});

describe('field rules', () => {
  it('follows the username rule of the contract', () => {
    expect(usernameProblem('tmateos.2026')).toBeUndefined();
    expect(usernameProblem('abc12')).toMatch(/6 y 20/);
    expect(usernameProblem('1tomas')).toMatch(/empezar con una letra/);
    expect(usernameProblem('tomás.m')).toMatch(/letras sin tilde/);
    expect(usernameProblem('a'.repeat(21))).toMatch(/6 y 20/);
  });

  it('takes landlines, mobiles and +593 numbers', () => {
    for (const ok of ['022345678', '0991234567', '+59322345678', '+593991234567', '02 234 5678']) {
      expect(phoneValid(ok), ok).toBe(true);
    }
    for (const bad of ['22345678', '09912345678', '+1555123456', 'telefono'])
      expect(phoneValid(bad), bad).toBe(false);
  });

  it('trims answers to 2-60 characters', () => {
    expect(answerValid(' a ')).toBe(false);
    expect(answerValid('Quito')).toBe(true);
    expect(answerValid('x'.repeat(61))).toBe(false);
  });
});

describe('waits', () => {
  it('says a day-long lock in hours, a short one in minutes or seconds', () => {
    expect(waitText(86_400)).toBe('24 horas');
    expect(waitText(1800)).toBe('30 minutos');
    expect(waitText(3600)).toBe('60 minutos');
    expect(waitText(45)).toBe('45 segundos');
  });
});

describe('password hints', () => {
  const state = (password: string, confirmation = '', ctx = { username: 'tmateos', cedula: '1710034065' }) =>
    Object.fromEntries(passwordChecks(password, confirmation, ctx).map((c) => [c.id, c.ok]));

  it('is neutral before typing and explains each rule after', () => {
    expect(Object.values(state(''))).toEqual([null, null, null, null, null, null]);
    expect(state('corta')).toMatchObject({ length: false, bank: true });
    expect(state('una frase bastante larga')).toMatchObject({
      length: true,
      common: null,
      username: true,
      cedula: true,
    });
    expect(state('soy TMateos de Quito')).toMatchObject({ username: false });
    expect(state('mi cédula 1710034065')).toMatchObject({ cedula: false });
    expect(state('amo a PRODUBANCO ya')).toMatchObject({ bank: false });
    expect(state('password1234')).toMatchObject({ common: false });
    expect(state('una frase bastante larga', 'otra')).toMatchObject({ match: false });
  });

  it('explains what is wrong in one natural sentence, never as "no cumple: No es…"', () => {
    const text = (password: string) =>
      passwordProblemText(passwordChecks(password, '', { username: 'tmateos', cedula: '1710034065' }));
    expect(text('password1234')).toBe('Tu clave es muy común y fácil de adivinar.');
    expect(text('soy tmateos de produbanco')).toBe(
      'Tu clave contiene tu nombre de usuario y contiene la palabra «Produbanco».',
    );
    expect(text('corta')).toBe('Tu clave debe tener entre 12 y 128 caracteres.');
    expect(text('una frase bastante larga')).toBeUndefined();
  });

  it('shows the cédula line as met when the page does not know the cédula (a card, a reload) and the password has no 10-digit run', () => {
    const unknown = (password: string) =>
      passwordChecks(password, '', { username: 'tmateos' }).find((c) => c.id === 'cedula')?.ok;
    expect(unknown('una frase bastante larga')).toBe(true);
    expect(unknown('mi número 123456789 y más')).toBe(true);
    // Ten digits in a row may be the cédula: only the API can tell.
    expect(unknown('mi cédula 1710034065')).toBeNull();
    expect(unknown('')).toBeNull();
  });

  it('counts characters, not UTF-16 units, and never caps at 128 silently', () => {
    expect(state('🙂'.repeat(12))).toMatchObject({ length: true });
    expect(state('x'.repeat(129))).toMatchObject({ length: false });
  });

  it('never shows the common-password line as met: pending until the server refused it, then failed (second audit, finding 9)', () => {
    // A password in the server's list of 211,189 but not in the page's few: the page cannot know.
    expect(state('trustno1trustno1')).toMatchObject({ length: true, common: null });
    const refused = passwordChecks('trustno1trustno1', '', { rejectedAsCommon: 'trustno1trustno1' });
    expect(refused.find((c) => c.id === 'common')?.ok).toBe(false);
    expect(passwordProblemText(refused)).toBe('Tu clave es muy común y fácil de adivinar.');
    // Every other line is the API's own rule: a short password still gets them while typing.
    expect(state('tmateos')).toMatchObject({ length: false, username: false });
  });
});

describe('keypad shuffle', () => {
  it('is a permutation of the ten digits drawn from the random source', () => {
    let calls = 0;
    const source = (values: Uint32Array<ArrayBuffer>) => {
      calls++;
      return crypto.getRandomValues(values);
    };
    expect([...shuffledDigits(source)].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(calls).toBeGreaterThanOrEqual(9);
  });

  it('rejects the biased top of the 32-bit range', () => {
    const values = [0xffff_ffff, 7];
    const source = (buf: Uint32Array<ArrayBuffer>) => {
      buf[0] = values.shift() ?? 0;
      return buf;
    };
    expect(randomBelow(10, source)).toBe(7);
  });

  it('spreads every digit over every position', () => {
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 5000; i++) {
      shuffledDigits().forEach((d, pos) => {
        counts[Number(d) * 10 + pos] = (counts[Number(d) * 10 + pos] ?? 0) + 1;
      });
    }
    // Expected 500 each (sd 21); outside 380-620 is a biased shuffle, not chance.
    for (const n of counts) {
      expect(n).toBeGreaterThan(380);
      expect(n).toBeLessThan(620);
    }
  });
});

describe('texts that depend on a number or a reason', () => {
  it('says "te queda 1" in the singular', () => {
    expect(sendsLeftText(1)).toBe('te queda 1');
    expect(sendsLeftText(2)).toBe('te quedan 2');
  });

  it('names the limit a 429 hit and when to try again', () => {
    const limited = (reason: string | undefined, retryAfter: number) =>
      rateLimitText({ status: 429, code: 'rate_limited', reason, retryAfter });
    expect(limited('resend_cooldown', 25)).toBe(
      'Acabamos de enviarte una clave temporal. Podrás pedir otra en 25 segundos.',
    );
    expect(limited('sends_per_phone', 1800)).toMatch(
      /máximo de claves temporales a tu celular.*en 30 minutos/,
    );
    expect(limited('sends_per_registration', 600)).toMatch(/máximo de claves temporales para este registro/);
    expect(limited('per_address', 45)).toMatch(/desde tu conexión. Inténtalo de nuevo en 45 segundos/);
    expect(limited('username_tries', 120)).toMatch(/nombres de usuario.*en 2 minutos/);
    expect(limited(undefined, 60)).toMatch(/en 1 minuto/);
  });

  it('gives one advice for already_registered: the API detail, in the words of the bank guide', () => {
    const api = problemBody('already_registered', 'req-1');
    expect(problemText({ status: 409, code: 'already_registered', detail: api.detail })).toBe(api.detail);
    expect(api.detail).toContain('acércate a cualquier agencia Produbanco a nivel nacional');
  });
});

describe('the words a customer uses', () => {
  /** Every string literal of the page's source (comments dropped): what can reach the screen. */
  const literals = (): { file: string; text: string }[] => {
    const dir = path.resolve('web/src');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    return files.flatMap((file) => {
      const source = readFileSync(path.join(dir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      return [...source.matchAll(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g)].map((m) => ({
        file,
        text: m[0],
      }));
    });
  };

  it('never shows "OTP", «Clave confirmación» or a token that is a «dispositivo de seguridad»', () => {
    const found = literals().filter(({ text }) =>
      /\bOTP\b|Clave confirmación|[Dd]ispositivo de seguridad/.test(text),
    );
    expect(found).toEqual([]);
  });

  it('says whose 4-digit key a company customer types: the company’s, or an additional user’s own', () => {
    const legend = literals().find(({ text }) => text.includes('Clave de 4 dígitos de la empresa'));
    expect(legend?.text).toMatch(/usuario adicional/);
  });
});
