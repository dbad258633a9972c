// The security center's storage on DynamoDB Local with the real adapters: a held token reset applies exactly
// once when the sweep and sign-ins race for it (rule 54); a known device's wrong passwords lock that device
// token, never the username (rule 57); a «No fui yo» link freezes once, and not after it expired (rule 55).
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccessStore, DynamoReportLinkStore } from '../../lambdas/adapters/dynamodb/access-store.ts';
import { DynamoAccountStore } from '../../lambdas/adapters/dynamodb/account-store.ts';
import { DynamoSignInStore } from '../../lambdas/adapters/dynamodb/sign-in-store.ts';
import type { OnlineUser } from '../../lambdas/ports/sign-in.ts';
import { applyHeldReset, sweepHeldResets, withEndedHoldApplied } from '../../lambdas/recovery/hold.ts';
import { usernameKey } from '../../lambdas/registration/registration.ts';
import { deviceLockKey, passwordLockKey } from '../../lambdas/rules/lock-keys.ts';
import { hashToken, newToken } from '../../lambdas/rules/tokens.ts';
import { reportNotMe } from '../../lambdas/security-report/report.ts';
import { signInWithPassword } from '../../lambdas/sign-in/password.ts';
import { startSignIn } from '../../lambdas/sign-in/start-sign-in.ts';
import { FakeClock, signInRules } from '../support/fakes.ts';
import { freshTables, type Services, scanAll, TEST_NOW, wire } from '../support/integration.ts';

const OLD_PASSWORD = 'La clave de siempre 2026';
const HELD_PASSWORD = 'La clave que espera 2026';
const HOUR = 3_600_000;

describe('the security center on DynamoDB Local', () => {
  let s: Services;
  let access: DynamoAccessStore;
  let accounts: DynamoAccountStore;
  let signIns: DynamoSignInStore;
  const clock = new FakeClock();

  beforeAll(async () => {
    s = wire(await freshTables('security'), { clock });
    const { names } = s.tables;
    access = new DynamoAccessStore(s.db, names, s.rules.session.maxSeconds * 1000);
    accounts = new DynamoAccountStore(s.db, names);
    signIns = new DynamoSignInStore(s.db, names.signins, HOUR, names);
  });

  const holdDeps = () => ({
    clock: s.clock,
    random: s.random,
    keyed: s.keyed,
    events: s.events,
    access,
    accounts,
  });

  /** A user with an active digital token, and a recovery's reset of it held until `until`. */
  async function userWithHeldReset(until: number): Promise<OnlineUser> {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const userPk = `CUSTOMER#${customerId}`;
    const username = `Tomas.${customerId.slice(2)}`;
    await s.db.send(
      new PutCommand({
        TableName: s.tables.names.users,
        Item: {
          pk: userPk,
          kind: 'user',
          userId: randomUUID(),
          username,
          customerId,
          passwordHash: await s.hasher.hash(OLD_PASSWORD),
          digitalToken: { sealedSecret: 'sealed', lastStep: 0, activatedAt: TEST_NOW },
          sessionEpoch: 2,
        },
      }),
    );
    await s.db.send(
      new PutCommand({
        TableName: s.tables.names.users,
        Item: { pk: `USERNAME#${usernameKey(username)}`, kind: 'user', userPk },
      }),
    );
    const recoveryId = randomUUID();
    await access.apply({
      customerId,
      userPk,
      hold: { recoveryId, passwordHash: await s.hasher.hash(HELD_PASSWORD), requestedAt: TEST_NOW, until },
      clearKeys: [],
      message: {
        kind: 'recovery-on-hold',
        messageId: randomUUID(),
        customerId,
        username,
        until,
        createdAt: TEST_NOW,
      },
      audit: {
        customerId,
        eventId: `${new Date(TEST_NOW).toISOString()}#${randomUUID()}`,
        at: TEST_NOW,
        kind: 'recovery-on-hold',
        actor: 'customer',
      },
    });
    return (await accounts.getUser(userPk)) as OnlineUser;
  }

  it('a held reset is applied exactly once when the sweep and two sign-ins race for it', async () => {
    const until = s.clock.now() + 12 * HOUR;
    const user = await userWithHeldReset(until);
    // Before its end nothing applies it, and the sweep's index does not offer it.
    expect(await applyHeldReset(holdDeps(), user, { actor: 'system' })).toBe(false);
    expect(await access.dueHolds(s.clock.now(), 25)).not.toContain(user.userPk);
    clock.advanceMs(12 * HOUR);

    const [swept, ...seen] = await Promise.all([
      sweepHeldResets(holdDeps()),
      withEndedHoldApplied(holdDeps(), user),
      withEndedHoldApplied(holdDeps(), user),
    ]);

    expect(swept).toBeLessThanOrEqual(1);
    const after = (await accounts.getUser(user.userPk)) as OnlineUser;
    expect(after.heldReset).toBeUndefined();
    expect(after.digitalToken).toBeUndefined();
    expect(after.sessionEpoch).toBe(3);
    expect(await s.hasher.verify(after.passwordHash, HELD_PASSWORD)).toBe(true);
    for (const view of seen) expect(view.sessionEpoch).toBe(3);
    const emails = (await scanAll(s.db, s.tables.names.outbox)).filter(
      (m) => m.customerId === user.customerId && m.kind === 'recovery-completed',
    );
    expect(emails).toHaveLength(1);
    expect(emails[0]?.messageId).toBe(`hold-applied-${user.heldReset?.recoveryId}`);
    const entries = (await access.recent(user.customerId, 20)).filter((e) => e.kind === 'recovery-completed');
    expect(entries).toHaveLength(1);
    expect(await access.dueHolds(s.clock.now(), 25)).not.toContain(user.userPk);
  });

  it("a known device's wrong passwords lock its own token, never the username, and then it is a stranger", async () => {
    const user = await userWithHeldReset(s.clock.now() + 12 * HOUR);
    const { token: deviceToken, tokenHash } = newToken(s.random);
    // A browser this user signed in from before (as a session's opening records it).
    await s.db.send(
      new UpdateCommand({
        TableName: s.tables.names.users,
        Key: { pk: user.userPk },
        UpdateExpression: 'SET devices = :devices',
        ExpressionAttributeValues: {
          ':devices': { [tokenHash]: { device: 'Safari en Mac', firstSeen: TEST_NOW, lastSeen: TEST_NOW } },
        },
      }),
    );
    const deps = {
      clock: s.clock,
      random: s.random,
      keyed: s.keyed,
      hasher: s.hasher,
      events: s.events,
      limits: s.limits,
      signIns,
      accounts,
      access,
      rules: signInRules,
    };
    const attempt = async (password: string, withDevice = true) => {
      const started = await startSignIn(deps, {
        readBody: () => ({ username: user.username, ...(withDevice ? { deviceToken } : {}) }),
        sourceIp: '203.0.113.7',
        userAgent: 'Safari',
      });
      return signInWithPassword(deps, {
        registrationId: started.signInId,
        token: started.token,
        readBody: () => ({ password }),
      }).catch((error: { code: string }) => error.code);
    };

    for (let i = 0; i < signInRules.passwordMaxAttempts; i++) {
      expect(await attempt(`Otra clave ${i} 2026`)).toBe('invalid_credentials');
    }
    const usernameCount = await s.limits.lockedUntil(
      passwordLockKey(s.keyed, usernameKey(user.username)),
      s.clock.now(),
      signInRules.passwordMaxAttempts,
    );
    expect(usernameCount).toBeUndefined();
    expect(
      await s.limits.lockedUntil(deviceLockKey(tokenHash), s.clock.now(), signInRules.passwordMaxAttempts),
    ).toBeDefined();
    expect((await accounts.getUser(user.userPk))?.devices[tokenHash]).toBeUndefined();
    // The dead token is ignored at S1: the right password from it now goes the way of any stranger's.
    expect(await attempt(OLD_PASSWORD)).toMatchObject({ step: 'digital-token' });
  });

  it('a «No fui yo» link freezes once and cancels the held reset; an expired one freezes nothing', async () => {
    const user = await userWithHeldReset(s.clock.now() + 12 * HOUR);
    const links = new DynamoReportLinkStore(s.db, s.tables.names.users);
    const issue = async (expiresAt: number) => {
      const { token, tokenHash } = newToken(s.random);
      await links.create({
        hash: tokenHash,
        customerId: user.customerId,
        userPk: user.userPk,
        createdAt: s.clock.now(),
        expiresAt,
      });
      return token;
    };
    const deps = {
      clock: s.clock,
      random: s.random,
      keyed: s.keyed,
      events: s.events,
      limits: s.limits,
      reportLinks: links,
      accounts,
      access,
      rules: { perIpPerMinute: 100 },
    };
    const report = (token: string) =>
      reportNotMe(deps, { readBody: () => ({ token }), sourceIp: '203.0.113.9' }).catch(
        (error: { code: string }) => error.code,
      );
    const expired = await issue(s.clock.now() + 1000);
    const valid = await issue(s.clock.now() + 7 * 24 * HOUR);
    clock.advanceMs(2000);

    expect(await report(expired)).toBe('report_link_invalid');
    expect((await accounts.getUser(user.userPk))?.disabledAt).toBeUndefined();
    const results = await Promise.all([report(valid), report(valid)]);
    expect(results.sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
      { frozen: true },
      'report_link_invalid',
    ]);
    const frozen = (await accounts.getUser(user.userPk)) as OnlineUser;
    expect(frozen).toMatchObject({ disabledBy: 'customer', sessionEpoch: 3 });
    expect(frozen.heldReset).toBeUndefined();
    expect(frozen.digitalToken).toBeDefined();
    expect(await links.get(hashToken(valid))).toBeUndefined();
  });
});
