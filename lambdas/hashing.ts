// The argon2id hasher with the pepper, read once per cold start. Only the functions that hash import this
// module, so only their bundles carry the native argon2 binding.
import { argon2Hasher, loadArgon2 } from './adapters/argon2.ts';
import { cachedSecret, loadSecrets } from './adapters/secrets.ts';
import type { Hasher } from './ports/system.ts';
import { config } from './runtime.ts';

export const hasher = cachedSecret(async (): Promise<Hasher> => {
  // The native binding loads while the pepper is read.
  const [{ pepper }] = await Promise.all([loadSecrets(config, { pepper: true }), loadArgon2()]);
  return argon2Hasher(pepper as Buffer, config.argon2);
});
