// RFC 6238 TOTP as the digital token speaks it (rule 49): SHA-1, 6 digits, 30-second steps, one step of drift
// each way. The arithmetic is the well-kept `otpauth` library's; this module fixes its parameters.
import { Secret, TOTP } from 'otpauth';

export const TOTP_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** Steps accepted either side of the current one. */
const DRIFT_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 block RFC 4226 recommends. */
export const SEED_BYTES = 20;
const ISSUER = 'Produbanco';

const totp = (seed: Buffer, digits: number = TOTP_PARAMETERS.digits) =>
  new TOTP({
    issuer: ISSUER,
    secret: new Secret({ buffer: new Uint8Array(seed).buffer }),
    algorithm: TOTP_PARAMETERS.algorithm,
    digits,
    period: TOTP_PARAMETERS.period,
  });

/** The time step of an instant (RFC 6238's T). */
export const timeStep = (now: number): number => Math.floor(now / 1000 / TOTP_PARAMETERS.period);

/** The code of an instant; `digits` other than 6 only for the RFC's own test vectors. */
export const totpCode = (seed: Buffer, now: number, digits?: number): string =>
  totp(seed, digits).generate({ timestamp: now });

/** The time step a code belongs to, within the drift window, or undefined when it matches none. */
export function matchingStep(seed: Buffer, code: string, now: number): number | undefined {
  const delta = totp(seed).validate({ token: code, timestamp: now, window: DRIFT_STEPS });
  return delta === null ? undefined : timeStep(now) + delta;
}

export const base32 = (seed: Buffer): string => new Secret({ buffer: new Uint8Array(seed).buffer }).base32;

/** The otpauth URI apps scan: `otpauth://totp/Produbanco:<username>?secret=…&issuer=Produbanco&…`. */
export function otpauthUri(username: string, seed: Buffer): string {
  const parameters = [
    `secret=${base32(seed)}`,
    `issuer=${ISSUER}`,
    `algorithm=${TOTP_PARAMETERS.algorithm}`,
    `digits=${TOTP_PARAMETERS.digits}`,
    `period=${TOTP_PARAMETERS.period}`,
  ];
  return `otpauth://totp/${ISSUER}:${encodeURIComponent(username)}?${parameters.join('&')}`;
}
