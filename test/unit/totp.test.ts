// Pins the TOTP library to RFC 6238 (Appendix B, SHA-1) and the digital token's parameters (rule 49).
import { describe, expect, it } from 'vitest';
import { qrSvg } from '../../lambdas/digital-token/qr.ts';
import { base32, matchingStep, otpauthUri, timeStep, totpCode } from '../../lambdas/digital-token/totp.ts';

const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');

// RFC 6238 Appendix B, the SHA-1 column: (Unix time in seconds, 8-digit TOTP).
const vectors: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('RFC 6238 Appendix B, SHA-1', () => {
  it.each(vectors)('at %i s the 8-digit code is %s', (seconds, code) => {
    expect(totpCode(RFC_SEED, seconds * 1000, 8)).toBe(code);
  });

  it.each(vectors)(
    'at %i s the 6-digit code is the last six digits of %s (dynamic truncation mod 10^6)',
    (seconds, code) => {
      expect(totpCode(RFC_SEED, seconds * 1000)).toBe(code.slice(-6));
    },
  );
});

describe('matching a code to its time step', () => {
  const now = 1_111_111_111_000;
  const step = timeStep(now);

  it('accepts the current step and one step either side, and says which step matched', () => {
    expect(matchingStep(RFC_SEED, totpCode(RFC_SEED, now), now)).toBe(step);
    expect(matchingStep(RFC_SEED, totpCode(RFC_SEED, now - 30_000), now)).toBe(step - 1);
    expect(matchingStep(RFC_SEED, totpCode(RFC_SEED, now + 30_000), now)).toBe(step + 1);
  });

  it('refuses a code two steps away and a wrong code', () => {
    expect(matchingStep(RFC_SEED, totpCode(RFC_SEED, now - 60_000), now)).toBeUndefined();
    expect(matchingStep(RFC_SEED, totpCode(RFC_SEED, now + 60_000), now)).toBeUndefined();
    const wrong = String((Number(totpCode(RFC_SEED, now)) + 1) % 1_000_000).padStart(6, '0');
    expect(matchingStep(RFC_SEED, wrong, now)).toBeUndefined();
  });
});

describe('the otpauth URI and QR code', () => {
  it('carries the base32 seed and the fixed parameters', () => {
    expect(base32(RFC_SEED)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(otpauthUri('tomas.mateos', RFC_SEED)).toBe(
      'otpauth://totp/Produbanco:tomas.mateos?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Produbanco&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('renders the URI as an SVG document', async () => {
    const svg = await qrSvg(otpauthUri('tomas.mateos', RFC_SEED));
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<path');
  });
});
