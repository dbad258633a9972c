// Step 5: create the password ("clave alfanumérica"), checked against rule 18 and stored only as argon2id.
import * as z from 'zod/mini';
import type { Hasher } from '../ports/system.ts';
import { isCommonPassword } from '../rules/common-passwords.ts';
import { passwordErrors } from '../rules/credentials-policy.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';
import { runStep, type SessionDeps, type SessionInput } from './session.ts';
import type { Step } from './steps.ts';

// The length rule is checked in code point terms by the policy; this bound only stops absurd bodies.
export const createPasswordSchema = z.strictObject({
  password: z.string().check(z.maxLength(512, 'password_length')),
  confirmation: z.string().check(z.maxLength(512, 'password_length')),
});

export interface CreatePasswordDeps extends SessionDeps {
  hasher: Hasher;
}

export async function createPassword(
  deps: CreatePasswordDeps,
  input: SessionInput & { readBody: () => unknown },
): Promise<{ step: Step }> {
  const result = await runStep(deps, input, 'create-password', async (registration) => {
    const body = parseBody(createPasswordSchema, input.readBody());
    // NFKC first (NIST SP 800-63B 5.1.1.2): the same password typed on another keyboard hashes the same. The
    // login side must normalise the same way before it verifies.
    const password = body.password.normalize('NFKC');
    const confirmation = body.confirmation.normalize('NFKC');
    rejectFields([
      ...passwordErrors(password, {
        username: registration.username,
        identityNumbers: registration.identityNumbers,
        isCommon: isCommonPassword,
      }),
      ...(password === confirmation ? [] : [fieldError('confirmation', 'confirmation_mismatch')]),
    ]);
    return { passwordHash: await deps.hasher.hash(password) };
  });
  return { step: result.step };
}
