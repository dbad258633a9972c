// M1 and M2: what a signed-in customer sees of themselves (masked contact, second factor, image), and
// sign-out, after which the session token is dead (rule 51).
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import { catalogImage } from '../rules/catalog.ts';
import { DependencyError } from '../rules/errors.ts';
import { maskEmail, maskPhone } from '../rules/masking.ts';
import { loadSignedIn, type SignedInDeps } from '../signed-in/session.ts';
import { type SecondFactorState, secondFactorOf } from './session.ts';

export interface Me {
  username: string;
  contact: { phone: string; email: string };
  secondFactor: SecondFactorState;
  image: { id: string; url: string; label: string };
}

export async function getMe(
  deps: SignedInDeps & { directory: CustomerDirectory },
  input: { token: string | undefined },
): Promise<Me> {
  const { user } = await loadSignedIn(deps, input.token);
  const customer = await deps.directory.getCustomer(user.customerId);
  if (!customer) throw new DependencyError('the customer of a user is missing from the directory');
  return {
    username: user.username,
    contact: { phone: maskPhone(customer.phone), email: maskEmail(customer.email) },
    secondFactor: secondFactorOf(user),
    image: catalogImage(user.imageId),
  };
}

export async function signOut(deps: SignedInDeps, input: { token: string | undefined }): Promise<void> {
  const { session, user } = await loadSignedIn(deps, input.token);
  await deps.signIns.endSession(session.tokenHash);
  deps.events.record({ event: 'signed_out', sessionId: session.sessionId, userId: user.userId });
}
