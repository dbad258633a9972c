// R4 on DynamoDB Local with the real adapters: a failed transaction changes nothing (the day's count is
// given back, the old password still works) and the same token can try again; two parallel R4 calls apply
// once and both get the same answer.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store.ts';
import { DynamoAccountStore } from '../../lambdas/adapters/dynamodb/account-store.ts';
import { DynamoRecoveryStore } from '../../lambdas/adapters/dynamodb/recovery-store.ts';
import type { Recovery } from '../../lambdas/ports/recovery.ts';
import { resetPassword } from '../../lambdas/recovery/new-password.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';
import { openInPlaceOfOthers } from '../../lambdas/rules/supersede.ts';
import { newToken } from '../../lambdas/rules/tokens.ts';
import {
  freshTables,
  injectFault,
  type Services,
  scanAll,
  snapshot,
  TEST_NOW,
  wire,
} from '../support/integration.ts';

const NEW_PASSWORD = 'Una clave nueva bastante larga';

describe('recovery R4 on DynamoDB Local', () => {
  let s: Services;
  let deps: Parameters<typeof resetPassword>[0];

  beforeAll(async () => {
    s = wire(await freshTables('recovery'));
    const { names } = s.tables;
    const recoveries = new DynamoRecoveryStore(s.db, names, s.rules.session.maxSeconds * 1000);
    deps = {
      clock: s.clock,
      events: s.events,
      session: s.rules.session,
      recoveries,
      random: s.random,
      keyed: s.keyed,
      hasher: s.hasher,
      limits: s.limits,
      access: new DynamoAccessStore(s.db, names, s.rules.session.maxSeconds * 1000),
      accounts: new DynamoAccountStore(s.db, names),
      directory: s.directory,
      sms: s.sms,
      rules: { recoveryMaxPerCustomerPerDay: 3, tokenResetHoldSeconds: 43_200 },
    };
  });

  /** A user and a recovery of it at new-password, with its bearer token. */
  async function recoveryAtNewPassword() {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const userPk = `CUSTOMER#${customerId}`;
    await s.db.send(
      new PutCommand({
        TableName: s.tables.names.users,
        Item: {
          pk: userPk,
          kind: 'user',
          userId: randomUUID(),
          username: 'Tomas.Recupera',
          customerId,
          passwordHash: await s.hasher.hash('La clave vieja y olvidada'),
        },
      }),
    );
    const { token, tokenHash } = newToken(s.random);
    const recovery: Recovery = {
      recoveryId: randomUUID(),
      customerId,
      credentialType: 'card',
      tokenHash,
      step: 'new-password',
      status: 'open',
      version: 3,
      createdAt: TEST_NOW,
      lastSeenAt: TEST_NOW,
      contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
      identityNumbers: ['1710034065'],
      userPk,
      username: 'Tomas.Recupera',
      secondFactor: 'later',
    };
    await deps.recoveries.create(recovery);
    const input = {
      recoveryId: recovery.recoveryId,
      token,
      readBody: () => ({ password: NEW_PASSWORD, confirmation: NEW_PASSWORD, digitalToken: 'keep' }),
    };
    return { customerId, userPk, input };
  }

  it('a failed transaction changes nothing, gives back the day count, and the same token can try again', async () => {
    const { userPk, input } = await recoveryAtNewPassword();
    const before = await snapshot(s.tables);
    const fault = injectFault(s.db, {
      command: 'TransactWriteItemsCommand',
      table: s.tables.names.audit,
      times: 1,
    });

    await expect(resetPassword(deps, input)).rejects.toBeInstanceOf(DependencyError);
    fault.remove();

    expect(await snapshot(s.tables)).toEqual(before);
    const done = await resetPassword(deps, input);
    expect(done).toEqual({ step: 'completed', username: 'Tomas.Recupera', secondFactor: 'later' });
    const user = (await deps.accounts.getUser(userPk)) as { passwordHash: string; sessionEpoch: number };
    expect(await s.hasher.verify(user.passwordHash, NEW_PASSWORD)).toBe(true);
    expect(user.sessionEpoch).toBe(1);
  });

  it('two parallel R4 calls apply once and answer the same', async () => {
    const { customerId, input } = await recoveryAtNewPassword();

    const answers = await Promise.all([resetPassword(deps, input), resetPassword(deps, input)]);

    expect(answers[0]).toEqual(answers[1]);
    const audit = (await scanAll(s.db, s.tables.names.audit)).filter((e) => e.customerId === customerId);
    expect(audit).toHaveLength(1);
    const mails = (await scanAll(s.db, s.tables.names.outbox)).filter((m) => m.customerId === customerId);
    expect(mails).toHaveLength(1);
    const user = await deps.accounts.getUser(`CUSTOMER#${customerId}`);
    expect(user?.sessionEpoch).toBe(1);
  });
});

describe('third audit, finding 16: one open recovery per customer, on DynamoDB Local', () => {
  let recoveries: DynamoRecoveryStore;
  beforeAll(async () => {
    const s = wire(await freshTables('recovery-open'));
    recoveries = new DynamoRecoveryStore(s.db, s.tables.names, s.rules.session.maxSeconds * 1000);
  });

  const opened = (customerId: string): Recovery => ({
    recoveryId: randomUUID(),
    customerId,
    credentialType: 'card',
    tokenHash: randomUUID(),
    step: 'verify-contact',
    status: 'open',
    version: 1,
    createdAt: TEST_NOW,
    lastSeenAt: TEST_NOW,
    contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
    identityNumbers: [],
    userPk: `CUSTOMER#${customerId}`,
    username: 'Tomas.Recupera',
  });

  it('an R1 closes the open recovery of the same customer in the same transaction', async () => {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const first = opened(customerId);
    expect(await openInPlaceOfOthers(recoveries, customerId, first, TEST_NOW)).toBeUndefined();

    const second = opened(customerId);
    const closed = await openInPlaceOfOthers(recoveries, customerId, second, TEST_NOW + 1_000);

    expect(closed?.recoveryId).toBe(first.recoveryId);
    expect(await recoveries.get(first.recoveryId)).toMatchObject({ status: 'cancelled', version: 2 });
    expect(await recoveries.get(second.recoveryId)).toMatchObject({ status: 'open' });
    expect(await recoveries.lastOpenedBy(customerId)).toBe(second.recoveryId);
  });

  it('six R1 at once leave exactly one recovery open, the one the pointer names', async () => {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const all = Array.from({ length: 6 }, () => opened(customerId));
    const results = await Promise.allSettled(
      all.map((recovery) => openInPlaceOfOthers(recoveries, customerId, recovery, TEST_NOW)),
    );

    const created = all.filter((_, i) => results[i]?.status === 'fulfilled');
    const states = await Promise.all(created.map((r) => recoveries.get(r.recoveryId)));
    const open = states.filter((r) => r?.status === 'open');
    expect(created.length).toBeGreaterThan(0);
    expect(open).toHaveLength(1);
    expect(await recoveries.lastOpenedBy(customerId)).toBe(open[0]?.recoveryId);
  });
});
