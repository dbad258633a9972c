// The SecretBox port on AES-256-GCM: a fresh 96-bit nonce per seal, the owner as additional authenticated
// data, so a sealed seed copied onto another user does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBox } from '../ports/system.ts';

const VERSION = 'v1';

const stretch = (secret: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'digital-token-seed', 32));

function openWith(key: Buffer, nonce: string, body: string, tag: string, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}

/**
 * The secret string from Secrets Manager is stretched to exactly 256 bits, for this one purpose. Seals with
 * `secret`; opens with it and then each of `olderSecrets` (a staged or previous version, rule 62): GCM's tag
 * tells the right key from a wrong one.
 */
export function aesGcmBox(secret: Buffer, olderSecrets: Buffer[] = []): SecretBox {
  const key = stretch(secret);
  const keys = [key, ...olderSecrets.map(stretch)];
  return {
    seal(plain, aad) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return [VERSION, nonce, body, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(sealed, aad) {
      const [version, nonce, body, tag] = sealed.split('.');
      if (version !== VERSION || !nonce || body === undefined || !tag) throw new Error('not a sealed value');
      let failure: unknown;
      for (const candidate of keys) {
        try {
          return openWith(candidate, nonce, body, tag, aad);
        } catch (error) {
          failure = error;
        }
      }
      throw failure;
    },
  };
}
