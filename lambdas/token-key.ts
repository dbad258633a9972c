// The data key of digital-token seeds and its versions (seal with the current one, open with each; rule 62),
// re-read every few minutes (Secrets Manager in AWS, the local secrets file on a developer's machine). Only the functions that seal or open a seed import this module.
import { aesGcmBox } from './adapters/aes-gcm.ts';
import { cachedSecret, loadKeyVersions, verifyingKeys } from './adapters/secrets.ts';
import type { SecretBox } from './ports/system.ts';
import { config } from './runtime.ts';

export const secretBox = cachedSecret(async (): Promise<SecretBox> => {
  const [current, ...older] = verifyingKeys(await loadKeyVersions(config, 'tokenKey'));
  return aesGcmBox(current as Buffer, older);
});
