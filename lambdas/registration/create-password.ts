// Step 5: create the password ("clave alfanumérica"), checked against rule 18 and stored only as argon2id.
import * as z from 'zod/mini';
import type { Hasher } from '../ports/system.ts';
import { acceptNewPassword, newPasswordFields } from '../rules/new-password.ts';
import { parseBody } from '../rules/validation.ts';
import { runStep, type SessionDeps, type SessionInput } from './session.ts';
import type { Step } from './steps.ts';

export const createPasswordSchema = z.strictObject(newPasswordFields);

export interface CreatePasswordDeps extends SessionDeps {
  hasher: Hasher;
}

export async function createPassword(
  deps: CreatePasswordDeps,
  input: SessionInput & { readBody: () => unknown },
): Promise<{ step: Step }> {
  const result = await runStep(deps, input, 'create-password', async (registration) => {
    const body = parseBody(createPasswordSchema, input.readBody());
    const { username, identityNumbers } = registration;
    const password = acceptNewPassword(body, { username, identityNumbers });
    return { passwordHash: await deps.hasher.hash(password) };
  });
  return { step: result.step };
}
