import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { EVENT_TYPES } from '#shared/delivery/catalogue.js';
import { createApiKey } from '#shared/identity/api-keys.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { endpointSecrets, getEndpoint, recordEndpointFailure } from '#shared/store/webhook-endpoints.js';
import { tableText } from '#test/helpers/table.js';
import { newUserId } from '#test/helpers/users.js';
import { call, ENDPOINTS, newDeveloper } from './api-client.js';

const URL_OK = 'https://hooks.example.com/open-wearables';
let alice: { id: string; token: string };
let bob: { id: string; token: string };

beforeAll(async () => {
  [alice, bob] = [await newDeveloper(), await newDeveloper()];
});

afterEach(() => {
  delete process.env.OUTGOING_WEBHOOKS_ENABLED;
  delete process.env.WEBHOOK_ALLOW_PRIVATE;
  resetEnvCache();
});

const create = (json: unknown, token = alice.token) => call('POST', ENDPOINTS, { token, json });

describe('endpoint CRUD', () => {
  it('creates (201), gets, lists, updates and deletes (204) an endpoint', async () => {
    const userId = await newUserId();
    const created = await create({
      url: URL_OK,
      description: 'prod',
      filter_types: ['workout.created', 'sleep.created'],
      user_id: userId,
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ep_[a-z2-7]{27}$/),
      url: URL_OK,
      description: 'prod',
      filter_types: ['workout.created', 'sleep.created'],
      user_id: userId,
      disabled: false,
      disabled_reason: null,
      created_at: expect.stringMatching(/Z$/),
    });
    const path = `${ENDPOINTS}/${created.body.id}`;
    expect(await call('GET', path, { token: alice.token })).toEqual({ status: 200, body: created.body });
    expect((await call('GET', ENDPOINTS, { token: alice.token })).body).toContainEqual(created.body);

    const patched = await call('PATCH', path, {
      token: alice.token,
      json: { description: 'staging', user_id: null, filter_types: [] },
    });
    expect(patched).toEqual({
      status: 200,
      body: { ...created.body, description: 'staging', user_id: null, filter_types: null },
    });
    expect((await call('PATCH', path, { token: alice.token, json: {} })).body).toEqual(patched.body);

    expect(await call('DELETE', path, { token: alice.token })).toEqual({ status: 204, body: undefined });
    expect((await call('GET', path, { token: alice.token })).status).toBe(404);
    expect((await call('DELETE', path, { token: alice.token })).status).toBe(404);
  });

  it('defaults: empty description, every event type, every user', async () => {
    const { status, body } = await create({ url: URL_OK });
    expect(status).toBe(201);
    expect(body).toMatchObject({ description: '', filter_types: null, user_id: null });
    expect(
      (await create({ url: URL_OK, description: null, filter_types: null, user_id: null })).body,
    ).toMatchObject({ description: '', filter_types: null, user_id: null });
  });

  it('dedupes filter types and accepts every catalogue name', async () => {
    const { body } = await create({ url: URL_OK, filter_types: [...EVENT_TYPES, 'workout.created'] });
    expect(body.filter_types).toEqual([...EVENT_TYPES]);
  });
});

describe('endpoint limit', () => {
  it('registers at most 50 endpoints per developer; deleting one makes room again', async () => {
    const carol = await newDeveloper();
    const made = [];
    for (let i = 0; i < 50; i++) made.push((await create({ url: URL_OK }, carol.token)).body);
    expect(made.every((endpoint) => endpoint.id)).toBe(true);
    expect(await create({ url: URL_OK }, carol.token)).toEqual({
      status: 400,
      body: { detail: 'Too many webhook endpoints (at most 50 per developer).' },
    });
    expect((await create({ url: URL_OK })).status).toBe(201);
    expect((await call('GET', ENDPOINTS, { token: carol.token })).body).toHaveLength(50);

    await call('DELETE', `${ENDPOINTS}/${made[0].id}`, { token: carol.token });
    expect((await call('DELETE', `${ENDPOINTS}/${made[0].id}`, { token: carol.token })).status).toBe(404);
    expect((await create({ url: URL_OK }, carol.token)).status).toBe(201);
    expect((await create({ url: URL_OK }, carol.token)).status).toBe(400);
  });

  it('holds under concurrent registrations', async () => {
    const dave = await newDeveloper();
    const answers = await Promise.all(Array.from({ length: 60 }, () => create({ url: URL_OK }, dave.token)));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(50);
    expect((await call('GET', ENDPOINTS, { token: dave.token })).body).toHaveLength(50);
  });
});

describe('owner isolation', () => {
  it("hides one developer's endpoints from another: list, get, patch, delete, secret, rotate, attempts, test", async () => {
    const { body: endpoint } = await create({ url: URL_OK });
    const path = `${ENDPOINTS}/${endpoint.id}`;
    expect((await call('GET', ENDPOINTS, { token: bob.token })).body).not.toContainEqual(endpoint);
    const notFound = { status: 404, body: { detail: `Endpoint with ID: ${endpoint.id} not found.` } };
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['GET', '/secret'],
      ['POST', '/secret/rotate'],
      ['GET', '/attempts'],
      ['POST', '/test'],
    ] as const) {
      const json = method === 'GET' || method === 'DELETE' ? undefined : {};
      expect(
        await call(method, `${path}${suffix}`, { token: bob.token, json }),
        `${method} ${suffix}`,
      ).toEqual(notFound);
    }
    expect((await call('GET', path, { token: alice.token })).body).toEqual(endpoint);
  });
});

describe('validation', () => {
  it.each([
    [{}, 'Field required'],
    [{ url: 'http://hooks.example.com/' }, 'Invalid endpoint URL: URL must use https.'],
    [
      { url: 'https://127.0.0.1/' },
      'Invalid endpoint URL: URL must not point to a private, loopback or link-local address.',
    ],
    [
      { url: 'https://169.254.169.254/latest' },
      'Invalid endpoint URL: URL must not point to a private, loopback or link-local address.',
    ],
    [{ url: 'https://localhost/' }, 'Invalid endpoint URL: URL must not point to a local host name.'],
    [{ url: 'https://u:p@hooks.example.com/' }, 'Invalid endpoint URL: URL must not contain credentials.'],
    [{ url: 'not a url' }, 'Invalid endpoint URL: URL must be absolute (scheme and host).'],
    [{ url: `https://hooks.example.com/${'a'.repeat(2_100)}` }, 'String should have at most 2048 characters'],
    [
      { url: URL_OK, filter_types: ['workout.created', 'nope.created'] },
      "Unknown event type: 'nope.created'.",
    ],
    [{ url: URL_OK, filter_types: 'workout.created' }, 'Input should be a valid list'],
    [{ url: URL_OK, user_id: 'not-a-uuid' }, 'Input should be a valid UUID'],
    [{ url: URL_OK, description: 'x'.repeat(1_025) }, 'String should have at most 1024 characters'],
  ])('refuses %j with 400', async (json, detail) => {
    expect(await create(json)).toEqual({ status: 400, body: { detail } });
  });

  it('refuses a user that does not exist (404) and checks PATCH fields the same way', async () => {
    const missing = '5b9a40f4-6a6e-4b3b-8f4e-6f1f3c0d9a11';
    expect(await create({ url: URL_OK, user_id: missing })).toEqual({
      status: 404,
      body: { detail: `User with ID: ${missing} not found.` },
    });
    const { body: endpoint } = await create({ url: URL_OK });
    const path = `${ENDPOINTS}/${endpoint.id}`;
    expect(
      (await call('PATCH', path, { token: alice.token, json: { url: 'http://x.example.com' } })).status,
    ).toBe(400);
    expect((await call('PATCH', path, { token: alice.token, json: { url: null } })).status).toBe(400);
    expect((await call('PATCH', path, { token: alice.token, json: { filter_types: ['x'] } })).status).toBe(
      400,
    );
    expect((await call('PATCH', path, { token: alice.token, json: { user_id: missing } })).status).toBe(404);
    expect((await call('GET', path, { token: alice.token })).body).toEqual(endpoint);
  });

  it('accepts http and private targets when WEBHOOK_ALLOW_PRIVATE=true (the sandbox)', async () => {
    process.env.WEBHOOK_ALLOW_PRIVATE = 'true';
    resetEnvCache();
    expect((await create({ url: 'http://localhost:4000/hook' })).status).toBe(201);
  });
});

describe('authentication and the on/off switch', () => {
  it('answers 401 without a developer token (API keys and SDK tokens do not count)', async () => {
    const { key } = await createApiKey('outgoing', alice.id);
    const sdk = (
      await issueTokens({
        token_type: 'sdk',
        user_id: await newUserId(),
        app_id: 'app_x',
        credential_version: 0,
      })
    ).access_token;
    expect((await call('GET', ENDPOINTS)).status).toBe(401);
    expect((await call('GET', ENDPOINTS, { headers: { 'x-open-wearables-api-key': key } })).status).toBe(401);
    expect(await call('GET', ENDPOINTS, { token: sdk })).toEqual({
      status: 401,
      body: { detail: 'SDK tokens cannot access this endpoint' },
    });
  });

  it('answers 503 on every DEV route when OUTGOING_WEBHOOKS_ENABLED=false, after authentication', async () => {
    const { body: endpoint } = await create({ url: URL_OK });
    process.env.OUTGOING_WEBHOOKS_ENABLED = 'false';
    resetEnvCache();
    const disabled = {
      status: 503,
      body: {
        detail:
          'Outgoing webhooks are not enabled (set OUTGOING_WEBHOOKS_ENABLED=true in the backend environment).',
      },
    };
    const path = `${ENDPOINTS}/${endpoint.id}`;
    expect(await call('GET', ENDPOINTS, { token: alice.token })).toEqual(disabled);
    expect(await create({ url: URL_OK })).toEqual(disabled);
    expect(await call('GET', path, { token: alice.token })).toEqual(disabled);
    expect(await call('GET', `${path}/secret`, { token: alice.token })).toEqual(disabled);
    expect(await call('POST', `${path}/test`, { token: alice.token })).toEqual(disabled);
    expect(await call('GET', '/api/v1/webhooks/messages', { token: alice.token })).toEqual(disabled);
    expect((await call('GET', ENDPOINTS)).status).toBe(401);
    expect((await call('GET', '/api/v1/webhooks/event-types')).status).toBe(200);
  });
});

describe('signing secret', () => {
  it('returns the current secret, sealed at rest, and rotation keeps the previous one signing for 24 hours', async () => {
    const { body: endpoint } = await create({ url: URL_OK });
    const path = `${ENDPOINTS}/${endpoint.id}`;
    const first = await call('GET', `${path}/secret`, { token: alice.token });
    expect(first).toEqual({
      status: 200,
      body: { key: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) },
    });
    expect(await tableText()).not.toContain(first.body.key.slice(6));

    expect(await call('POST', `${path}/secret/rotate`, { token: alice.token })).toEqual({
      status: 204,
      body: undefined,
    });
    const second = (await call('GET', `${path}/secret`, { token: alice.token })).body.key;
    expect(second).not.toBe(first.body.key);

    const stored = (await getEndpoint(endpoint.id))!;
    const now = Date.now();
    expect(await endpointSecrets(stored, now)).toEqual([second, first.body.key]);
    expect(await endpointSecrets(stored, now + 24 * 3_600_000 + 60_000)).toEqual([second]);
    expect(JSON.stringify(stored)).not.toContain(second.slice(6));
  });
});

describe('disabled endpoints', () => {
  it('shows why an endpoint was disabled, and PATCH disabled=false re-enables it', async () => {
    const { body: endpoint } = await create({ url: URL_OK });
    const start = Date.now();
    expect(await recordEndpointFailure(endpoint.id, start, 5)).toEqual({ disabled: false });
    expect(await recordEndpointFailure(endpoint.id, start + 5 * 86_400_000, 5)).toEqual({ disabled: true });
    const path = `${ENDPOINTS}/${endpoint.id}`;
    const shown = (await call('GET', path, { token: alice.token })).body;
    expect(shown).toMatchObject({
      disabled: true,
      disabled_reason: expect.stringMatching(/failed for 5 days/),
    });

    const enabled = await call('PATCH', path, { token: alice.token, json: { disabled: false } });
    expect(enabled.body).toMatchObject({ disabled: false, disabled_reason: null });
    expect((await getEndpoint(endpoint.id))?.failing_since).toBeUndefined();
  });
});
