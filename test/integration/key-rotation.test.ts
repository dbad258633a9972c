// Issue 22, item 9 (rule 62): the HMAC key, the pepper and the token key rotate with live registrations and
// users. One set of tables in DynamoDB Local; the world before the rotation holds version 1 of each key, the
// world after it holds version 2 as current and version 1 as previous, exactly as lambdas/keys.ts,
// hashing.ts and token-key.ts build them from Secrets Manager's AWSCURRENT and AWSPREVIOUS.
import { beforeAll, describe, expect, it } from 'vitest';
import { aesGcmBox } from '../../lambdas/adapters/aes-gcm.ts';
import { argon2Hasher } from '../../lambdas/adapters/argon2.ts';
import { hmacKeyed } from '../../lambdas/adapters/primitives.ts';
import { verifyOrDummy } from '../../lambdas/rules/equal-work.ts';
import { pinKey } from '../../lambdas/rules/lock-keys.ts';
import {
  defaultRules,
  FakeClock,
  freshTables,
  outcome,
  RecordingSms,
  type Rules,
  type Services,
  scanAll,
  seed,
  type TestCustomer,
  type TestTables,
  testCustomer,
  Wizard,
  wire,
} from '../support/integration.ts';

const cost = { memoryKiB: 19456, timeCost: 2 };
const v1 = { hmac: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2), token: Buffer.alloc(32, 3) };
const v2 = { hmac: Buffer.alloc(32, 4), pepper: Buffer.alloc(32, 5), token: Buffer.alloc(32, 6) };
const PASSWORD = 'cielo azul de quito 2026';

describe('rotating every key with live registrations and users (rule 62)', () => {
  let tables: TestTables;
  const clock = new FakeClock();
  const sms = new RecordingSms();
  const rules: Rules = { ...defaultRules(), identifyPerIpPerMinute: 1_000 };
  const world = (keys: Pick<Services, 'keyed' | 'hasher'>) => wire(tables, { clock, sms, rules, ...keys });
  let before: Services;
  let after: Services;
  /** After the rotation without the previous version: what the code did before this fix. */
  let currentOnly: Services;
  let customers: TestCustomer[];
  let live: { session: Awaited<ReturnType<Wizard['start']>>; code: string };
  let user: Record<string, unknown>;

  beforeAll(async () => {
    tables = await freshTables('rotation');
    before = world({ keyed: hmacKeyed(v1.hmac), hasher: argon2Hasher(v1.pepper, cost) });
    after = world({
      keyed: hmacKeyed(v2.hmac, [v1.hmac]),
      hasher: argon2Hasher(v2.pepper, cost, [v1.pepper]),
    });
    currentOnly = world({ keyed: hmacKeyed(v2.hmac), hasher: argon2Hasher(v2.pepper, cost) });
    customers = [1, 2, 3, 4].map((n) => testCustomer(n));
    // The directory is loaded under version 1: card look-ups by HMAC, PINs peppered.
    await seed(before, customers);

    // A live registration: identified and sent its SMS code under version 1.
    const wizard = new Wizard(before);
    const session = await wizard.start((customers[0] as TestCustomer).card);
    await wizard.sendOtp(session);
    live = { session, code: wizard.lastCode((customers[0] as TestCustomer).record.customer.phone) };

    // A user: registered under version 1 (its password hashed with pepper 1).
    const registered = await wizard.atFinish(customers[1] as TestCustomer, 'rotacion.user');
    await wizard.complete(registered);
    const customerId = (customers[1] as TestCustomer).record.customer.customerId;
    user = (await scanAll(tables.db, tables.names.users)).find(
      (item) => item.customerId === customerId && typeof item.passwordHash === 'string',
    ) as Record<string, unknown>;
    expect(user).toBeDefined();
  });

  it('the live registration verifies the code it was sent before the rotation, and goes on', async () => {
    // Act: the next request lands on a function that already holds version 2 as current
    const wizard = new Wizard(after);
    await wizard.verify(live.session, live.code);

    // Assess: the session moved on and writes with the current key from here (username, password)
    expect(await outcome(wizard.username(live.session, 'rotacion.live'))).not.toBeTypeOf('string');
    expect(await outcome(wizard.password(live.session))).not.toBeTypeOf('string');
  });

  it("the user's password, hashed with the previous pepper, still signs in; a wrong one still fails", async () => {
    // Act: what S2 runs (lambdas/sign-in/password.ts)
    const right = await verifyOrDummy(after.hasher, user.passwordHash as string, PASSWORD.normalize('NFKC'));
    const wrong = await verifyOrDummy(after.hasher, user.passwordHash as string, 'otra clave cualquiera 1');
    const withoutPrevious = await verifyOrDummy(currentOnly.hasher, user.passwordHash as string, PASSWORD);

    // Assess
    expect(right).toBe(true);
    expect(wrong).toBe(false);
    expect(withoutPrevious).toBe(false);
  });

  it('a customer of the directory loaded under the previous HMAC key and pepper is identified', async () => {
    // Act
    const identified = await outcome(new Wizard(after).start((customers[2] as TestCustomer).card));
    const withoutPrevious = await outcome(
      new Wizard(currentOnly).start((customers[2] as TestCustomer).virtualKey),
    );

    // Assess
    expect(identified).toMatchObject({ registrationId: expect.any(String) });
    expect(withoutPrevious).toBe('invalid_credentials');
  });

  it("a lock of a customer's credentials made before the rotation still holds after it", async () => {
    // Prepare: rule 40 locks every credential by the digests the directory was loaded with (version 1)
    const customer = customers[3] as TestCustomer;
    const digests = await before.directory.credentialKeys(customer.record.customer.customerId);
    await before.limits.pinLockAll(
      digests.map((digest) => pinKey(digest)),
      clock.now() + 86_400_000,
    );

    // Act: step 1 with the right PIN, on a function holding version 2 as current
    const refused = await outcome(new Wizard(after).start(customer.card));

    // Assess
    expect(digests).toHaveLength(2);
    expect(refused).toBe('credential_locked');
  });

  it('new digests and hashes are written with the current version only', async () => {
    // Prepare
    const wizard = new Wizard(after);
    const session = await wizard.start((customers[2] as TestCustomer).virtualKey);

    // Act
    await wizard.sendOtp(session);
    const code = wizard.lastCode((customers[2] as TestCustomer).record.customer.phone);
    const stored = (await scanAll(tables.db, tables.names.codes)).find(
      (item) => item.registrationId === session.registrationId,
    );
    const hash = await after.hasher.hash(PASSWORD);

    // Assess
    expect(stored?.codeHmac).toBe(after.keyed.digest('otp', `${session.registrationId}:${code}`));
    expect(stored?.codeHmac).not.toBe(before.keyed.digest('otp', `${session.registrationId}:${code}`));
    expect(await currentOnly.hasher.verify(hash, PASSWORD)).toBe(true);
    expect(await before.hasher.verify(hash, PASSWORD)).toBe(false);
  });

  it('a digital-token seed sealed with the previous token key opens; new seals use the current key', () => {
    // Prepare
    const seed = Buffer.alloc(20, 9);
    const sealedBefore = aesGcmBox(v1.token).seal(seed, 'user-1');
    const rotated = aesGcmBox(v2.token, [v1.token]);

    // Act
    const opened = rotated.open(sealedBefore, 'user-1');
    const sealedAfter = rotated.seal(seed, 'user-1');

    // Assess
    expect(opened.equals(seed)).toBe(true);
    expect(() => rotated.open(sealedBefore, 'user-2')).toThrow();
    expect(() => aesGcmBox(v2.token).open(sealedBefore, 'user-1')).toThrow();
    expect(aesGcmBox(v2.token).open(sealedAfter, 'user-1').equals(seed)).toBe(true);
    expect(() => aesGcmBox(v1.token).open(sealedAfter, 'user-1')).toThrow();
  });
});
