import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueTokens } from '#shared/identity/tokens.js';
import { createUser } from '#shared/identity/users.js';
import { upsertConnection } from '#shared/store/connections.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { useLocalQueues } from '#test/helpers/local-queues.js';
import { handler } from '../../functions/users.js';

/** Issue 8 item 10: `GET /users/{id}` said `has_active_connection: false` while the list said `true`. */

useLocalQueues();
let apiKey: string;
let developerJwt: string;

beforeAll(async () => {
  apiKey = await testApiKey('users');
  const admin = await getDeveloperByEmail(process.env.ADMIN_EMAIL!);
  developerJwt = (
    await issueTokens({ token_type: 'developer', developer_id: admin!.id, credential_version: 0 })
  ).access_token;
});

async function call(
  method: string,
  path: string,
  json?: unknown,
  headers: Record<string, string> = { 'x-open-wearables-api-key': apiKey },
) {
  const result = (await handler(
    httpEvent(method, path, { headers, ...(json ? { json } : {}) }),
    lambdaContext('users'),
  )) as APIGatewayProxyStructuredResultV2;
  return JSON.parse(result.body ?? 'null');
}

describe('has_active_connection', () => {
  it('is the same on every user response', async () => {
    const user = await createUser({});
    const none = {
      provider_user_id: null,
      provider_username: null,
      scope: null,
      tokens: null,
      token_expires_at: null,
    };
    await upsertConnection(user.id, 'apple', none);
    const path = `/api/v1/users/${user.id}`;
    expect((await call('GET', path)).has_active_connection).toBe(true);
    const listed = (await call('GET', '/api/v1/users?limit=100')).items.find(
      (u: { id: string }) => u.id === user.id,
    );
    expect(listed.has_active_connection).toBe(true);
    const patched = await call(
      'PATCH',
      path,
      { first_name: 'Ada' },
      { authorization: `Bearer ${developerJwt}` },
    );
    expect(patched).toMatchObject({ first_name: 'Ada', has_active_connection: true });
    expect((await call('DELETE', path)).has_active_connection).toBe(true);
  });

  it('is false for a user without an active connection', async () => {
    const user = await createUser({});
    expect((await call('GET', `/api/v1/users/${user.id}`)).has_active_connection).toBe(false);
  });
});
