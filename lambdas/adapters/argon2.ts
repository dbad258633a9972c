// The hasher port on argon2id with a pepper. A native module: only the functions that hash load it, on first
// use rather than at import (its binding costs a cold start 15-20 ms), and their bundles ship its
// linux-arm64 binary.
import type { Hasher } from '../ports/system.ts';

type Argon2 = typeof import('argon2');
let binding: Promise<Argon2> | undefined;

/** Loads the native binding once; callers may start it early, in parallel with other cold-start work. */
export const loadArgon2 = (): Promise<Argon2> => {
  binding ??= import('argon2').then(
    (module) => ((module as { default?: Argon2 }).default ?? module) as Argon2,
  );
  return binding;
};

/**
 * argon2id, one salt per hash, the pepper as argon2's secret input. Never below m=19 MiB, t=2, p=1. Hashes
 * with `pepper`; verifies with it and then each of `olderPeppers` (a staged or previous version, rule 62), so
 * a wrong password costs one more verification per older pepper while a rotation's versions exist.
 */
export function argon2Hasher(
  pepper: Buffer,
  cost: { memoryKiB: number; timeCost: number },
  olderPeppers: Buffer[] = [],
): Hasher {
  const options = {
    type: 2 as const, // argon2id
    memoryCost: Math.max(19456, cost.memoryKiB),
    timeCost: Math.max(2, cost.timeCost),
    parallelism: 1,
    secret: pepper,
  };
  const verifyWith = async (argon2: Argon2, hash: string, plain: string, secret: Buffer) => {
    try {
      return await argon2.verify(hash, plain, { secret });
    } catch {
      return false;
    }
  };
  return {
    hash: async (plain) => (await loadArgon2()).hash(plain, options),
    verify: async (hash, plain) => {
      const argon2 = await loadArgon2();
      for (const secret of [pepper, ...olderPeppers]) {
        if (await verifyWith(argon2, hash, plain, secret)) return true;
      }
      return false;
    },
  };
}
