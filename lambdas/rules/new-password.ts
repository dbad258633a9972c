// A new password, one implementation for every journey that sets one (registration step 5, recovery R4):
// the body's fields, NFKC first, then rule 18 and the confirmation, each reason per field.
import * as z from 'zod/mini';
import { isCommonPassword } from './common-passwords.ts';
import { passwordErrors } from './credentials-policy.ts';
import { fieldError, rejectFields } from './validation.ts';

// The length rule is checked in code point terms by the policy; this bound only stops absurd bodies.
export const newPasswordFields = {
  password: z.string().check(z.maxLength(512, 'password_length')),
  confirmation: z.string().check(z.maxLength(512, 'password_length')),
};

/**
 * The password to hash, normalised with NFKC (NIST SP 800-63B 5.1.1.2: the same password typed on another
 * keyboard hashes the same; sign-in normalises the same way before it verifies), or 422 with every reason.
 */
export function acceptNewPassword(
  body: { password: string; confirmation: string },
  context: { username?: string; identityNumbers: string[] },
): string {
  const password = body.password.normalize('NFKC');
  const confirmation = body.confirmation.normalize('NFKC');
  rejectFields([
    ...passwordErrors(password, { ...context, isCommon: isCommonPassword }),
    ...(password === confirmation ? [] : [fieldError('confirmation', 'confirmation_mismatch')]),
  ]);
  return password;
}
