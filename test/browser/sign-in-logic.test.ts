// The sign-in pages' own rules, without a browser: the secret shown for typing by hand, the QR code drawn only
// as an SVG image, and the Spanish texts of the sign-in and token errors.
import { describe, expect, it } from 'vitest';
import { attemptsLeftText, signInProblemText } from '../../web/src/messages.ts';
import { groupSecret, qrDataUrl } from '../../web/src/sign-in/scan.ts';

describe('the secret and the QR code of the activation', () => {
  it('groups the 32-character base32 secret in fours', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    expect(groupSecret('ABCDEF')).toBe('ABCD EF');
  });

  it('draws an SVG document as a data: image that decodes back to the same markup', () => {
    const svg =
      '<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1v1H0z"/></svg>';
    const url = qrDataUrl(svg);
    expect(url).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
    expect(decodeURIComponent((url as string).split(',')[1] as string)).toBe(svg);
    expect(qrDataUrl('<svg viewBox="0 0 29 29"></svg>')).not.toBeNull();
  });

  it('draws nothing for markup that is not an SVG document', () => {
    expect(qrDataUrl('<img src=x onerror=alert(1)>')).toBeNull();
    expect(qrDataUrl('<script>alert(1)</script><svg></svg>')).toBeNull();
    expect(qrDataUrl('<svgfoo>')).toBeNull();
    expect(qrDataUrl('')).toBeNull();
  });
});

describe('sign-in and token errors in Spanish', () => {
  it('says how many tries are left after a wrong code', () => {
    expect(attemptsLeftText(2)).toBe(' Te quedan 2 intentos.');
    expect(attemptsLeftText(1)).toBe(' Te queda 1 intento.');
    expect(attemptsLeftText(0)).toBe(' Agotaste los intentos con esta clave.');
    expect(attemptsLeftText(undefined)).toBe('');
    expect(signInProblemText({ status: 401, code: 'otp_invalid', attemptsLeft: 2 })).toBe(
      'El código ingresado no es correcto. Te quedan 2 intentos.',
    );
  });

  it('tells a locked user how long to wait, from Retry-After', () => {
    expect(signInProblemText({ status: 423, code: 'credential_locked', retryAfter: 1800 })).toMatch(
      /bloqueamos el ingreso.*30 minutos\.$/,
    );
    expect(signInProblemText({ status: 423, code: 'credential_locked', retryAfter: 45 })).toMatch(
      /45 segundos\.$/,
    );
  });

  it('says a right token code was already used, and waits for the next one (no attempt lost)', () => {
    expect(signInProblemText({ status: 401, code: 'otp_already_used', detail: 'English detail' })).toBe(
      'Este código ya se usó. Espera el siguiente código de tu aplicación.',
    );
  });

  it('says a session the bank closed (reason revoked) was closed for security, not for inactivity', () => {
    const revoked = signInProblemText({ status: 401, code: 'session_invalid', reason: 'revoked' });
    expect(revoked).toMatch(/^Por tu seguridad cerramos tu sesión/);
    expect(revoked).not.toMatch(/sin actividad/);
    expect(signInProblemText({ status: 401, code: 'session_invalid' })).toMatch(/sin actividad/);
  });

  it('explains each sign-in code in Spanish, never with the English detail of the API', () => {
    const codes = ['invalid_credentials', 'otp_locked', 'token_already_active', 'session_invalid'];
    const texts = codes.map((code) => signInProblemText({ status: 401, code, detail: 'English detail' }));
    for (const text of texts) expect(text).not.toContain('English');
    expect(new Set(texts).size).toBe(codes.length);
    expect(texts[0]).toBe('El usuario o la clave no son correctos. Revísalos e inténtalo de nuevo.');
    // Codes of the registration keep their texts.
    expect(signInProblemText({ status: 429, code: 'rate_limited', retryAfter: 30 })).toMatch(/30 segundos/);
  });
});
