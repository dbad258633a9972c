// «No fui yo» (rule 55): the one-time link of a security email freezes the customer's access at once. The user
// is disabled by the customer, every session and open sign-in ends (the epoch rises), a held reset is
// cancelled, an open recovery can no longer complete (R4 refuses a disabled user), the report is audited, and
// an email says how to get access back (staff `enable` after a branch or call-center check).
import * as z from 'zod/mini';
import type { AccessStore, ReportLinkStore } from '../ports/recovery.ts';
import type { AccountStore, OnlineUser } from '../ports/sign-in.ts';
import { ConflictError, type LimitStore } from '../ports/stores.ts';
import type { Clock, EventLog, Keyed, RandomSource } from '../ports/system.ts';
import { countAddress } from '../rules/address-limit.ts';
import { auditEntry } from '../rules/audit.ts';
import { fail } from '../rules/errors.ts';
import { hashToken } from '../rules/tokens.ts';
import { parseBody } from '../rules/validation.ts';

export const reportSchema = z.strictObject({
  token: z.string().check(z.minLength(1, 'required'), z.maxLength(128, 'report_token_format')),
});

/** A link token as the delivery made it: 256 bits, base64url. Anything else names no link. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface ReportDeps {
  clock: Clock;
  random: RandomSource;
  keyed: Keyed;
  events: EventLog;
  limits: LimitStore;
  reportLinks: ReportLinkStore;
  accounts: Pick<AccountStore, 'getUser'>;
  access: Pick<AccessStore, 'apply'>;
  rules: { perIpPerMinute: number };
}

const invalidLink = (deps: ReportDeps, why: string): never => {
  deps.events.record({ event: 'report_link_refused', reason: why });
  return fail('report_link_invalid');
};

/** One freeze: conditional on the link being unused and valid, and on the user's held reset as read. */
async function freeze(deps: ReportDeps, user: OnlineUser, hash: string, now: number): Promise<void> {
  await deps.access.apply({
    customerId: user.customerId,
    userPk: user.userPk,
    // A user staff disabled already stays disabled by staff: the report still ends its sessions.
    ...(user.disabledAt === undefined ? { disable: { at: now, by: 'customer' } } : {}),
    endSessions: true,
    ...(user.heldReset ? { heldReset: { recoveryId: user.heldReset.recoveryId } } : {}),
    reportLink: { hash, at: now },
    clearKeys: [],
    message: {
      kind: 'access-frozen',
      messageId: `frozen-${hash}`,
      customerId: user.customerId,
      username: user.username,
      at: now,
      createdAt: now,
    },
    audit: auditEntry(deps.random, now, {
      customerId: user.customerId,
      kind: 'customer-report',
      actor: 'customer',
      details: { heldResetCancelled: user.heldReset !== undefined },
    }),
  });
}

export async function reportNotMe(
  deps: ReportDeps,
  input: { readBody: () => unknown; sourceIp: string },
): Promise<{ frozen: true }> {
  // What cannot be a link is refused before anything is counted or read: only a well-formed token costs a
  // slot of the per-address limit and a look-up.
  const { token } = parseBody(reportSchema, input.readBody());
  if (!LINK_TOKEN.test(token)) return invalidLink(deps, 'malformed');
  await countAddress(deps, 'security_report', input.sourceIp, deps.rules.perIpPerMinute);
  const hash = hashToken(token);
  const link = await deps.reportLinks.get(hash);
  const now = deps.clock.now();
  if (!link || now >= link.expiresAt) return invalidLink(deps, link ? 'expired' : 'unknown');
  // Twice at most: a held reset applied or cancelled between the read and the write changes the condition.
  for (let round = 0; ; round += 1) {
    const user = await deps.accounts.getUser(link.userPk);
    if (!user) return invalidLink(deps, 'no_user');
    try {
      await freeze(deps, user, hash, now);
      deps.events.record({ event: 'access_frozen', userId: user.userId });
      return { frozen: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // 'code': the link was used meanwhile (its item is gone, or its freeze's email exists).
      if (error.reason !== 'customer' || round > 0) return invalidLink(deps, 'used');
    }
  }
}
