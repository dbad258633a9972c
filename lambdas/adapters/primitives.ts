// Real implementations of the system ports: wall clock, CSPRNG and HMAC-SHA256.
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Clock, Keyed, RandomSource } from '../ports/system.ts';

export const systemClock: Clock = { now: () => Date.now() };

export const cryptoRandom: RandomSource = {
  bytes: (length) => randomBytes(length),
  int: (max) => randomInt(max),
  uuid: () => randomUUID(),
};

export function hmacKeyed(key: Buffer): Keyed {
  return {
    digest: (purpose, value) => createHmac('sha256', key).update(`${purpose}\0${value}`).digest('base64url'),
  };
}
