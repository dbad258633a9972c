// The HMAC key and the pepper, read once per cold start (Secrets Manager in AWS, a local file on a
// developer's machine), and what is built on them. Only functions that need a key import this module.

import { hmacKeyed } from './adapters/primitives.ts';
import { loadSecrets } from './adapters/secrets.ts';
import type { Hasher, Keyed } from './ports/system.ts';
import { config } from './runtime.ts';

/** A failed read is not cached: the next call tries again. */
function cachedSecret<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export const keyed = cachedSecret(async (): Promise<Keyed> => {
  const { hmacKey } = await loadSecrets(config, { hmacKey: true });
  return hmacKeyed(hmacKey as Buffer);
});

export const hasher = cachedSecret(async (): Promise<Hasher> => {
  const [{ pepper }, { argon2Hasher }] = await Promise.all([
    loadSecrets(config, { pepper: true }),
    import('./adapters/argon2.ts'),
  ]);
  return argon2Hasher(pepper as Buffer, config.argon2);
});
