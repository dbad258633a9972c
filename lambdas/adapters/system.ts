// Real implementations of the system ports: wall clock, CSPRNG, HMAC-SHA256 and argon2id with a pepper.
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import type { Clock, Hasher, Keyed, RandomSource } from '../ports/system.ts';

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

/** argon2id, one salt per hash, the pepper as argon2's secret input. Never below m=19 MiB, t=2, p=1. */
export function argon2Hasher(pepper: Buffer, cost: { memoryKiB: number; timeCost: number }): Hasher {
  const options = {
    type: argon2.argon2id as 2,
    memoryCost: Math.max(19456, cost.memoryKiB),
    timeCost: Math.max(2, cost.timeCost),
    parallelism: 1,
    secret: pepper,
  };
  return {
    hash: (plain) => argon2.hash(plain, options),
    verify: async (hash, plain) => {
      try {
        return await argon2.verify(hash, plain, { secret: pepper });
      } catch {
        return false;
      }
    },
  };
}
