// Races through the real use cases on DynamoDB Local: parallel calls that must give exactly one success.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CustomerDirectory } from '../../lambdas/ports/customer-directory.ts';
import {
  defaultRules,
  freshTables,
  getItem,
  outcome,
  type Rules,
  realHasher,
  type Services,
  scanAll,
  seed,
  type TestCustomer,
  type TestTables,
  testCustomer,
  Wizard,
  wire,
} from '../support/integration.ts';

/** Distinct spellings of one name that differ only in case. */
function casings(name: string, count: number): string[] {
  const letters = [...name].map((c, i) => (/[a-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
  return Array.from({ length: count }, (_, n) =>
    [...name]
      .map((c, i) => ((n >> letters.indexOf(i)) & 1 && letters.includes(i) ? c.toUpperCase() : c))
      .join(''),
  );
}

const count = <T>(values: T[]): Record<string, number> =>
  values.reduce<Record<string, number>>((acc, v) => {
    const key = typeof v === 'string' ? v : 'ok';
    acc[key] = (acc[key] ?? 0) + 1;
    return acc;
  }, {});

describe('races through the use cases', () => {
  let tables: TestTables;
  let s: Services;
  let wizard: Wizard;
  let n = 0;
  const rules: Rules = { ...defaultRules(), identifyPerIpPerMinute: 1_000 };

  async function customers(howMany: number): Promise<TestCustomer[]> {
    const list = Array.from({ length: howMany }, () => testCustomer(++n));
    await seed(s, list);
    return list;
  }

  const userItemsOf = async (customerId: string) =>
    (await scanAll(s.db, tables.names.users)).filter((i) => i.kind === 'user' && i.customerId === customerId);
  const messagesOf = async (customerId: string) =>
    (await scanAll(s.db, tables.names.outbox)).filter((i) => i.customerId === customerId);

  beforeAll(async () => {
    tables = await freshTables('races');
    s = wire(tables, { rules });
    wizard = new Wizard(s);
  });

  it('20 registrations claiming one username in 20 casings: one wins, 19 get username_taken', async () => {
    // Prepare
    const list = await customers(20);
    const sessions = await Promise.all(list.map((c) => wizard.verified(c)));
    const names = casings('carla.mora', 20);
    expect(new Set(names).size).toBe(20);

    // Act
    const results = await Promise.all(
      sessions.map((session, i) => outcome(wizard.username(session, names[i] as string))),
    );

    // Assess
    expect(count(results)).toEqual({ ok: 1, username_taken: 19 });
    const winner = sessions[results.findIndex((r) => typeof r !== 'string')];
    expect(await s.users.usernameHolder('carla.mora')).toMatchObject({
      kind: 'reservation',
      registrationId: winner?.registrationId,
    });
    const reservations = (await scanAll(s.db, tables.names.users)).filter((i) =>
      String(i.pk).startsWith('USERNAME#carla.mora'),
    );
    expect(reservations).toHaveLength(1);
    const losers = await Promise.all(
      sessions.filter((x) => x !== winner).map((x) => s.registrations.get(x.registrationId)),
    );
    expect(losers.map((loser) => [loser?.step, loser?.username])).toEqual(
      Array.from({ length: 19 }, () => ['choose-username', undefined]),
    );
  });

  it('10 parallel verifications of one code: one success, and the code is then used', async () => {
    // Prepare
    const [customer] = await customers(1);
    if (!customer) throw new Error('prepare');
    const session = await wizard.start(customer.card);
    await wizard.sendOtp(session);
    const code = wizard.lastCode(customer.record.customer.phone);

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, () => {
        const attempt = { ...session };
        return outcome(wizard.verify(attempt, code).then(() => attempt.token));
      }),
    );

    // Assess
    const successes = results.filter(
      (r) => r !== 'otp_locked' && r !== 'session_invalid' && r !== 'step_out_of_order',
    );
    expect(successes).toHaveLength(1);
    expect(results.filter((r) => r === 'otp_invalid' || r === 'otp_expired')).toEqual([]);
    const stored = await s.codes.get(session.registrationId);
    expect(stored?.used).toBe(true);
    expect(stored?.attempts).toBeLessThanOrEqual(s.rules.otp.maxAttempts);
    expect((await s.registrations.get(session.registrationId))?.step).toBe('choose-username');
    const winner = { ...session, token: successes[0] as string };
    await expect(wizard.username(winner, 'verif.winner')).resolves.toEqual({ step: 'create-password' });
    await expect(outcome(wizard.username(session, 'old.token'))).resolves.toBe('session_invalid');
  });

  it('10 parallel completes of one registration: one user, one customer link, one outbox message', async () => {
    // Prepare
    const [customer] = await customers(1);
    if (!customer) throw new Error('prepare');
    const session = await wizard.atFinish(customer, 'Diez.Completes');
    const { customerId } = customer.record.customer;

    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => outcome(wizard.complete(session))));

    // Assess
    // complete is idempotent: every call answers the same 201 (the losers from the stored registration).
    expect(results).toEqual(
      Array.from({ length: 10 }, () => ({
        step: 'completed',
        username: 'Diez.Completes',
        secondFactor: 'pending-activation',
      })),
    );
    expect(await userItemsOf(customerId)).toHaveLength(1);
    expect(await getItem(s.db, tables.names.users, { pk: `CUSTOMER#${customerId}` })).toBeDefined();
    expect(await messagesOf(customerId)).toHaveLength(1);
  });

  it('parallel completes of two registrations of one customer: the superseded one cannot; one user, one message', async () => {
    // Prepare: the second step 1 closes the first registration (rule 41), even at finish.
    const [customer] = await customers(1);
    if (!customer) throw new Error('prepare');
    const first = await wizard.atFinish(customer, 'Primera.Via', customer.card);
    const second = await wizard.atFinish(customer, 'Segunda.Via', customer.virtualKey);
    const { customerId } = customer.record.customer;

    // Act
    const results = await Promise.all(
      [first, second, first, second, first, second].map((session) => outcome(wizard.complete(session))),
    );

    // Assess
    expect([results[0], results[2], results[4]]).toEqual([
      'session_invalid',
      'session_invalid',
      'session_invalid',
    ]);
    const won = results.filter((r) => typeof r !== 'string') as { username: string }[];
    expect(won.length).toBeGreaterThanOrEqual(1);
    expect(new Set(won.map((w) => w.username))).toEqual(new Set(['Segunda.Via']));
    const users = await userItemsOf(customerId);
    expect(users).toHaveLength(1);
    expect(await messagesOf(customerId)).toHaveLength(1);
    const link = await getItem(s.db, tables.names.users, { pk: `CUSTOMER#${customerId}` });
    expect(link?.userId).toBe(users[0]?.userId);
    expect(await s.users.usernameHolder('primera.via')).toBeUndefined();
  });

  it('wrong PINs in parallel on one card: no more than PIN_MAX_ATTEMPTS verifications, then the lock holds', async () => {
    // Prepare: the real argon2id, and a directory that counts the PIN verifications it is asked for
    const hashing = wire(tables, { rules, hasher: realHasher() });
    const [customer] = Array.from({ length: 1 }, () => testCustomer(++n));
    if (!customer) throw new Error('prepare');
    await seed(hashing, [customer]);
    let verifications = 0;
    const counted: CustomerDirectory = {
      authenticate: (credential) => {
        verifications += 1;
        return hashing.directory.authenticate(credential);
      },
      getCustomer: (id) => hashing.directory.getCustomer(id),
      credentialKeys: (id) => hashing.directory.credentialKeys(id),
      credentials: (id) => hashing.directory.credentials(id),
      findByIdentityNumber: (number) => hashing.directory.findByIdentityNumber(number),
    };
    const pinWizard = new Wizard(wire(tables, { rules, hasher: hashing.hasher, directory: counted }));
    const wrong = { ...customer.card, pin: customer.card.pin === '0000' ? '1111' : '0000' };

    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => outcome(pinWizard.start(wrong))));
    const rightPinAfter = await outcome(pinWizard.start(customer.card));

    // Assess
    expect(verifications).toBe(rules.pin.maxAttempts);
    // The wrong PIN that reaches the bound says the lock itself (423), like the seven refused before a check.
    expect(count(results)).toEqual({ invalid_credentials: 2, credential_locked: 8 });
    expect(rightPinAfter).toBe('credential_locked');
  });
});
