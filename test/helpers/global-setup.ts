import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '#shared/sandbox/dynamo.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local shared by the whole run; each test file gets its own table (test-env.ts). */
    dynamoEndpoint: string;
  }
}

/** One in-memory DynamoDB Local for the run, killed at teardown (and with this process in any case). */
export default async function setup(project: TestProject) {
  // A JVM start: seconds when idle, much longer when the machine is busy (e.g. two test runs side by side).
  const dynamo = await startDynamoLocal({ readyTimeoutMs: 120_000 });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  return () => dynamo.stop();
}
