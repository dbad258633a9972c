// The reference customer directory against DynamoDB Local, with the real argon2id: what writeDirectory stores
// (HMAC keys, last four digits, PIN hashes, never a card number or PIN) and how authenticate proves a
// credential. Also the directory file parser that feeds it.
import { beforeAll, describe, expect, it } from 'vitest';
import { DirectoryFileError, parseDirectoryFile } from '../../lambdas/adapters/directory-file.ts';
import {
  DynamoCustomerDirectory,
  writeDirectory,
} from '../../lambdas/adapters/dynamodb/customer-directory.ts';
import { type Credential, credentialIdentifier } from '../../lambdas/ports/customer-directory.ts';
import type { Hasher } from '../../lambdas/ports/system.ts';
import { freshTables, realHasher, scanAll, type TestTables, testKeyed } from '../support/integration.ts';

const CARD = '4556737586899855';
const BLOCKED_CARD = '4916338506082832';
const PINS = ['8093', '7261', '6402', '5917'];

const file = {
  customers: [
    {
      customerId: 'CUST-A',
      name: 'Tomás Mateos',
      cedula: '1710034065',
      phone: '+593991234190',
      email: 'tmateos@example.com',
      credentials: [
        { type: 'card', cardNumber: CARD, expiryMonth: 12, expiryYear: 2030, pin: PINS[0] },
        {
          type: 'card',
          cardNumber: BLOCKED_CARD,
          expiryMonth: 1,
          expiryYear: 2032,
          pin: PINS[1],
          status: 'blocked',
        },
        { type: 'virtual-key', cedula: '1710034065', pin: PINS[2] },
      ],
    },
    {
      customerId: 'CUST-B',
      name: 'Ana Ruiz',
      cedula: '0926687856',
      phone: '+593987654321',
      email: 'ana.ruiz@example.ec',
      registered: true,
      credentials: [{ type: 'company', ruc: '1790011674001', cedula: '0926687856', pin: PINS[3] }],
    },
  ],
};

/** Counts verifications, so that the equal-work rule is visible. */
function countingHasher(inner: Hasher): Hasher & { verifies: number } {
  const counting = {
    verifies: 0,
    hash: (plain: string) => inner.hash(plain),
    verify: (hash: string, plain: string) => {
      counting.verifies += 1;
      return inner.verify(hash, plain);
    },
  };
  return counting;
}

describe('DynamoCustomerDirectory and writeDirectory', () => {
  let tables: TestTables;
  let hasher: ReturnType<typeof countingHasher>;
  let directory: DynamoCustomerDirectory;
  let written: { customers: number; credentials: number };

  beforeAll(async () => {
    tables = await freshTables('directory');
    hasher = countingHasher(realHasher());
    written = await writeDirectory(
      tables.db,
      tables.names.customers,
      testKeyed,
      hasher,
      parseDirectoryFile(JSON.stringify(file)),
    );
    directory = new DynamoCustomerDirectory(tables.db, tables.names.customers, {
      keyed: async () => testKeyed,
      hasher: async () => hasher,
    });
  });

  describe('what is stored', () => {
    it('writes one item per customer, per credential and per cédula or RUC (the staff look-up)', async () => {
      expect(written).toEqual({ customers: 2, credentials: 4 });
      // Three identity numbers: Tomás's cédula, Ana's cédula and her company's RUC.
      expect(await scanAll(tables.db, tables.names.customers)).toHaveLength(9);
    });

    it('finds the customers of a cédula or RUC through keyed items that hold no number', async () => {
      const lookups = (await scanAll(tables.db, tables.names.customers)).filter((item) =>
        String(item.pk).startsWith('IDENTITY#'),
      );
      expect(JSON.stringify(lookups)).not.toMatch(/1710034065|0926687856|1790011674001/);
      expect(await directory.findByIdentityNumber('1710034065')).toEqual(['CUST-A']);
      expect(await directory.findByIdentityNumber('1790011674001')).toEqual(['CUST-B']);
      expect(await directory.findByIdentityNumber('1712345675')).toEqual([]);
    });

    it('names each credential as the customer knows it, in credentialKeys order, never by its number', async () => {
      const summaries = await directory.credentials('CUST-A');
      expect(summaries.map(({ type, last4 }) => ({ type, last4 }))).toEqual([
        { type: 'card', last4: CARD.slice(-4) },
        { type: 'card', last4: BLOCKED_CARD.slice(-4) },
        { type: 'virtual-key', last4: undefined },
      ]);
      expect(summaries.map((c) => c.digest)).toEqual(await directory.credentialKeys('CUST-A'));
      expect((await directory.getCustomer('CUST-A'))?.name).toBe('Tomás Mateos');
    });

    it('stores no card number and no PIN anywhere in the table', async () => {
      // Act
      const items = await scanAll(tables.db, tables.names.customers);
      const text = JSON.stringify(items);

      // Assess
      for (const card of [CARD, BLOCKED_CARD]) expect(text).not.toContain(card);
      for (const pin of PINS) {
        expect(text).not.toContain(`"${pin}"`);
        expect(text).not.toContain(`:${pin},`);
      }
      const values = items.flatMap((item) => Object.values(item).map(String));
      for (const pin of PINS) expect(values).not.toContain(pin);
      for (const item of items) expect(Object.keys(item)).not.toContain('pin');
    });

    it('keys a card by the HMAC of its identifier and keeps only its last four digits', async () => {
      // Prepare
      const credential: Credential = {
        type: 'card',
        cardNumber: CARD,
        expiryMonth: 12,
        expiryYear: 2030,
        pin: '',
      };
      const pk = `CREDENTIAL#${testKeyed.digest('credential', credentialIdentifier(credential))}`;

      // Act
      const items = await scanAll(tables.db, tables.names.customers);

      // Assess
      expect(items.find((item) => item.pk === pk)).toMatchObject({
        customerId: 'CUST-A',
        type: 'card',
        last4: '9855',
        expiryMonth: 12,
        expiryYear: 2030,
        status: 'active',
      });
    });

    it('hashes every PIN with argon2id at no less than m=19 MiB, t=2, p=1, each with its own salt', async () => {
      // Act
      const hashes = (await scanAll(tables.db, tables.names.customers))
        .filter((item) => String(item.pk).startsWith('CREDENTIAL#'))
        .map((item) => String(item.pinHash));

      // Assess
      expect(hashes).toHaveLength(4);
      for (const hash of hashes) {
        const [, type, , params] = hash.split('$');
        const cost = Object.fromEntries(
          String(params)
            .split(',')
            .map((p) => p.split('=')),
        );
        expect(type).toBe('argon2id');
        expect(Number(cost.m)).toBeGreaterThanOrEqual(19456);
        expect(Number(cost.t)).toBeGreaterThanOrEqual(2);
        expect(cost.p).toBe('1');
      }
      const salts = hashes.map((hash) => hash.split('$')[4]);
      expect(new Set(salts).size).toBe(4);
    });
  });

  describe('authenticate', () => {
    it('proves a card with its PIN and matching expiry', async () => {
      // Act
      const customer = await directory.authenticate({
        type: 'card',
        cardNumber: CARD,
        expiryMonth: 12,
        expiryYear: 2030,
        pin: PINS[0] as string,
      });

      // Assess
      expect(customer).toEqual({
        customerId: 'CUST-A',
        name: 'Tomás Mateos',
        cedula: '1710034065',
        identityNumbers: ['1710034065'],
        phone: '+593991234190',
        email: 'tmateos@example.com',
        registered: false,
      });
    });

    it('proves a virtual key and a company key (RUC with cédula)', async () => {
      // Act
      const person = await directory.authenticate({
        type: 'virtual-key',
        cedula: '1710034065',
        pin: PINS[2] as string,
      });
      const company = await directory.authenticate({
        type: 'company',
        ruc: '1790011674001',
        cedula: '0926687856',
        pin: PINS[3] as string,
      });

      // Assess
      expect(person?.customerId).toBe('CUST-A');
      expect(company).toMatchObject({
        customerId: 'CUST-B',
        registered: true,
        identityNumbers: ['0926687856', '1790011674001'],
      });
    });

    it.each<[string, Credential]>([
      ['a wrong PIN', { type: 'card', cardNumber: CARD, expiryMonth: 12, expiryYear: 2030, pin: '0000' }],
      [
        'an expiry that does not match',
        { type: 'card', cardNumber: CARD, expiryMonth: 11, expiryYear: 2030, pin: PINS[0] as string },
      ],
      [
        'a blocked card with its right PIN',
        { type: 'card', cardNumber: BLOCKED_CARD, expiryMonth: 1, expiryYear: 2032, pin: PINS[1] as string },
      ],
      [
        'an unknown card',
        {
          type: 'card',
          cardNumber: '4111111111111111',
          expiryMonth: 12,
          expiryYear: 2030,
          pin: PINS[0] as string,
        },
      ],
      ['a company key without its cédula', { type: 'company', ruc: '1790011674001', pin: PINS[3] as string }],
      ['an unknown cédula', { type: 'virtual-key', cedula: '0926687856', pin: PINS[3] as string }],
    ])('refuses %s with the same undefined, after one PIN verification', async (_, credential) => {
      // Prepare
      const before = hasher.verifies;

      // Act
      const customer = await directory.authenticate(credential);

      // Assess
      expect(customer).toBeUndefined();
      expect(hasher.verifies - before).toBe(1);
    });

    it('reads a customer by id, and nothing for an unknown one', async () => {
      expect(await directory.getCustomer('CUST-B')).toMatchObject({
        email: 'ana.ruiz@example.ec',
        registered: true,
      });
      expect(await directory.getCustomer('CUST-NONE')).toBeUndefined();
    });
  });
});

describe('parseDirectoryFile', () => {
  it('reads a valid file, gathering the identity numbers of each customer', () => {
    // Act
    const records = parseDirectoryFile(JSON.stringify(file));

    // Assess
    expect(records.map((r) => r.customer.identityNumbers)).toEqual([
      ['1710034065'],
      ['0926687856', '1790011674001'],
    ]);
    expect(records[1]?.customer.registered).toBe(true);
  });

  it('refuses a malformed file with a message naming the record and the field', () => {
    // Prepare
    const broken = structuredClone(file);
    (broken.customers[1]?.credentials[0] as { pin: string }).pin = '12a4';

    // Act
    const parse = () => parseDirectoryFile(JSON.stringify(broken), 'customers.json');

    // Assess
    expect(parse).toThrow(DirectoryFileError);
    expect(parse).toThrow(/customers\.json is malformed/);
    expect(parse).toThrow(/customer #2 \(CUST-B\), field credentials\.0\.pin: must be exactly four digits/);
  });

  it('names every broken field, including a card that fails Luhn and a bad phone', () => {
    // Prepare
    const broken = structuredClone(file);
    (broken.customers[0]?.credentials[0] as { cardNumber: string }).cardNumber = '4556737586899856';
    (broken.customers[0] as { phone: string }).phone = '0991234190';

    // Act
    const parse = () => parseDirectoryFile(JSON.stringify(broken));

    // Assess
    expect(parse).toThrow(
      /customer #1 \(CUST-A\), field credentials\.0\.cardNumber: must be 13-19 digits passing Luhn/,
    );
    expect(parse).toThrow(/customer #1 \(CUST-A\), field phone: must be an Ecuadorian mobile/);
  });

  it('refuses text that is not JSON, and a duplicate customer id', () => {
    // Prepare
    const duplicate = { customers: [file.customers[0], file.customers[0]] };

    // Act
    const notJson = () => parseDirectoryFile('{ customers: ', 'seed.json');
    const twice = () => parseDirectoryFile(JSON.stringify(duplicate));

    // Assess
    expect(notJson).toThrow(/seed\.json: not valid JSON/);
    expect(twice).toThrow(/customer #2 \(CUST-A\): duplicate customerId/);
  });
});
