// DynamoRegistrationStore and DynamoUserStore against DynamoDB Local: conditional writes on the version, the
// username reservation, the code use, the completion transaction and the cancellation.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type NewUser } from '../../lambdas/ports/stores.ts';
import type { Registration } from '../../lambdas/registration/registration.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';
import { freshTables, getItem, type Services, scanAll, TEST_NOW, wire } from '../support/integration.ts';

const NOW = TEST_NOW;
/** The audit entry a completion writes with it (status' recent events). */
const completed = (customerId: string) => ({
  customerId,
  eventId: `${new Date(NOW).toISOString()}#${randomUUID()}`,
  at: NOW,
  kind: 'registration-completed' as const,
  actor: 'customer',
});

function registration(overrides: Partial<Registration> = {}): Registration {
  return {
    registrationId: randomUUID(),
    customerId: `C-${randomUUID().slice(0, 8)}`,
    credentialType: 'card',
    tokenHash: 'token-hash',
    step: 'choose-username',
    status: 'open',
    version: 3,
    createdAt: NOW,
    lastSeenAt: NOW,
    contact: { phone: 'xxxxxxx190', email: 'tm****os@example.com' },
    identityNumbers: ['1710034065'],
    ...overrides,
  };
}

const advanced = (r: Registration, changes: Partial<Registration> = {}): Registration => ({
  ...r,
  ...changes,
  version: r.version + 1,
});

function completion(r: Registration, username: string) {
  const user: NewUser = {
    userId: randomUUID(),
    username,
    customerId: r.customerId,
    passwordHash: '$argon2id$fake',
    imageId: 'colibri',
    homePhone: '022345678',
    workPhone: '0991234567',
    answers: [{ questionId: 'q-first-pet', answerHash: '$argon2id$answer' }],
    terms: { version: '2026-11', acceptedAt: NOW },
    secondFactor: { hasSmartDevice: true, choice: 'digital-token' },
    createdAt: NOW,
  };
  const message = {
    messageId: randomUUID(),
    customerId: r.customerId,
    username,
    secondFactor: 'pending-activation' as const,
    createdAt: NOW,
  };
  return { user, message };
}

const expiry = NOW + 1_200_000;

describe('DynamoRegistrationStore', () => {
  let s: Services;
  const users = () => s.tables.names.users;

  /** A registration stored at finish with `username` reserved. */
  async function atFinish(username: string, overrides: Partial<Registration> = {}): Promise<Registration> {
    const r = registration({ ...overrides, step: 'choose-username' });
    await s.registrations.create(r);
    const next = advanced(r, { username, step: 'finish' });
    await s.registrations.saveWithUsername(next, r.version, {
      key: username.toLowerCase(),
      expiresAt: expiry,
    });
    return next;
  }

  beforeAll(async () => {
    s = wire(await freshTables('registrations'));
  });

  describe('one open registration per customer (rule 41)', () => {
    it('a create that supersedes closes the old registration and frees its username in one transaction', async () => {
      // Prepare
      const old = await atFinish(`u${randomUUID().slice(0, 8)}`);
      const first = registration({ customerId: old.customerId, registrationId: randomUUID() });
      await s.registrations.create(first, {});
      const oldId = await s.registrations.lastOpenedBy(old.customerId);
      const stored = (await s.registrations.get(old.registrationId)) as Registration;

      // Act: the pointer names `first`; close it (it has no username) and open `second`.
      const second = registration({ customerId: old.customerId });
      await s.registrations.create(second, {
        pointer: first.registrationId,
        close: {
          next: { ...first, status: 'cancelled', version: first.version + 1 },
          expectedVersion: first.version,
        },
      });
      const third = registration({ customerId: old.customerId });
      await s.registrations.create(third, {
        pointer: second.registrationId,
        close: {
          next: { ...second, status: 'cancelled', version: second.version + 1 },
          expectedVersion: second.version,
        },
      });

      // Assess
      expect(oldId).toBe(first.registrationId);
      expect(stored.status).toBe('open');
      expect((await s.registrations.get(first.registrationId))?.status).toBe('cancelled');
      expect((await s.registrations.get(second.registrationId))?.status).toBe('cancelled');
      expect(await s.registrations.lastOpenedBy(old.customerId)).toBe(third.registrationId);
    });

    it('frees the username of the closed registration', async () => {
      // Prepare
      const name = `u${randomUUID().slice(0, 8)}`;
      const customerId = `C-${randomUUID().slice(0, 8)}`;
      const first = registration({ customerId, step: 'choose-username' });
      await s.registrations.create(first, {});
      const reserved = advanced(first, { username: name, step: 'create-password' });
      await s.registrations.saveWithUsername(reserved, first.version, { key: name, expiresAt: expiry });

      // Act
      await s.registrations.create(registration({ customerId }), {
        pointer: first.registrationId,
        close: {
          next: { ...reserved, status: 'cancelled', version: reserved.version + 1 },
          expectedVersion: reserved.version,
          usernameKey: name,
        },
      });

      // Assess
      expect(await getItem(s.db, users(), { pk: `USERNAME#${name}` })).toBeUndefined();
      expect((await s.registrations.get(first.registrationId))?.status).toBe('cancelled');
    });

    it('a stale pointer (a parallel step 1 won) is a conflict and writes nothing', async () => {
      // Prepare
      const customerId = `C-${randomUUID().slice(0, 8)}`;
      const winner = registration({ customerId });
      await s.registrations.create(winner, {});
      const loser = registration({ customerId });

      // Act
      const outcome = s.registrations.create(loser, {});

      // Assess
      await expect(outcome).rejects.toEqual(new ConflictError('version'));
      expect(await s.registrations.get(loser.registrationId)).toBeUndefined();
      expect(await s.registrations.lastOpenedBy(customerId)).toBe(winner.registrationId);
    });
  });

  describe('create, get, touch, save', () => {
    it('creates a registration once and reads it back without its TTL attribute', async () => {
      // Prepare
      const r = registration();

      // Act
      await s.registrations.create(r);
      const second = s.registrations.create({ ...r, step: 'finish' });

      // Assess
      await expect(second).rejects.toBeInstanceOf(DependencyError);
      expect(await s.registrations.get(r.registrationId)).toEqual(r);
      const stored = await getItem(s.db, s.tables.names.registrations, { registrationId: r.registrationId });
      expect(stored?.ttl).toBe(Math.ceil((NOW + 1_200_000 + 86_400_000) / 1000));
    });

    it('answers undefined for an unknown registration', async () => {
      expect(await s.registrations.get(randomUUID())).toBeUndefined();
    });

    it('touch records later activity only, and not on a closed registration', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);

      // Act
      await s.registrations.touch(r.registrationId, NOW + 5_000);
      await s.registrations.touch(r.registrationId, NOW + 1_000);
      const afterTouches = await s.registrations.get(r.registrationId);
      await s.registrations.save(advanced(r, { status: 'cancelled' }), r.version);
      await s.registrations.touch(r.registrationId, NOW + 9_000);

      // Assess
      expect(afterTouches).toMatchObject({ lastSeenAt: NOW + 5_000, version: r.version, step: r.step });
      expect((await s.registrations.get(r.registrationId))?.lastSeenAt).toBe(NOW);
    });

    it('saves on the expected version and refuses a stale one with ConflictError(version)', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);
      await s.registrations.save(advanced(r, { step: 'create-password' }), r.version);

      // Act
      const stale = s.registrations.save(advanced(r, { step: 'choose-image' }), r.version);

      // Assess
      await expect(stale).rejects.toEqual(new ConflictError('version'));
      expect(await s.registrations.get(r.registrationId)).toMatchObject({
        step: 'create-password',
        version: r.version + 1,
      });
    });

    it('refuses to save a registration that is no longer open', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);
      const cancelled = advanced(r, { status: 'cancelled' });
      await s.registrations.save(cancelled, r.version);

      // Act
      const revived = s.registrations.save(advanced(cancelled, { status: 'open' }), cancelled.version);

      // Assess
      await expect(revived).rejects.toEqual(new ConflictError('version'));
    });
  });

  describe('saveWithUsername', () => {
    it('reserves the username with the step, in one write', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);

      // Act
      await s.registrations.saveWithUsername(advanced(r, { username: 'Juan.Perez' }), r.version, {
        key: 'juan.perez',
        expiresAt: expiry,
      });

      // Assess
      expect((await s.registrations.get(r.registrationId))?.username).toBe('Juan.Perez');
      expect(await getItem(s.db, users(), { pk: 'USERNAME#juan.perez' })).toMatchObject({
        kind: 'reservation',
        registrationId: r.registrationId,
        expiresAt: expiry,
      });
      expect(await s.users.usernameHolder('juan.perez')).toEqual({
        kind: 'reservation',
        registrationId: r.registrationId,
        expiresAt: expiry,
      });
    });

    it('refuses a name another registration holds in any case, and writes nothing', async () => {
      // Prepare
      const holder = registration();
      const other = registration();
      await Promise.all([s.registrations.create(holder), s.registrations.create(other)]);
      await s.registrations.saveWithUsername(advanced(holder, { username: 'maria_lopez' }), holder.version, {
        key: 'maria_lopez',
        expiresAt: expiry,
      });

      // Act
      const taken = s.registrations.saveWithUsername(
        advanced(other, { username: 'MARIA_Lopez' }),
        other.version,
        {
          key: 'maria_lopez',
          expiresAt: expiry,
        },
      );

      // Assess
      await expect(taken).rejects.toEqual(new ConflictError('username'));
      expect(await s.registrations.get(other.registrationId)).toEqual(other);
      expect(await getItem(s.db, users(), { pk: 'USERNAME#maria_lopez' })).toMatchObject({
        registrationId: holder.registrationId,
        username: 'maria_lopez',
      });
    });

    it('lets the holder reserve its own name again', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);
      const first = advanced(r, { username: 'pedro.again' });
      await s.registrations.saveWithUsername(first, r.version, { key: 'pedro.again', expiresAt: expiry });

      // Act
      await s.registrations.saveWithUsername(advanced(first, { username: 'Pedro.Again' }), first.version, {
        key: 'pedro.again',
        expiresAt: expiry,
      });

      // Assess
      expect((await s.registrations.get(r.registrationId))?.username).toBe('Pedro.Again');
    });

    it('refuses on a stale version without reserving the name', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);
      await s.registrations.save(advanced(r), r.version);

      // Act
      const stale = s.registrations.saveWithUsername(advanced(r, { username: 'stale.name' }), r.version, {
        key: 'stale.name',
        expiresAt: expiry,
      });

      // Assess
      await expect(stale).rejects.toEqual(new ConflictError('version'));
      expect(await s.users.usernameHolder('stale.name')).toBeUndefined();
    });

    it('frees the previous reservation when the name changes', async () => {
      // Prepare
      const r = registration();
      await s.registrations.create(r);
      const first = advanced(r, { username: 'first.choice' });
      await s.registrations.saveWithUsername(first, r.version, { key: 'first.choice', expiresAt: expiry });

      // Act
      await s.registrations.saveWithUsername(advanced(first, { username: 'second.choice' }), first.version, {
        key: 'second.choice',
        previousKey: 'first.choice',
        expiresAt: expiry,
      });

      // Assess
      expect(await s.users.usernameHolder('first.choice')).toBeUndefined();
      expect(await s.users.usernameHolder('second.choice')).toMatchObject({
        registrationId: r.registrationId,
      });
    });

    it('takes over the reservation of a dead registration it names, and only that one', async () => {
      // Prepare
      const dead = registration();
      const taker = registration();
      const intruder = registration();
      await Promise.all([dead, taker, intruder].map((r) => s.registrations.create(r)));
      await s.registrations.saveWithUsername(advanced(dead, { username: 'takeover' }), dead.version, {
        key: 'takeover',
        expiresAt: expiry,
      });

      // Act
      const wrongHolder = s.registrations.saveWithUsername(
        advanced(intruder, { username: 'takeover' }),
        intruder.version,
        { key: 'takeover', takeOverFrom: randomUUID(), expiresAt: expiry },
      );
      await expect(wrongHolder).rejects.toEqual(new ConflictError('username'));
      await s.registrations.saveWithUsername(advanced(taker, { username: 'TakeOver' }), taker.version, {
        key: 'takeover',
        takeOverFrom: dead.registrationId,
        expiresAt: expiry + 1,
      });

      // Assess
      expect(await s.users.usernameHolder('takeover')).toEqual({
        kind: 'reservation',
        registrationId: taker.registrationId,
        expiresAt: expiry + 1,
      });
      expect(await s.registrations.get(intruder.registrationId)).toEqual(intruder);
    });

    it('never takes over a permanent username', async () => {
      // Prepare
      const done = await atFinish('permanent');
      const { user, message } = completion(done, 'permanent');
      await s.registrations.complete(
        advanced(done, { status: 'completed', step: 'completed' }),
        done.version,
        user,
        message,
        completed(user.customerId),
      );
      const r = registration();
      await s.registrations.create(r);

      // Act
      const takeover = s.registrations.saveWithUsername(advanced(r, { username: 'permanent' }), r.version, {
        key: 'permanent',
        takeOverFrom: done.registrationId,
        expiresAt: expiry,
      });

      // Assess
      await expect(takeover).rejects.toEqual(new ConflictError('username'));
      expect(await s.users.usernameHolder('permanent')).toEqual({ kind: 'user' });
    });
  });

  describe('saveWithCodeUsed', () => {
    async function withCode(codeHmac: string): Promise<Registration> {
      const r = registration({ step: 'enter-otp' });
      await s.registrations.create(r);
      await s.db.send(
        new PutCommand({
          TableName: s.tables.names.codes,
          Item: {
            registrationId: r.registrationId,
            codeHmac,
            expiresAt: NOW + 300_000,
            attempts: 1,
            sends: 1,
            lastSentAt: NOW,
            used: false,
          },
        }),
      );
      return r;
    }

    it('marks the code used and moves the step together', async () => {
      // Prepare
      const r = await withCode('hmac-1');

      // Act
      await s.registrations.saveWithCodeUsed(advanced(r, { step: 'choose-username' }), r.version, 'hmac-1');

      // Assess
      expect((await s.codes.get(r.registrationId))?.used).toBe(true);
      expect((await s.registrations.get(r.registrationId))?.step).toBe('choose-username');
    });

    it('refuses a replay of the used code with ConflictError(code)', async () => {
      // Prepare
      const r = await withCode('hmac-2');
      const next = advanced(r, { step: 'choose-username' });
      await s.registrations.saveWithCodeUsed(next, r.version, 'hmac-2');

      // Act
      const replay = s.registrations.saveWithCodeUsed(
        advanced(next, { tokenHash: 'other' }),
        next.version,
        'hmac-2',
      );

      // Assess
      await expect(replay).rejects.toEqual(new ConflictError('code'));
      expect(await s.registrations.get(r.registrationId)).toEqual(next);
    });

    it('refuses a code that is not the stored one, writing nothing', async () => {
      // Prepare
      const r = await withCode('hmac-3');

      // Act
      const wrong = s.registrations.saveWithCodeUsed(
        advanced(r, { step: 'choose-username' }),
        r.version,
        'hmac-x',
      );

      // Assess
      await expect(wrong).rejects.toEqual(new ConflictError('code'));
      expect(await s.registrations.get(r.registrationId)).toEqual(r);
      expect((await s.codes.get(r.registrationId))?.used).toBe(false);
    });
  });

  describe('complete', () => {
    it('writes the user (keyed by its customer), the permanent username, the registration and the outbox message together', async () => {
      // Prepare
      const r = await atFinish('Completa.Uno');
      const { user, message } = completion(r, 'Completa.Uno');
      const done = advanced(r, { status: 'completed', step: 'completed' });

      // Act
      await s.registrations.complete(done, r.version, user, message, completed(user.customerId));

      // Assess
      expect(await getItem(s.db, users(), { pk: `CUSTOMER#${r.customerId}` })).toMatchObject({
        kind: 'user',
        userId: user.userId,
        username: 'Completa.Uno',
        usernameKey: 'completa.uno',
        customerId: r.customerId,
        passwordHash: user.passwordHash,
      });
      expect(await getItem(s.db, users(), { pk: 'USERNAME#completa.uno' })).toMatchObject({
        kind: 'user',
        userId: user.userId,
        userPk: `CUSTOMER#${r.customerId}`,
      });
      expect(await s.registrations.get(r.registrationId)).toEqual(done);
      expect(await getItem(s.db, s.tables.names.outbox, { messageId: message.messageId })).toMatchObject({
        ...message,
        status: 'pending',
        attempts: 0,
      });
      expect(await s.users.usernameHolder('completa.uno')).toEqual({ kind: 'user' });
      const permanent = await Promise.all(
        ['USERNAME#completa.uno', `CUSTOMER#${r.customerId}`].map((pk) => getItem(s.db, users(), { pk })),
      );
      for (const item of permanent) expect(item).not.toHaveProperty('ttl');
      expect(await s.users.customerHasUser(r.customerId)).toBe(true);
    });

    it('refuses a second complete of the same customer with ConflictError(customer) and writes none of it', async () => {
      // Prepare
      const first = await atFinish('cliente.primero');
      const second = await atFinish('cliente.segundo', { customerId: first.customerId });
      const one = completion(first, 'cliente.primero');
      await s.registrations.complete(
        advanced(first, { status: 'completed', step: 'completed' }),
        first.version,
        one.user,
        one.message,
        completed(one.user.customerId),
      );
      const two = completion(second, 'cliente.segundo');
      const usersBefore = await scanAll(s.db, users());

      // Act
      const again = s.registrations.complete(
        advanced(second, { status: 'completed', step: 'completed' }),
        second.version,
        two.user,
        two.message,
        completed(two.user.customerId),
      );

      // Assess
      await expect(again).rejects.toEqual(new ConflictError('customer'));
      expect(await scanAll(s.db, users())).toEqual(usersBefore);
      expect(await s.users.usernameHolder('cliente.segundo')).toMatchObject({ kind: 'reservation' });
      expect(await getItem(s.db, users(), { pk: `CUSTOMER#${first.customerId}` })).toMatchObject({
        userId: one.user.userId,
      });
      expect(await s.registrations.get(second.registrationId)).toEqual(second);
      expect(
        await getItem(s.db, s.tables.names.outbox, { messageId: two.message.messageId }),
      ).toBeUndefined();
    });

    it('refuses with ConflictError(username) when the reservation was lost', async () => {
      // Prepare
      const r = registration({ step: 'finish', username: 'never.reserved' });
      await s.registrations.create(r);
      const { user, message } = completion(r, 'never.reserved');

      // Act
      const lost = s.registrations.complete(
        advanced(r, { status: 'completed' }),
        r.version,
        user,
        message,
        completed(user.customerId),
      );

      // Assess
      await expect(lost).rejects.toEqual(new ConflictError('username'));
      expect(await s.users.customerHasUser(r.customerId)).toBe(false);
      expect(await s.users.usernameHolder('never.reserved')).toBeUndefined();
    });
  });

  describe('cancel', () => {
    it('cancels and frees the reservation together', async () => {
      // Prepare
      const r = await atFinish('to.cancel');
      const cancelled = advanced(r, { status: 'cancelled' });

      // Act
      await s.registrations.cancel(cancelled, r.version, 'to.cancel');

      // Assess
      expect((await s.registrations.get(r.registrationId))?.status).toBe('cancelled');
      expect(await s.users.usernameHolder('to.cancel')).toBeUndefined();
    });

    it('refuses a stale cancel and keeps the reservation', async () => {
      // Prepare
      const r = await atFinish('keep.reserved');

      // Act
      const stale = s.registrations.cancel(
        advanced(r, { status: 'cancelled' }),
        r.version - 1,
        'keep.reserved',
      );

      // Assess
      await expect(stale).rejects.toEqual(new ConflictError('version'));
      expect(await s.users.usernameHolder('keep.reserved')).toMatchObject({
        registrationId: r.registrationId,
      });
      expect((await s.registrations.get(r.registrationId))?.status).toBe('open');
    });
  });
});

describe('DynamoUserStore', () => {
  let s: Services;

  beforeAll(async () => {
    s = wire(await freshTables('users'));
  });

  it('knows no holder and no user for names and customers never written', async () => {
    expect(await s.users.usernameHolder('nobody.here')).toBeUndefined();
    expect(await s.users.customerHasUser('C-none')).toBe(false);
  });

  it('reads a reservation, then the permanent user and the customer link after complete', async () => {
    // Prepare
    const r = registration();
    await s.registrations.create(r);
    const reserved = advanced(r, { username: 'Lee.Reads', step: 'finish' });
    await s.registrations.saveWithUsername(reserved, r.version, { key: 'lee.reads', expiresAt: expiry });
    const whileReserved = await s.users.usernameHolder('lee.reads');
    const { user, message } = completion(reserved, 'Lee.Reads');
    const audit = completed(user.customerId);

    // Act
    await s.registrations.complete(
      advanced(reserved, { status: 'completed' }),
      reserved.version,
      user,
      message,
      audit,
    );

    // Assess
    expect(whileReserved).toEqual({
      kind: 'reservation',
      registrationId: r.registrationId,
      expiresAt: expiry,
    });
    expect(await s.users.usernameHolder('lee.reads')).toEqual({ kind: 'user' });
    expect(await s.users.customerHasUser(r.customerId)).toBe(true);
    // Staff see the registration in the customer's trail.
    const trail = await getItem(s.db, s.tables.names.audit, {
      customerId: audit.customerId,
      eventId: audit.eventId,
    });
    expect(trail).toEqual(audit);
  });
});
