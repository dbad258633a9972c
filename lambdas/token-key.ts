// The data key of digital-token seeds, read once per cold start (Secrets Manager in AWS, the local secrets file
// on a developer's machine). Only the functions that seal or open a seed import this module.
import { aesGcmBox } from './adapters/aes-gcm.ts';
import { cachedSecret, loadSecrets } from './adapters/secrets.ts';
import type { SecretBox } from './ports/system.ts';
import { config } from './runtime.ts';

export const secretBox = cachedSecret(async (): Promise<SecretBox> => {
  const { tokenKey } = await loadSecrets(config, { tokenKey: true });
  return aesGcmBox(tokenKey as Buffer);
});
