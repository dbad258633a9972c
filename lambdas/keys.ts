// The HMAC key, read once per cold start (Secrets Manager in AWS, a local file on a developer's machine).
// Only functions that need the key import this module.
import { hmacKeyed } from './adapters/primitives.ts';
import { cachedSecret, loadSecrets } from './adapters/secrets.ts';
import type { Keyed } from './ports/system.ts';
import { config } from './runtime.ts';

export const keyed = cachedSecret(async (): Promise<Keyed> => {
  const { hmacKey } = await loadSecrets(config, { hmacKey: true });
  return hmacKeyed(hmacKey as Buffer);
});
