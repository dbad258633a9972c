// The hasher port on argon2id with a pepper. A native module: only the functions that hash load it, and
// their bundles ship its linux-arm64 binary.
import argon2 from 'argon2';
import type { Hasher } from '../ports/system.ts';

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
