// The local stack for the tests: spawned as `npm start` runs it, against the test run's DynamoDB Local
// (tables of its own), with the per-address limit raised because 127.0.0.1 is every test's address.
import { inject } from 'vitest';
import { type SpawnedStack, spawnStack } from './spawn-stack.ts';

export type RunningStack = SpawnedStack;

export function startLocalStack(env: Record<string, string> = {}): Promise<RunningStack> {
  return spawnStack({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    prefixLetter: 't',
    env: { IDENTIFY_MAX_PER_IP_PER_MINUTE: '500', ...env },
  });
}
