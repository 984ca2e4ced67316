import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '#shared/identity/api-keys.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { createUser } from '#shared/identity/users.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';

/**
 * The reference's test_import_data.py against the sdk area without a bucket (contract 4.13): 503 "S3 client not
 * configured" once the user is known, 404 before, 401 without a key, 400 for an invalid payload.
 */

let headers: Record<string, string>;
const { handler } = await import('../../functions/sdk.js');

beforeAll(async () => {
  delete process.env.IMPORTS_BUCKET;
  await ensureAdminDeveloper();
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  headers = { 'x-open-wearables-api-key': (await createApiKey('imports', admin!.id)).key };
});

async function presign(userId: string, json: unknown, withKey = true) {
  const event = httpEvent('POST', `/api/v1/users/${userId}/import/apple/xml/s3`, {
    headers: withKey ? headers : {},
    json,
  });
  const result = (await handler(event, lambdaContext('sdk'))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(String(result.body)) };
}

describe('POST /users/{id}/import/apple/xml/s3 without a bucket', () => {
  it('answers the contract statuses', async () => {
    const user = await createUser({});
    expect(await presign(user.id, {})).toEqual({ status: 503, body: { detail: 'S3 client not configured' } });
    expect((await presign('no-such-user', {})).status).toBe(404);
    expect((await presign(user.id, {}, false)).status).toBe(401);
    const invalid = await presign(user.id, { max_file_size: 10 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.detail).toContain('1024');
  });
});
