// The HMAC key's versions, re-read every few minutes (Secrets Manager in AWS, a local file on a developer's
// machine): digests are made with the current one and checked with every version (rule 62).
// Only functions that need the key import this module.
import { hmacKeyed } from './adapters/primitives.ts';
import { cachedSecret, loadKeyVersions, verifyingKeys } from './adapters/secrets.ts';
import type { Keyed } from './ports/system.ts';
import { config } from './runtime.ts';

export const keyed = cachedSecret(async (): Promise<Keyed> => {
  const [current, ...older] = verifyingKeys(await loadKeyVersions(config, 'hmacKey'));
  return hmacKeyed(current as Buffer, older);
});
