// The argon2id hasher with the pepper's versions (hash with the current one, verify with each; rule 62),
// re-read every few minutes. Only the functions that hash import this
// module, so only their bundles carry the native argon2 binding.
import { argon2Hasher, loadArgon2 } from './adapters/argon2.ts';
import { cachedSecret, loadKeyVersions, verifyingKeys } from './adapters/secrets.ts';
import type { Hasher } from './ports/system.ts';
import { config } from './runtime.ts';

export const hasher = cachedSecret(async (): Promise<Hasher> => {
  // The native binding loads while the pepper is read.
  const [versions] = await Promise.all([loadKeyVersions(config, 'pepper'), loadArgon2()]);
  const [current, ...older] = verifyingKeys(versions);
  return argon2Hasher(current as Buffer, config.argon2, older);
});
