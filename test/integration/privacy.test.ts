// The privacy tool (bin/privacy.ts) against DynamoDB Local: a customer with a user, a pending completion
// email, a completed and a closed registration, the pointer to the last one, codes, a PIN-try counter and a
// phone counter is exported (nothing secret in it) and erased (only what no legal duty needs), while another
// customer's items (an open registration holding a username) stay exactly as they were.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  eraseCustomer,
  exportCustomer,
  type PrivacyDeps,
  type PrivacyExport,
  privacyDeps,
} from '../../bin/privacy.ts';
import { DynamoSignInStore } from '../../lambdas/adapters/dynamodb/sign-in-store.ts';
import { userKey } from '../../lambdas/adapters/dynamodb/user-store.ts';
import { credentialIdentifier } from '../../lambdas/ports/customer-directory.ts';
import {
  activationFailureKey,
  passwordLockKey,
  pinKey,
  tokenFailureKey,
} from '../../lambdas/rules/lock-keys.ts';
import { type TableName, tableDefinitions, tableEnvVar, tableNames } from '../../lambdas/tables.ts';
import { projectRoot } from '../../lib/service-function.ts';
import {
  freshTables,
  getItem,
  outcome,
  type Services,
  scanAll,
  seed,
  type TestCustomer,
  testCustomer,
  testKeyed,
  Wizard,
  wire,
} from '../support/integration.ts';

const run = promisify(execFile);

type Snapshot = Record<TableName, Map<string, unknown>>;

async function everything(services: Services): Promise<Snapshot> {
  const entries = await Promise.all(
    tableNames.map(async (name) => {
      const key = tableDefinitions[name].partitionKey;
      const items = await scanAll(services.db, services.tables.names[name]);
      return [name, new Map(items.map((item) => [String(item[key]), item]))] as const;
    }),
  );
  return Object.fromEntries(entries) as Snapshot;
}

const kinds = (exported: PrivacyExport): Record<string, number> =>
  exported.items.reduce<Record<string, number>>((counts, { kind }) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    return counts;
  }, {});

/** What customer A holds (see beforeAll), by what erasure does with it. */
const keptOfA = {
  customer: 1,
  credential: 2,
  user: 1,
  username: 1,
  'token-failure-counter': 1,
  'activation-failure-counter': 1,
  // The session A opened and the registration are entries of the audit trail, kept as a legal record.
  'audit-entry': 2,
};
const erasedOfA = {
  registration: 2,
  'registration-pointer': 1,
  'sms-code': 2,
  'sign-in': 2,
  'password-counter': 1,
  'pin-counter': 1,
  'phone-counter': 1,
  'completion-email': 1,
};

describe('npm run privacy -- export|erase', () => {
  let services: Services;
  let wizard: Wizard;
  let a: TestCustomer;
  let b: TestCustomer;
  let deps: PrivacyDeps;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  const secrets: string[] = [];

  beforeAll(async () => {
    // Prepare: two customers of one directory, with the wizard's real use cases on DynamoDB Local
    services = wire(await freshTables('privacy'));
    wizard = new Wizard(services);
    a = testCustomer(1);
    b = testCustomer(2);
    await seed(services, [a, b]);

    // A: a first registration gets as far as its code, then a second one (which closes the first, rule 41)
    // registers (user, username, pending email, used codes); then a wrong PIN leaves a PIN-try counter.
    const closed = await wizard.verified(a, a.virtualKey);
    const completed = await wizard.atFinish(a, 'privacidad.a');
    await wizard.complete(completed);
    // A then signs in once (an attempt that opened a session) and mistypes the password once elsewhere.
    const signIns = new DynamoSignInStore(
      services.db,
      services.tables.names.signins,
      3_600_000,
      services.tables.names,
    );
    const now = services.clock.now();
    const userPk = userKey(a.record.customer.customerId);
    const signInId = randomUUID();
    await signIns.createAttempt({
      signInId,
      tokenHash: 'a'.repeat(43),
      usernameKey: 'privacidad.a',
      userPk,
      status: 'password',
      tokenAttempts: 0,
      createdAt: now,
      lastSeenAt: now,
    });
    expect(
      await signIns.openSession(
        signInId,
        'password',
        {
          sessionId: randomUUID(),
          tokenHash: 'b'.repeat(43),
          userPk,
          createdAt: now,
          lastSeenAt: now,
        },
        {
          customerId: a.record.customer.customerId,
          eventId: `${new Date(now).toISOString()}#${randomUUID()}`,
          at: now,
          kind: 'sign-in',
          actor: 'customer',
        },
      ),
    ).toBe(true);
    await services.limits.pinTry(passwordLockKey(testKeyed, 'privacidad.a'), now, 5, 1800);
    // ...and enters a wrong digital-token code and a wrong activation code (counters kept as security).
    const userItem = await getItem(services.db, services.tables.names.users, { pk: userPk });
    await services.limits.hit(tokenFailureKey(String(userItem?.userId)), 10, 1_800_000, now);
    await services.limits.hit(activationFailureKey(a.record.customer.customerId), 10, 86_400_000, now);
    expect(await outcome(wizard.start({ ...a.card, pin: a.card.pin === '0000' ? '1111' : '0000' }))).toBe(
      'invalid_credentials',
    );
    // B: an open registration with a code, a username reservation and counters of its own.
    await wizard.username(await wizard.verified(b), 'privacidad.b');
    expect(await outcome(wizard.start({ ...b.virtualKey, pin: '0000' }))).toBe('invalid_credentials');
    secrets.push(a.card.cardNumber, a.card.pin, a.virtualKey.pin, completed.token, closed.token);

    // The tool's own wiring, as `npm run privacy` builds it from the environment (the test's HMAC key).
    stateDir = mkdtempSync(join(tmpdir(), 'selfreg-privacy-'));
    const secretsFile = join(stateDir, 'secrets.json');
    const testKey = Buffer.alloc(32, 7).toString('utf8');
    writeFileSync(secretsFile, JSON.stringify({ hmacKey: testKey, pepper: testKey }));
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCAL_SECRETS_FILE: secretsFile,
      ...Object.fromEntries(tableNames.map((name) => [tableEnvVar(name), services.tables.names[name]])),
    };
    deps = { ...(await privacyDeps(env, false)), now: services.clock.now() };
  }, 180_000);

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('exports every kind of item held about the customer, and nothing of another customer', async () => {
    // Act
    const exported = await exportCustomer(deps, a.record.customer.customerId);

    // Assess
    expect(kinds(exported)).toEqual({ ...keptOfA, ...erasedOfA });
    const text = JSON.stringify(exported);
    expect(text).not.toContain(b.record.customer.customerId);
    expect(text).toContain(a.record.customer.email);
  });

  it('withholds every secret, hash and keyed digest from the export', async () => {
    // Prepare: every hash or digest value stored anywhere in the tables
    const stored = JSON.stringify([...Object.values(await everything(services))].map((m) => [...m.values()]));
    const digests = new Set(stored.match(/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g) ?? []);
    const argon = new Set(stored.match(/\$argon2id\$[^"]+|fake\$[^"]+/g) ?? []);
    expect(digests.size).toBeGreaterThan(5);
    expect(argon.size).toBeGreaterThan(3);

    // Act
    const text = JSON.stringify(await exportCustomer(deps, a.record.customer.customerId));

    // Assess
    for (const value of [...secrets, ...digests, ...argon]) {
      // A 4-digit PIN may occur by chance inside a random id or a time (an audit entry's `<ISO time>#<uuid>`):
      // short secrets are looked for in the export without its UUIDs and ISO times.
      const haystack =
        value.length < 8
          ? text
              .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '')
              .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '')
          : text;
      expect(haystack).not.toContain(value);
    }
    expect(text).toContain('[withheld: one-way hash]');
    expect(text).toContain('[withheld: keyed digest]');
  });

  it('erases what no legal duty needs, keeps the customer and the user, and leaves the other customer alone', async () => {
    // Prepare
    const before = await everything(services);

    // Act
    const report = await eraseCustomer(deps, a.record.customer.customerId);

    // Assess
    expect(report.erased).toEqual(erasedOfA);
    expect(Object.fromEntries(Object.entries(report.kept).map(([k, v]) => [k, v.count]))).toEqual(keptOfA);
    const after = await everything(services);
    const gone = tableNames.flatMap((name) =>
      [...before[name].keys()].filter((key) => !after[name].has(key)).map((key) => `${name}:${key}`),
    );
    // Exactly the eleven erased items are gone (the export after erasure shows they were A's)...
    expect(gone).toHaveLength(11);
    // ...and every item still there is exactly as it was, B's included.
    for (const name of tableNames) {
      for (const [key, item] of after[name]) expect(item).toEqual(before[name].get(key));
    }
    const again = await exportCustomer(deps, a.record.customer.customerId);
    expect(kinds(again)).toEqual(keptOfA);
  });

  it('refuses --aws without every physical table name instead of guessing local names', async () => {
    // Prepare
    const { CODES_TABLE: _codes, ...withoutCodes } = env;

    // Act
    const refused = await privacyDeps(withoutCodes, true).catch((error: Error) => error);

    // Assess
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      "--aws needs the tables' physical names: set CODES_TABLE (Data stack outputs)",
    );
  });

  it('runs as npm run privacy, printing the export as JSON, and refuses a call without a customer', async () => {
    // Act
    const { stdout } = await run(
      join(projectRoot, 'node_modules', '.bin', 'tsx'),
      ['bin/privacy.ts', 'export', '--customer', b.record.customer.customerId],
      { cwd: projectRoot, env },
    );
    const refused = await run(join(projectRoot, 'node_modules', '.bin', 'tsx'), ['bin/privacy.ts', 'erase'], {
      cwd: projectRoot,
      env,
    }).catch((error: { code: number; stderr: string }) => error);

    // Assess
    const printed = JSON.parse(stdout) as PrivacyExport;
    expect(printed.customerId).toBe(b.record.customer.customerId);
    expect(kinds(printed)).toEqual({
      customer: 1,
      credential: 2,
      registration: 1,
      'registration-pointer': 1,
      'sms-code': 1,
      'username-reservation': 1,
      'pin-counter': 1,
      'phone-counter': 1,
    });
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain('usage: npm run privacy');
  });

  it("keeps an engaged PIN lock (it guards the customer's own credential) and erases the rest", async () => {
    // Prepare: B's virtual key locked for another hour
    const lockKey = pinKey(testKeyed.digest('credential', credentialIdentifier(b.virtualKey)));
    await services.limits.pinLock(lockKey, deps.now + 3_600_000);

    // Act
    const report = await eraseCustomer(deps, b.record.customer.customerId);

    // Assess
    expect(report.kept['pin-counter']?.count).toBe(1);
    expect(report.erased).toEqual({
      registration: 1,
      'registration-pointer': 1,
      'sms-code': 1,
      'username-reservation': 1,
      'phone-counter': 1,
    });
    expect(await getItem(services.db, services.tables.names.limits, { pk: lockKey })).toMatchObject({
      lockedUntil: deps.now + 3_600_000,
    });
  });
});
