import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { expect, inject } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { QUEUES } from '#shared/jobs/queues.js';
import { DEFAULT_ADMIN_EMAIL, DEFAULT_ADMIN_PASSWORD } from '#shared/sandbox/config.js';
import { ensureTable } from '#shared/sandbox/dynamo.js';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from '#shared/sandbox/local-aws.js';

/** A table of its own for this test file, named after it for debugging, unique across runs and re-runs. */
function tableName(): string {
  const file = basename(expect.getState().testPath ?? 'test', '.ts').replace(/[^A-Za-z0-9_.-]/g, '-');
  return `test-${file.slice(0, 60)}-${randomUUID().slice(0, 8)}`;
}

const endpoint = inject('dynamoEndpoint');

Object.assign(process.env, {
  AWS_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  JWT_SECRET: 'test-only-jwt-signing-key-0123456789abcdefghij',
  TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  ADMIN_EMAIL: DEFAULT_ADMIN_EMAIL,
  ADMIN_PASSWORD: DEFAULT_ADMIN_PASSWORD,
  API_BASE_URL: 'http://localhost:8000',
  // The Fitbit Web API is gone (2026-11-02), but its fake still runs: tests connect to it.
  FITBIT_SUNSET: 'false',
  // Import routes presign against a bucket name; nothing is uploaded unless a test starts the sandbox.
  IMPORTS_BUCKET: 'imports',
  TABLE_NAME: tableName(),
  // Queue URLs parse, but nothing listens there: a test that really sends starts the sandbox (real local SQS).
  // The events queue is left unset (no emission) unless a test starts real queues.
  ...Object.fromEntries(
    Object.values(QUEUES)
      .filter((q) => q.urlVariable !== 'EVENTS_QUEUE_URL')
      .map((q) => [q.urlVariable, `http://127.0.0.1:9/${LOCAL_ACCOUNT_ID}/${q.name}`]),
  ),
});
for (const name of [
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'JWT_SECRET_ARN',
  'ADMIN_SECRET_ARN',
  'EVENTS_QUEUE_URL',
  'EVENT_BUS_EVENT_TYPES',
])
  delete process.env[name];

await ensureTable(endpoint, process.env.TABLE_NAME!);
resetEnvCache();
