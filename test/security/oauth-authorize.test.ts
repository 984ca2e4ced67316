import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { createUser } from '#shared/identity/users.js';
import { createHttpApi, listenHttp } from '#shared/sandbox/http-server.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/oauth.js';

/**
 * Review finding 3: anyone could start a consent for any user id and get an open redirect to any redirect_uri
 * (a CR/LF in it crashed the sandbox).
 */

const SETTINGS = ['OAUTH_PUBLIC_AUTHORIZE', 'OAUTH_REDIRECT_ALLOWLIST'];
let apiKey: string;
let userId: string;

beforeAll(async () => {
  Object.assign(process.env, {
    FITBIT_CLIENT_ID: 'fitbit-id',
    FITBIT_CLIENT_SECRET: 'fitbit-secret',
  });
  resetEnvCache();
  apiKey = await testApiKey('oauth');
  userId = (await createUser({})).id;
});

afterEach(() => {
  for (const name of SETTINGS) delete process.env[name];
  resetEnvCache();
});

function settings(values: Record<string, string>) {
  Object.assign(process.env, values);
  resetEnvCache();
}

async function authorize(query: Record<string, string>, headers: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent('GET', '/api/v1/oauth/fitbit/authorize', { query: { user_id: userId, ...query }, headers }),
    lambdaContext('oauth'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

const withKey = () => ({ 'x-open-wearables-api-key': apiKey });

describe('GET /oauth/{provider}/authorize', () => {
  it('requires an API key or developer token', async () => {
    expect(await authorize({})).toEqual({
      status: 401,
      body: { detail: 'Authentication required: provide JWT token or API key' },
    });
    expect((await authorize({}, { 'x-open-wearables-api-key': apiKey })).status).toBe(200);
  });

  it.each([
    [
      'a CR/LF',
      'https://app.example.com/\r\nSet-Cookie: x=1',
      'redirect_uri must not contain control characters',
    ],
    ['a NUL', 'https://app.example.com/\u0000', 'redirect_uri must not contain control characters'],
    ['javascript:', 'javascript:alert(1)', 'redirect_uri must be an absolute http(s) URL'],
    ['a custom scheme', 'myapp://done', 'redirect_uri must be an absolute http(s) URL'],
    ['a relative path', '/done', 'redirect_uri must be an absolute http(s) URL'],
  ])('refuses a redirect_uri with %s', async (_name, redirect_uri, detail) => {
    expect(await authorize({ redirect_uri }, withKey())).toEqual({ status: 400, body: { detail } });
  });

  it('keeps the allow-list', async () => {
    settings({ OAUTH_REDIRECT_ALLOWLIST: 'https://app.example.com' });
    expect((await authorize({ redirect_uri: 'https://app.example.com/done' }, withKey())).status).toBe(200);
    expect((await authorize({ redirect_uri: 'https://evil.example.com/' }, withKey())).status).toBe(400);
  });

  it("OAUTH_PUBLIC_AUTHORIZE=true restores the reference's public form, only with an allow-list", async () => {
    settings({ OAUTH_PUBLIC_AUTHORIZE: 'true' });
    expect((await authorize({})).status).toBe(500);
    settings({ OAUTH_PUBLIC_AUTHORIZE: 'true', OAUTH_REDIRECT_ALLOWLIST: 'https://app.example.com' });
    expect((await authorize({ redirect_uri: 'https://app.example.com/done' })).status).toBe(200);
    expect((await authorize({ redirect_uri: 'https://evil.example.com/' })).status).toBe(400);
  });
});

describe('the sandbox gateway', () => {
  it('answers 500 to a handler response header HTTP cannot carry, and keeps serving', async () => {
    let calls = 0;
    const listener = await listenHttp(
      0,
      '127.0.0.1',
      createHttpApi({
        routes: [{ method: 'GET', path: '/x', area: 'a' }],
        fallbackArea: 'a',
        handlers: {
          a: async () => ({
            statusCode: 303,
            headers: { location: calls++ === 0 ? 'https://a/\r\nX: 1' : '/ok' },
          }),
        },
        onError: () => {},
      }),
    );
    try {
      const base = `http://127.0.0.1:${listener.port}/x`;
      expect((await fetch(base, { redirect: 'manual' })).status).toBe(500);
      expect((await fetch(base, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await listener.close();
    }
  });
});
