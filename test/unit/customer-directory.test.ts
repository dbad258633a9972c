// The reference customer directory (SECURITY.md rules 1, 2, 6, 7): every failure is the same `undefined`
// after the same work, PINs are kept only as hashes and card numbers only as keyed HMAC and last four.
// The DynamoDB document client is replaced by a map behind `send`; storage itself is tested in integration.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { argon2Hasher } from '../../lambdas/adapters/argon2.ts';
import {
  DynamoCustomerDirectory,
  writeDirectory,
} from '../../lambdas/adapters/dynamodb/customer-directory.ts';
import { hmacKeyed } from '../../lambdas/adapters/primitives.ts';
import type { Hasher } from '../../lambdas/ports/system.ts';
import { FakeHasher, HMAC_TEST_KEY } from '../support/fakes.ts';

type Item = Record<string, unknown>;

/** A table in a map: GetCommand reads it, BatchWriteCommand fills it. */
function mapTable() {
  const items = new Map<string, Item>();
  const client = {
    send: async (command: { constructor: { name: string }; input: any }) => {
      if (command.constructor.name === 'GetCommand') return { Item: items.get(command.input.Key.pk) };
      if (command.constructor.name === 'BatchWriteCommand') {
        for (const requests of Object.values(command.input.RequestItems) as {
          PutRequest: { Item: Item };
        }[][]) {
          for (const { PutRequest } of requests) items.set(PutRequest.Item.pk as string, PutRequest.Item);
        }
        return {};
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  } as unknown as DynamoDBDocumentClient;
  return { items, client };
}

async function directoryWith<H extends Hasher = FakeHasher>(real?: H) {
  const { items, client } = mapTable();
  const keyed = hmacKeyed(HMAC_TEST_KEY);
  const hasher = (real ?? new FakeHasher()) as H & Partial<FakeHasher>;
  await writeDirectory(client, 'customers', keyed, hasher, [
    {
      customer: {
        customerId: 'CUST-001',
        name: 'Tomás Mateos',
        cedula: '1710034065',
        identityNumbers: ['1710034065'],
        phone: '+593991234190',
        email: 'tmateos@gmail.com',
        registered: false,
      },
      credentials: [
        { type: 'card', cardNumber: '4111111111111111', expiryMonth: 12, expiryYear: 2030, pin: '1234' },
        {
          type: 'card',
          cardNumber: '5555555555554444',
          expiryMonth: 1,
          expiryYear: 2031,
          pin: '2468',
          status: 'blocked',
        },
        { type: 'virtual-key', cedula: '1710034065', pin: '5678' },
      ],
    },
  ]);
  if (!real) hasher.hashes = 0;
  const directory = new DynamoCustomerDirectory(client, 'customers', {
    keyed: async () => keyed,
    hasher: async () => hasher,
  });
  return { items, hasher, directory };
}

const card = {
  type: 'card',
  cardNumber: '4111111111111111',
  expiryMonth: 12,
  expiryYear: 2030,
  pin: '1234',
} as const;

describe('the reference directory', () => {
  it('rule 1: the right card and PIN give the customer', async () => {
    // Prepare
    const { directory } = await directoryWith();

    // Act
    const customer = await directory.authenticate(card);

    // Assess
    expect(customer).toMatchObject({ customerId: 'CUST-001', phone: '+593991234190', registered: false });
  });

  it.each([
    ['an unknown card', { ...card, cardNumber: '4012888888881881' }],
    ['an expiry that does not match', { ...card, expiryYear: 2031 }],
    ['a wrong PIN', { ...card, pin: '4321' }],
    [
      'a blocked card with its right PIN',
      { ...card, cardNumber: '5555555555554444', expiryMonth: 1, expiryYear: 2031, pin: '2468' },
    ],
    ['an unknown cédula', { type: 'virtual-key', cedula: '0926687856', pin: '5678' }],
  ] as const)('rule 1: %s is undefined', async (_name, credential) => {
    // Prepare
    const { directory } = await directoryWith();

    // Act
    const customer = await directory.authenticate(credential);

    // Assess
    expect(customer).toBeUndefined();
  });

  it('rule 2: with the real argon2id, an unknown card, a wrong PIN and the right PIN take about the same time', async () => {
    // Prepare: the production hasher and cost; the dummy hash is made by a first call, as at cold start.
    const { directory } = await directoryWith(
      argon2Hasher(Buffer.alloc(32, 9), { memoryKiB: 19456, timeCost: 2 }),
    );
    await directory.authenticate(card);
    const cases = {
      unknown: { ...card, cardNumber: '4012888888881881' },
      wrongPin: { ...card, pin: '4321' },
      right: card,
    };
    const times: Record<keyof typeof cases, number[]> = { unknown: [], wrongPin: [], right: [] };

    // Act: interleaved, so a burst of load on the shared machine falls on every case alike.
    for (let round = 0; round < 5; round++) {
      for (const name of Object.keys(cases) as (keyof typeof cases)[]) {
        const began = performance.now();
        await directory.authenticate(cases[name]);
        times[name].push(performance.now() - began);
      }
    }

    // Assess: medians within a factor of 2 of each other (a skipped hash would be ~100x faster).
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const unknownToWrong = median(times.unknown) / median(times.wrongPin);
    const rightToWrong = median(times.right) / median(times.wrongPin);
    expect(unknownToWrong).toBeGreaterThan(0.5);
    expect(unknownToWrong).toBeLessThan(2);
    expect(rightToWrong).toBeGreaterThan(0.5);
    expect(rightToWrong).toBeLessThan(2);
  });

  it('rule 2: the dummy hash is made once per process, shared by every directory instance and made before the look-up', async () => {
    // Prepare: a handler may build a directory per request; the first call of a process pays the same either way
    const { directory, hasher } = await directoryWith();
    const another = new DynamoCustomerDirectory(
      (directory as any).db,
      'customers',
      (directory as any).secrets,
    );

    // Act
    await directory.authenticate(card);
    const hashesAfterKnownCard = hasher.hashes;
    await another.authenticate({ ...card, cardNumber: '4012888888881881' });

    // Assess
    expect(hashesAfterKnownCard).toBe(1);
    expect(hasher.hashes).toBe(1);
  });

  it('rules 6 and 7: the table holds no PIN and no card number, only PIN hashes, keyed HMACs and the last four', async () => {
    // Prepare
    const { items } = await directoryWith();

    // Act
    const stored = JSON.stringify([...items.values()]);
    const credentials = [...items.values()].filter((item) => String(item.pk).startsWith('CREDENTIAL#'));

    // Assess
    expect(stored).not.toContain('4111111111111111');
    expect(stored).not.toContain('5555555555554444');
    expect(stored).not.toMatch(/"pin"/);
    expect(credentials).toHaveLength(3);
    expect(
      credentials
        .map((c) => c.last4)
        .filter(Boolean)
        .sort(),
    ).toEqual(['1111', '4444']);
    expect(credentials.every((c) => String(c.pinHash).startsWith('fake$'))).toBe(true);
    expect(credentials.map((c) => c.pk)).toContain(
      `CREDENTIAL#${hmacKeyed(HMAC_TEST_KEY).digest('credential', 'card:4111111111111111')}`,
    );
  });
});
