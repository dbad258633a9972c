// `npm run start:explore`: the limits a developer trips when clicking through by hand are relaxed, printed
// in the banner, and still limits.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api } from '../support/api-client.ts';
import { type SpawnedStack, spawnStack } from '../support/spawn-stack.ts';

let stack: SpawnedStack;
let api: Api;

beforeAll(async () => {
  stack = await spawnStack({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    prefixLetter: 'x',
    args: ['--explore'],
  });
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

const unknownCard = {
  type: 'card',
  cardNumber: '4000000000000002',
  expiryMonth: 1,
  expiryYear: 2040,
  pin: '0000',
};
const demoCardWrongPin = {
  type: 'card',
  cardNumber: '5500000000000004',
  expiryMonth: 6,
  expiryYear: 2029,
  pin: '0000',
};

describe('npm run start:explore', () => {
  it('prints the relaxed limits in its banner', async () => {
    // The banner follows the first healthy answer, which is when spawnStack returns.
    for (let i = 0; i < 100 && !stack.output.some((line) => line.includes('Ctrl-C')); i++) {
      await new Promise((done) => setTimeout(done, 100));
    }
    const banner = stack.output.join('\n');
    expect(banner).toContain('Limits: RELAXED for local exploration');
    expect(banner).toContain('IDENTIFY_MAX_PER_IP_PER_MINUTE=100');
    expect(banner).toContain('PIN_LOCK_SECONDS=60');
  });

  it('lets one address make more step-1 calls than the production 10 a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await api.call('POST', '/v1/registrations', { body: unknownCard })).status);
    }
    expect(statuses.filter((status) => status === 429)).toEqual([]);
  });

  it('still locks a credential after three wrong PINs, for a minute instead of a day', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await api.call('POST', '/v1/registrations', { body: demoCardWrongPin })).status).toBe(401);
    }
    // The third wrong PIN locks, and says so with the wait.
    const locked = await api.call('POST', '/v1/registrations', { body: demoCardWrongPin });
    expect(locked.status).toBe(423);
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});
