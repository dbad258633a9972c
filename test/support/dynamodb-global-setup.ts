// One real DynamoDB Local for the whole run (storage is never mocked); each test file uses tables of its own.
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../bin/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // A DynamoDB Local already running (started by hand on a loaded machine) may be named instead.
  const given = process.env.TEST_DYNAMODB_ENDPOINT;
  if (given) {
    project.provide('dynamodbEndpoint', given);
    return () => undefined;
  }
  // On a loaded shared machine the JVM can miss the start deadline once: try again before giving up.
  let dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
  for (let attempt = 1; !dynamo; attempt++) {
    try {
      dynamo = await startDynamoDbLocal();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
