// The access store against DynamoDB Local: a change of a user's access (recovery R4, staff changes) is one
// transaction with the recovery it completes, the locks it clears, its email and its audit entry, all or
// none; the audit trail refuses a second write of an entry; a user's attempts and sessions come from the
// sign-ins table's byUser index.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccessStore } from '../../lambdas/adapters/dynamodb/access-store.ts';
import { DynamoRecoveryStore } from '../../lambdas/adapters/dynamodb/recovery-store.ts';
import type { AccessChange, Recovery } from '../../lambdas/ports/recovery.ts';
import { ConflictError } from '../../lambdas/ports/stores.ts';
import { assistedRoutes, routes, type TableAction } from '../../lambdas/routes.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';
import type { TableName } from '../../lambdas/tables.ts';
import { freshTables, getItem, type Services, TEST_NOW, wire } from '../support/integration.ts';

const MAX_MS = 1_200_000;

describe('access store', () => {
  let s: Services;
  let access: DynamoAccessStore;
  let recoveries: DynamoRecoveryStore;

  beforeAll(async () => {
    s = wire(await freshTables('access'));
    const { names } = s.tables;
    access = new DynamoAccessStore(s.db, names, MAX_MS);
    recoveries = new DynamoRecoveryStore(s.db, { recoveries: names.recoveries, codes: names.codes }, MAX_MS);
  });

  const put = (table: keyof Services['tables']['names'], Item: Record<string, unknown>) =>
    s.db.send(new PutCommand({ TableName: s.tables.names[table], Item }));

  async function seed() {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const userPk = `CUSTOMER#${customerId}`;
    await put('users', {
      pk: userPk,
      kind: 'user',
      userId: randomUUID(),
      username: 'Tomas.Prueba',
      customerId,
      passwordHash: 'old-hash',
      digitalToken: { sealedSecret: 'sealed', lastStep: 1, activatedAt: TEST_NOW },
    });
    const lockKey = `pwd#${randomUUID()}`;
    await put('limits', { pk: lockKey, lockedUntil: TEST_NOW + 60_000, tries: 5 });
    const recovery: Recovery = {
      recoveryId: randomUUID(),
      customerId,
      credentialType: 'card',
      tokenHash: 'hash',
      step: 'new-password',
      status: 'open',
      version: 3,
      createdAt: TEST_NOW,
      lastSeenAt: TEST_NOW,
      contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
      identityNumbers: [],
      userPk,
      username: 'Tomas.Prueba',
    };
    await recoveries.create(recovery);
    const change = (expectedVersion: number): AccessChange => ({
      customerId,
      userPk,
      passwordHash: 'new-hash',
      resetToken: true,
      endSessions: true,
      clearKeys: [lockKey],
      message: {
        kind: 'recovery-completed',
        messageId: randomUUID(),
        customerId,
        username: 'Tomas.Prueba',
        tokenReset: true,
        at: TEST_NOW,
        createdAt: TEST_NOW,
      },
      audit: {
        customerId,
        eventId: `${new Date(TEST_NOW).toISOString()}#${randomUUID()}`,
        at: TEST_NOW,
        kind: 'recovery-completed',
        actor: 'customer',
      },
      recovery: {
        next: { ...recovery, step: 'completed', status: 'completed', version: recovery.version + 1 },
        expectedVersion,
      },
    });
    return { customerId, userPk, lockKey, recovery, change };
  }

  it('applies every part in one transaction: password, token, epoch, lock, email, audit, recovery', async () => {
    const { customerId, userPk, lockKey, recovery, change } = await seed();
    const applied = change(recovery.version);

    await access.apply(applied);

    const user = await getItem(s.db, s.tables.names.users, { pk: userPk });
    expect(user).toMatchObject({ passwordHash: 'new-hash', sessionEpoch: 1 });
    expect(user).not.toHaveProperty('digitalToken');
    expect(await getItem(s.db, s.tables.names.limits, { pk: lockKey })).toBeUndefined();
    expect(
      await getItem(s.db, s.tables.names.outbox, { messageId: applied.message.messageId }),
    ).toMatchObject({
      status: 'pending',
    });
    expect((await recoveries.get(recovery.recoveryId))?.status).toBe('completed');
    expect(await access.recent(customerId, 5)).toEqual([applied.audit]);
  });

  it('writes nothing when the recovery moved meanwhile (ConflictError version)', async () => {
    const { customerId, userPk, lockKey, recovery, change } = await seed();
    const stale = change(recovery.version - 1);

    await expect(access.apply(stale)).rejects.toEqual(new ConflictError('version'));

    expect(await getItem(s.db, s.tables.names.users, { pk: userPk })).toMatchObject({
      passwordHash: 'old-hash',
    });
    expect(await getItem(s.db, s.tables.names.limits, { pk: lockKey })).toBeDefined();
    expect(
      await getItem(s.db, s.tables.names.outbox, { messageId: stale.message.messageId }),
    ).toBeUndefined();
    expect(await access.recent(customerId, 5)).toEqual([]);
  });

  it('binds an Idempotency-Key to its request: written once with the change, read back, a second use refused', async () => {
    // Prepare: a staff change (no recovery) with its key
    const { customerId, userPk, recovery, change } = await seed();
    const key = `clave-${randomUUID()}`;
    const prior = {
      fingerprint: 'fingerprint-of-the-request',
      answer: { customerId, action: 'revoke-sessions' as const, at: new Date(TEST_NOW).toISOString() },
    };
    const staffChange = (): AccessChange => ({
      ...change(recovery.version),
      recovery: undefined,
      passwordHash: undefined,
      resetToken: undefined,
      clearKeys: [],
      idempotency: { key, ...prior, expiresAt: TEST_NOW + 86_400_000 },
    });
    const before = await access.priorChange(key);

    // Act
    await access.apply(staffChange());
    const again = staffChange();
    const refused = access.apply({ ...again, message: { ...again.message, messageId: randomUUID() } });

    // Assess
    expect(before).toBeUndefined();
    await expect(refused).rejects.toEqual(new ConflictError('idempotency'));
    expect(await access.priorChange(key)).toEqual(prior);
    expect(await getItem(s.db, s.tables.names.users, { pk: userPk })).toMatchObject({ sessionEpoch: 1 });
    expect(await access.recent(customerId, 5)).toHaveLength(1);
  });

  it('disables only an enabled user and enables only a disabled one (ConflictError customer otherwise)', async () => {
    const { customerId, userPk, recovery, change } = await seed();
    const staff = (part: Partial<AccessChange>): AccessChange => ({
      ...change(recovery.version),
      recovery: undefined,
      passwordHash: undefined,
      resetToken: undefined,
      endSessions: undefined,
      clearKeys: [],
      audit: {
        customerId,
        eventId: `${TEST_NOW}#${randomUUID()}`,
        at: TEST_NOW,
        kind: 'staff-change',
        actor: 'a',
      },
      ...part,
    });
    await expect(access.apply(staff({ enable: true }))).rejects.toEqual(new ConflictError('customer'));
    await access.apply(staff({ disable: { at: TEST_NOW, by: 'arn:ana' } }));
    await expect(access.apply(staff({ disable: { at: TEST_NOW, by: 'arn:luis' } }))).rejects.toEqual(
      new ConflictError('customer'),
    );
    expect(await getItem(s.db, s.tables.names.users, { pk: userPk })).toMatchObject({
      disabledBy: 'arn:ana',
    });
    await access.apply(staff({ enable: true }));
    expect(await getItem(s.db, s.tables.names.users, { pk: userPk })).not.toHaveProperty('disabledAt');
  });

  it('records an audit entry on its own, once (a staff identity check)', async () => {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const entry = {
      customerId,
      eventId: `${new Date(TEST_NOW).toISOString()}#${randomUUID()}`,
      at: TEST_NOW,
      kind: 'identity-check' as const,
      actor: 'arn:ana',
      details: { questionId: 'q-first-pet', match: true },
    };
    await access.record(entry);
    await expect(access.record(entry)).rejects.toBeInstanceOf(DependencyError);
    expect(await access.recent(customerId, 5)).toEqual([entry]);
  });

  it('refuses a second write of an audit entry: the trail is append-only', async () => {
    const { recovery, change } = await seed();
    const first = change(recovery.version);
    await access.apply(first);
    const again = { ...first, recovery: undefined, message: { ...first.message, messageId: randomUUID() } };

    // Refused by the audit item's own condition (the transaction's last item), not by any other failure.
    const refused = await access.apply(again).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DependencyError);
    const codes = (
      (refused as DependencyError).cause as { CancellationReasons: { Code: string }[] }
    ).CancellationReasons.map((reason) => reason.Code);
    expect(codes.at(-1)).toBe('ConditionalCheckFailed');
    expect(codes.slice(0, -1).every((code) => code === 'None')).toBe(true);
    // Nothing of the refused change happened: the epoch rose once, the second email was never queued.
    expect(await getItem(s.db, s.tables.names.users, { pk: first.userPk as string })).toMatchObject({
      sessionEpoch: 1,
    });
    expect(
      await getItem(s.db, s.tables.names.outbox, { messageId: again.message.messageId }),
    ).toBeUndefined();
  });

  it("lists a user's open sign-ins and sessions from the byUser index, not the finished attempts", async () => {
    const userPk = `CUSTOMER#C-${randomUUID().slice(0, 8)}`;
    const base = { userPk, createdAt: TEST_NOW, lastSeenAt: TEST_NOW };
    await put('signins', { pk: `SIGNIN#${randomUUID()}`, status: 'password', epoch: 0, ...base });
    await put('signins', { pk: `SIGNIN#${randomUUID()}`, status: 'done', epoch: 0, ...base });
    await put('signins', { pk: `SESSION#${randomUUID()}`, epoch: 2, ...base });

    const sessions = await access.sessionsOf(userPk);

    expect(sessions.map((x) => [x.kind, x.epoch]).sort()).toEqual([
      ['session', 2],
      ['sign-in', 0],
    ]);
  });

  /**
   * IAM checks each item of a transaction as its own action (a ConditionCheck needs ConditionCheckItem):
   * DynamoDB Local checks no IAM, so this compares what the store sends with what the route table grants.
   */
  it('sends only transaction items the calling functions are granted', async () => {
    const sent: Record<string, Record<string, unknown>>[] = [];
    const name = 'capture-transactions';
    s.db.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          sent.push(
            ...(args.input as { TransactItems: Record<string, Record<string, unknown>>[] }).TransactItems,
          );
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    const tableOf = Object.fromEntries(Object.entries(s.tables.names).map(([k, v]) => [v, k])) as Record<
      string,
      TableName
    >;
    const actionOf: Record<string, TableAction> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    const needed = (): [TableName, TableAction | undefined][] =>
      sent.flatMap((item) =>
        Object.entries(item).map(([kind, body]) => [
          tableOf[String(body.TableName)] as TableName,
          actionOf[kind],
        ]),
      );
    const granted = (handler: string) =>
      [...routes, ...assistedRoutes].find((route) => route.handler === handler)?.needs.tables ?? {};
    try {
      // A staff unlock: nothing on the user item changes, the transaction only checks it exists.
      const { customerId, userPk, lockKey, recovery, change } = await seed();
      sent.length = 0;
      const base = change(recovery.version);
      await access.apply({
        ...base,
        recovery: undefined,
        passwordHash: undefined,
        resetToken: undefined,
        endSessions: undefined,
        clearKeys: [lockKey],
        customerId,
        userPk,
      });
      for (const [table, action] of needed())
        expect(granted('agent-action')[table], `${table} ${action}`).toContain(action);

      // A recovery's R4.
      const second = await seed();
      sent.length = 0;
      await access.apply(second.change(second.recovery.version));
      for (const [table, action] of needed())
        expect(granted('reset-password')[table], `${table} ${action}`).toContain(action);
    } finally {
      s.db.middlewareStack.remove(name);
    }
  });
});
