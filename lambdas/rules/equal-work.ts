// Equal work for unknown identifiers (rules 2 and 48): a verification against a dummy hash made with the same
// parameters as the real ones, so timing does not tell which cards or usernames exist.
import type { Hasher } from '../ports/system.ts';

/** One dummy hash per hasher for the life of the process, whoever asks. */
const dummyHashes = new WeakMap<Hasher, Promise<string>>();

export function dummyHash(hasher: Hasher): Promise<string> {
  let hash = dummyHashes.get(hasher);
  if (!hash) {
    hash = hasher.hash('dummy-secret-for-equal-work');
    dummyHashes.set(hasher, hash);
  }
  return hash;
}

/** Verifies `plain` against `hash`, or runs the same verification against the dummy when there is no hash. */
export async function verifyOrDummy(
  hasher: Hasher,
  hash: string | undefined,
  plain: string,
): Promise<boolean> {
  // Made before anything is known, whatever the caller found: the first call of a process costs the same.
  const dummy = await dummyHash(hasher);
  const matches = await hasher.verify(hash ?? dummy, plain);
  return hash !== undefined && matches;
}
