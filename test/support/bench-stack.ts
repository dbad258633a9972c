// The local stack outside vitest, for the load run and the benchmarks: its own DynamoDB Local (in memory),
// then the stack spawned as `npm start` runs it. stop() ends both.
import { startDynamoDbLocal } from '../../bin/local/dynamodb-local.ts';
import { type SpawnedStack, spawnStack } from './spawn-stack.ts';

export interface BenchStack extends SpawnedStack {
  dynamodbEndpoint: string;
}

export async function startBenchStack(env: Record<string, string> = {}): Promise<BenchStack> {
  const dynamo = await startDynamoDbLocal();
  const killDynamo = () => {
    if (dynamo.process.exitCode === null) dynamo.process.kill('SIGKILL');
  };
  try {
    const stack = await spawnStack({
      dynamodbEndpoint: dynamo.endpoint,
      prefixLetter: 'b',
      env,
      onExit: killDynamo,
    });
    return {
      ...stack,
      dynamodbEndpoint: dynamo.endpoint,
      stop: async () => {
        await stack.stop();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}
