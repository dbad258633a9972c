// S1: a username in, the customer's security image out, so they can check the site before typing the
// password. Every username gets an image: an unknown one a decoy, stable for that name (rule 47). A device
// token the browser kept from an earlier sign-in marks a known device (rule 57).
import * as z from 'zod/mini';
import type { AccessStore } from '../ports/recovery.ts';
import type { AccountStore, SignInStore } from '../ports/sign-in.ts';
import type { LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { withEndedHoldApplied } from '../recovery/hold.ts';
import { usernameKey } from '../registration/registration.ts';
import { countAddress } from '../rules/address-limit.ts';
import { catalogImage, securityImages } from '../rules/catalog.ts';
import { coarsePlace, deviceLabel } from '../rules/client-label.ts';
import { USERNAME_PATTERN } from '../rules/credentials-policy.ts';
import { hashToken, newToken } from '../rules/tokens.ts';
import { parseBody } from '../rules/validation.ts';
import type { SignInRules } from './session.ts';

export const startSignInSchema = z.strictObject({
  username: z.string().check(z.regex(USERNAME_PATTERN, 'username_format')),
  /** The device token this browser was given at an earlier sign-in (256 bits, base64url). */
  deviceToken: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'device_token_format'))),
});

export interface StartSignInDeps {
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  events: EventLog;
  limits: LimitStore;
  signIns: SignInStore;
  accounts: AccountStore;
  /** Applies a held reset whose hold ended before this sign-in starts (rule 54). */
  access: Pick<AccessStore, 'apply'>;
  rules: SignInRules;
}

export interface StartSignInResult {
  signInId: string;
  token: string;
  step: 'password';
  image: { id: string; url: string; label: string };
}

/** The decoy of an unknown username: picked by a keyed hash of the lower-cased name, the same every time. */
export function decoyImageId(keyed: Keyed, key: string): string {
  const digest = Buffer.from(keyed.digest('decoy', key), 'base64url');
  return (securityImages[digest.readUInt32BE(0) % securityImages.length] as { id: string }).id;
}

export async function startSignIn(
  deps: StartSignInDeps,
  input: { readBody: () => unknown; sourceIp: string; userAgent: string },
): Promise<StartSignInResult> {
  await countAddress(deps, 'sign_in', input.sourceIp, deps.rules.perIpPerMinute);
  const { username, deviceToken } = parseBody(startSignInSchema, input.readBody());
  const key = usernameKey(username);
  const found = await deps.accounts.findByUsername(key);
  const user = found && (await withEndedHoldApplied(deps, found));
  const now = deps.clock.now();
  const deviceHash = deviceToken && hashToken(deviceToken);
  const knownDevice = deviceHash !== undefined && user?.devices[deviceHash] !== undefined;
  const { token, tokenHash } = newToken(deps.random);
  const signInId = deps.random.uuid();
  // An unknown name gets an attempt too: S2 then fails exactly like a wrong password.
  await deps.signIns.createAttempt({
    signInId,
    tokenHash,
    usernameKey: key,
    userPk: user?.userPk,
    status: 'password',
    tokenAttempts: 0,
    epoch: user?.sessionEpoch ?? 0,
    ...(knownDevice ? { deviceHash } : {}),
    client: { device: deviceLabel(input.userAgent), place: coarsePlace(input.sourceIp) },
    createdAt: now,
    lastSeenAt: now,
  });
  deps.events.record({ event: 'sign_in_started', signInId, known: user !== undefined });
  return {
    signInId,
    token,
    step: 'password',
    image: catalogImage(user?.imageId ?? decoyImageId(deps.keyed, key)),
  };
}
