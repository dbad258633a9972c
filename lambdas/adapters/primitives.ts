// Real implementations of the system ports: wall clock, CSPRNG and HMAC-SHA256.
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Clock, Keyed, RandomSource } from '../ports/system.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const cryptoRandom: RandomSource = {
  bytes: (length) => randomBytes(length),
  int: (max) => randomInt(max),
  uuid: () => randomUUID(),
};

/** HMAC-SHA256 under `current`; `older` keys (staged or previous, rule 62) only check stored digests. */
export function hmacKeyed(current: Buffer, older: Buffer[] = []): Keyed {
  const under = (key: Buffer, purpose: string, value: string) =>
    createHmac('sha256', key).update(`${purpose}\0${value}`).digest('base64url');
  return {
    digest: (purpose, value) => under(current, purpose, value),
    digests: (purpose, value) => [current, ...older].map((key) => under(key, purpose, value)),
  };
}
