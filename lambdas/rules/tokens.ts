// Bearer tokens and issued ids, shared by registration, recovery, sign-in and token activation.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomSource } from '../ports/system.ts';

/** 256 bits from the CSPRNG, base64url; only its SHA-256 is stored. */
export function newToken(random: RandomSource): { token: string; tokenHash: string } {
  const token = random.bytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** Compares a bearer token with a stored hash in constant time. */
export const tokenMatches = (token: string, storedHash: string): boolean => {
  const given = Buffer.from(hashToken(token));
  const stored = Buffer.from(storedHash);
  return given.length === stored.length && timingSafeEqual(given, stored);
};

/** Registration ids are UUIDs; anything else cannot name one and is never looked up. */
const REGISTRATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids the service issues are UUIDs: anything else names nothing and is never looked up. */
export const isIssuedId = (id: string): boolean => REGISTRATION_ID.test(id);
