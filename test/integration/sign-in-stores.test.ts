// The sign-in stores against DynamoDB Local: attempts and sessions (conditional moves, one session per
// attempt, sign-out), and the digital-token state on the user item (activation with the SMS code and the
// outbox in one transaction, a time step accepted once).
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoAccountStore } from '../../lambdas/adapters/dynamodb/account-store.ts';
import { DynamoSignInStore } from '../../lambdas/adapters/dynamodb/sign-in-store.ts';
import type { SignInAttempt } from '../../lambdas/ports/sign-in.ts';
import { ConflictError } from '../../lambdas/ports/stores.ts';
import {
  freshTables,
  getItem,
  newDocumentClient,
  type Services,
  scanAll,
  TEST_NOW,
  wire,
} from '../support/integration.ts';

const KEEP_MS = 1_800_000 + 86_400_000;
/** The audit entry an activation writes with it (status' recent events). */
const activated = (customerId: string) => ({
  customerId,
  eventId: `${new Date(TEST_NOW).toISOString()}#${randomUUID()}`,
  at: TEST_NOW,
  kind: 'token-activated' as const,
  actor: 'customer',
});

describe('sign-in stores', () => {
  let s: Services;
  let signIns: DynamoSignInStore;
  let accounts: DynamoAccountStore;

  beforeAll(async () => {
    s = wire(await freshTables('sign-in'));
    const { names } = s.tables;
    signIns = new DynamoSignInStore(s.db, names.signins, KEEP_MS, names);
    accounts = new DynamoAccountStore(s.db, {
      users: names.users,
      codes: names.codes,
      outbox: names.outbox,
      audit: names.audit,
    });
  });

  /** The audit entry a session's opening writes (the customer's activity). */
  const activity = () => ({
    customerId: 'C1',
    eventId: `${new Date(TEST_NOW).toISOString()}#${randomUUID()}`,
    at: TEST_NOW,
    kind: 'sign-in' as const,
    actor: 'customer',
  });

  const attempt = (overrides: Partial<SignInAttempt> = {}): SignInAttempt => ({
    signInId: randomUUID(),
    tokenHash: `hash-${randomUUID()}`,
    usernameKey: 'tomas.mateos',
    userPk: 'CUSTOMER#C1',
    status: 'password',
    tokenAttempts: 0,
    createdAt: TEST_NOW,
    lastSeenAt: TEST_NOW,
    ...overrides,
  });

  /** A user and its username item, in the shape the registration's complete writes them. */
  async function seedUser(username: string) {
    const customerId = `C-${randomUUID().slice(0, 8)}`;
    const userPk = `CUSTOMER#${customerId}`;
    const userId = randomUUID();
    const usernameKey = username.toLowerCase();
    const put = (Item: Record<string, unknown>) =>
      s.db.send(new PutCommand({ TableName: s.tables.names.users, Item }));
    await put({
      pk: userPk,
      kind: 'user',
      userId,
      username,
      customerId,
      passwordHash: 'argon2-hash',
      imageId: 'llama',
      secondFactor: { hasSmartDevice: true, choice: 'digital-token' },
      usernameKey,
    });
    await put({ pk: `USERNAME#${usernameKey}`, kind: 'user', username, userId, userPk, registrationId: 'r' });
    return { userPk, userId, customerId, usernameKey };
  }

  describe('DynamoSignInStore', () => {
    it('moves an attempt only from the status it is at, and keeps it with a TTL', async () => {
      const a = attempt();
      await signIns.createAttempt(a);
      expect(await signIns.getAttempt(a.signInId)).toEqual(a);
      expect(await signIns.advance(a.signInId, 'password', 'digital-token', TEST_NOW + 1)).toBe(true);
      expect(await signIns.advance(a.signInId, 'password', 'digital-token', TEST_NOW + 2)).toBe(false);
      const item = await getItem(s.db, s.tables.names.signins, { pk: `SIGNIN#${a.signInId}` });
      expect(item?.ttl).toBe(Math.ceil((TEST_NOW + KEEP_MS) / 1000));
    });

    it('counts token codes only while the attempt waits for one, up to the maximum', async () => {
      const a = attempt();
      await signIns.createAttempt(a);
      expect(await signIns.countTokenAttempt(a.signInId, 3)).toBeUndefined();
      await signIns.advance(a.signInId, 'password', 'digital-token', TEST_NOW);
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push(await signIns.countTokenAttempt(a.signInId, 3));
      expect(counts).toEqual([1, 2, 3, undefined]);
    });

    it('an attempt opens one session, even under parallel calls; the session holds no token', async () => {
      const a = attempt();
      await signIns.createAttempt(a);
      const sessions = [0, 1, 2].map((i) => ({
        sessionId: randomUUID(),
        tokenHash: `session-hash-${i}-${a.signInId}`,
        userPk: 'CUSTOMER#C1',
        createdAt: TEST_NOW,
        lastSeenAt: TEST_NOW,
      }));
      const results = await Promise.all(
        sessions.map((session) => signIns.openSession(a.signInId, 'password', session, activity())),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await signIns.getAttempt(a.signInId))?.status).toBe('done');
      const winner = sessions[results.indexOf(true)] as (typeof sessions)[number];
      expect(await signIns.getSession(winner.tokenHash)).toEqual(winner);
      for (const loser of sessions.filter((session) => session !== winner)) {
        expect(await signIns.getSession(loser.tokenHash)).toBeUndefined();
      }
    });

    it('touch moves only forward; sign-out deletes the session and a late touch does not bring it back', async () => {
      const a = attempt();
      await signIns.createAttempt(a);
      const session = {
        sessionId: randomUUID(),
        tokenHash: `h-${a.signInId}`,
        userPk: 'CUSTOMER#C1',
        createdAt: TEST_NOW,
        lastSeenAt: TEST_NOW,
      };
      await signIns.openSession(a.signInId, 'password', session, activity());
      await signIns.touchSession(session.tokenHash, TEST_NOW + 5000);
      await signIns.touchSession(session.tokenHash, TEST_NOW + 1000);
      expect((await signIns.getSession(session.tokenHash))?.lastSeenAt).toBe(TEST_NOW + 5000);
      await signIns.endSession(session.tokenHash);
      await signIns.touchSession(session.tokenHash, TEST_NOW + 9000);
      expect(await signIns.getSession(session.tokenHash)).toBeUndefined();
    });
  });

  describe('DynamoAccountStore', () => {
    it('finds a user by lower-cased username; a known and an unknown name cost the same two reads', async () => {
      const { userPk } = await seedUser('Lucia.Paredes');
      const db = newDocumentClient();
      let reads = 0;
      db.middlewareStack.add(
        (next) => async (args) => {
          reads++;
          return next(args);
        },
        { step: 'initialize' },
      );
      const counted = new DynamoAccountStore(db, {
        users: s.tables.names.users,
        audit: s.tables.names.audit,
        codes: s.tables.names.codes,
        outbox: s.tables.names.outbox,
      });
      expect(await counted.findByUsername('lucia.paredes')).toMatchObject({
        userPk,
        imageId: 'llama',
        choice: 'digital-token',
      });
      expect(reads).toBe(2);
      expect(await counted.findByUsername('nadie.existe')).toBeUndefined();
      expect(reads).toBe(4);
    });

    it('T2 uses the SMS code and stores the pending seed in one transaction; a second use of the code changes nothing', async () => {
      const { userPk } = await seedUser(`u${randomUUID().slice(0, 8)}`);
      const key = `token-activation#${randomUUID()}`;
      await s.codes.issue(
        { registrationId: key, codeHmac: 'code-1', expiresAt: TEST_NOW + 300_000, lastSentAt: TEST_NOW },
        { maxSends: 3, cooldownMs: 30_000 },
      );
      const pending = {
        sealedSecret: 'v1.sealed-1',
        sessionId: 's1',
        createdAt: TEST_NOW,
        attempts: 0,
        epoch: 0,
      };
      await accounts.startActivation(userPk, pending, { key, codeHmac: 'code-1' });
      expect((await accounts.getUser(userPk))?.pendingToken).toEqual(pending);
      expect((await s.codes.get(key))?.used).toBe(true);

      const other = { ...pending, sealedSecret: 'v1.sealed-2' };
      await expect(accounts.startActivation(userPk, other, { key, codeHmac: 'code-1' })).rejects.toEqual(
        new ConflictError('code'),
      );
      expect((await accounts.getUser(userPk))?.pendingToken).toEqual(pending);
    });

    it('T2 and T3 write nothing once a recovery or staff raised the session epoch: an ended session binds no token', async () => {
      const { userPk, customerId } = await seedUser(`u${randomUUID().slice(0, 8)}`);
      const key = `token-activation#${randomUUID()}`;
      await s.codes.issue(
        { registrationId: key, codeHmac: 'c', expiresAt: TEST_NOW + 300_000, lastSentAt: TEST_NOW },
        { maxSends: 3, cooldownMs: 30_000 },
      );
      const pending = { sealedSecret: 'v1.seed', sessionId: 's', createdAt: TEST_NOW, attempts: 0, epoch: 0 };
      await accounts.startActivation(userPk, pending, { key, codeHmac: 'c' });
      // A recovery commits between T2 and T3.
      await s.db.send(
        new UpdateCommand({
          TableName: s.tables.names.users,
          Key: { pk: userPk },
          UpdateExpression: 'ADD sessionEpoch :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
      const message = {
        kind: 'token-activated' as const,
        messageId: randomUUID(),
        customerId,
        username: 'u',
        activatedAt: TEST_NOW,
        createdAt: TEST_NOW,
      };
      const token = { sealedSecret: 'v1.seed', lastStep: 100, activatedAt: TEST_NOW };
      await expect(accounts.activate(userPk, token, message, activated(customerId))).rejects.toEqual(
        new ConflictError('code'),
      );
      expect((await accounts.getUser(userPk))?.digitalToken).toBeUndefined();

      // A T2 of a session opened under epoch 0 is refused too.
      const key2 = `token-activation#${randomUUID()}`;
      await s.codes.issue(
        { registrationId: key2, codeHmac: 'd', expiresAt: TEST_NOW + 300_000, lastSentAt: TEST_NOW },
        { maxSends: 3, cooldownMs: 30_000 },
      );
      await expect(
        accounts.startActivation(
          userPk,
          { ...pending, sealedSecret: 'v1.seed-2' },
          { key: key2, codeHmac: 'd' },
        ),
      ).rejects.toEqual(new ConflictError('code'));
      expect((await s.codes.get(key2))?.used).toBe(false);
    });

    it('T3 counts first-code tries on the pending seed, then activates it and writes the email in one transaction', async () => {
      const { userPk, customerId } = await seedUser(`u${randomUUID().slice(0, 8)}`);
      const key = `token-activation#${randomUUID()}`;
      await s.codes.issue(
        { registrationId: key, codeHmac: 'c', expiresAt: TEST_NOW + 300_000, lastSentAt: TEST_NOW },
        { maxSends: 3, cooldownMs: 30_000 },
      );
      await accounts.startActivation(
        userPk,
        { sealedSecret: 'v1.seed', sessionId: 's', createdAt: TEST_NOW, attempts: 0, epoch: 0 },
        { key, codeHmac: 'c' },
      );
      expect(await accounts.countActivationAttempt(userPk, 'v1.other', 3)).toBeUndefined();
      expect(await accounts.countActivationAttempt(userPk, 'v1.seed', 3)).toBe(1);

      const messageId = randomUUID();
      const token = { sealedSecret: 'v1.seed', lastStep: 100, activatedAt: TEST_NOW };
      const message = {
        kind: 'token-activated' as const,
        messageId,
        customerId,
        username: 'u',
        activatedAt: TEST_NOW,
        createdAt: TEST_NOW,
      };
      const audit = activated(customerId);
      await accounts.activate(userPk, token, message, audit);
      const user = await accounts.getUser(userPk);
      expect(user?.digitalToken).toEqual(token);
      // Staff see the activation in the customer's trail.
      expect(
        await getItem(s.db, s.tables.names.audit, { customerId: audit.customerId, eventId: audit.eventId }),
      ).toEqual(audit);
      expect(user?.pendingToken).toBeUndefined();
      expect(await s.outbox.claim(messageId, TEST_NOW, 60_000)).toEqual(message);
      await expect(
        accounts.activate(userPk, token, { ...message, messageId: randomUUID() }, activated(customerId)),
      ).rejects.toEqual(new ConflictError('code'));
    });

    it('notify queues a token-lock email once per message id, and the outbox gives it back as written', async () => {
      // Arrange
      const message = {
        kind: 'token-locked' as const,
        messageId: `token-locked-${randomUUID()}-${TEST_NOW + 1_800_000}`,
        customerId: 'CUST-NOTIFY',
        username: 'Tomas.Mateos',
        lockedUntil: TEST_NOW + 1_800_000,
        createdAt: TEST_NOW,
      };

      const entry = (n: number) => ({
        customerId: 'CUST-NOTIFY',
        eventId: `2030-01-15T12:00:00.00${n}Z#${randomUUID()}`,
        at: TEST_NOW,
        kind: 'token-locked' as const,
        actor: 'system',
      });

      // Act: two parallel tries that engaged the same lock.
      await Promise.all([accounts.notify(message, entry(1)), accounts.notify(message, entry(2))]);
      const claimed = await s.outbox.claim(message.messageId, TEST_NOW, 60_000);
      const again = await s.outbox.claim(message.messageId, TEST_NOW, 60_000);

      // Assert
      expect(claimed).toEqual(message);
      expect(again).toBeUndefined();
      const audit = (await scanAll(s.db, s.tables.names.audit)).filter((e) => e.customerId === 'CUST-NOTIFY');
      expect(audit).toHaveLength(1);
    });

    it('accepts each time step once, and only steps after the last accepted one', async () => {
      const { userPk, customerId } = await seedUser(`u${randomUUID().slice(0, 8)}`);
      const key = `token-activation#${randomUUID()}`;
      await s.codes.issue(
        { registrationId: key, codeHmac: 'c', expiresAt: TEST_NOW + 300_000, lastSentAt: TEST_NOW },
        { maxSends: 3, cooldownMs: 30_000 },
      );
      await accounts.startActivation(
        userPk,
        { sealedSecret: 'v1.s', sessionId: 's', createdAt: TEST_NOW, attempts: 0, epoch: 0 },
        { key, codeHmac: 'c' },
      );
      await accounts.activate(
        userPk,
        { sealedSecret: 'v1.s', lastStep: 500, activatedAt: TEST_NOW },
        {
          kind: 'token-activated',
          messageId: randomUUID(),
          customerId,
          username: 'u',
          activatedAt: TEST_NOW,
          createdAt: TEST_NOW,
        },
        activated(customerId),
      );
      const parallel = await Promise.all([501, 501, 501].map((step) => accounts.acceptStep(userPk, step)));
      expect(parallel.filter(Boolean)).toHaveLength(1);
      expect(await accounts.acceptStep(userPk, 500)).toBe(false);
      expect(await accounts.acceptStep(userPk, 502)).toBe(true);
    });
  });
});
