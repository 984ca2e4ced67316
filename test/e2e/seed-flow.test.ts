import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * Seeds 000/001 end to end over HTTP, as an integrator backend and a mobile app would call the sandbox:
 * login -> API key -> user -> application -> user token -> refresh -> old refresh token rejected -> connections.
 */
let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox?.stop());

describe('integrator + mobile SDK flow', () => {
  it('works from login to connections', async () => {
    const { api, admin } = sandbox;

    const login = await api('POST', '/api/v1/auth/login', {
      form: { username: admin.email, password: admin.password },
    });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    const developer = { authorization: `Bearer ${login.json.access_token}` };

    const createdKey = await api('POST', '/api/v1/developer/api-keys', {
      headers: developer,
      json: { name: 'backend' },
    });
    expect(createdKey.status).toBe(201);
    expect(createdKey.json.key).toMatch(/^sk-[0-9a-f]{32}$/);
    const listed = await api('GET', '/api/v1/developer/api-keys', { headers: developer });
    expect(JSON.stringify(listed.json)).not.toContain(createdKey.json.key);
    const integrator = { 'x-open-wearables-api-key': createdKey.json.key };

    const user = await api('POST', '/api/v1/users', {
      headers: integrator,
      json: { email: 'jane@example.com', first_name: 'Jane' },
    });
    expect(user.status).toBe(201);
    expect(user.json).toMatchObject({ email: 'jane@example.com', first_name: 'Jane', last_name: null });
    const userId: string = user.json.id;

    const app = await api('POST', '/api/v1/applications', {
      headers: developer,
      json: { name: 'Mobile app' },
    });
    expect(app.status).toBe(201);
    expect(app.json.app_secret).toMatch(/^secret_[0-9a-f]{64}$/);
    const apps = await api('GET', '/api/v1/applications', { headers: developer });
    expect(apps.json).toEqual([
      { id: app.json.id, app_id: app.json.app_id, name: 'Mobile app', created_at: app.json.created_at },
    ]);

    // The integrator's backend exchanges app credentials for user tokens (no API key, no bearer).
    const token = await api('POST', `/api/v1/users/${userId}/token`, {
      json: { app_id: app.json.app_id, app_secret: app.json.app_secret },
    });
    expect(token.status).toBe(200);
    expect(Object.keys(token.json).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ]);
    expect(decodeJwt(token.json.access_token)).toMatchObject({
      sub: userId,
      scope: 'sdk',
      app_id: app.json.app_id,
    });

    // The SDK token is refused on integrator routes...
    const sdkOnApi = await api('GET', `/api/v1/users/${userId}`, {
      headers: { authorization: `Bearer ${token.json.access_token}` },
    });
    expect(sdkOnApi.status).toBe(401);

    // ...and the mobile app refreshes it (rotation).
    const refreshed = await api('POST', '/api/v1/token/refresh', {
      json: { refresh_token: token.json.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(token.json.refresh_token);
    expect(decodeJwt(refreshed.json.access_token)).toMatchObject({ sub: userId, scope: 'sdk' });

    // A second thread of the app presenting the same token moments later gets the same successor.
    const replayed = await api('POST', '/api/v1/token/refresh', {
      json: { refresh_token: token.json.refresh_token },
    });
    expect(replayed.status).toBe(200);
    expect(replayed.json.refresh_token).toBe(refreshed.json.refresh_token);

    const unknown = await api('POST', '/api/v1/token/refresh', {
      json: { refresh_token: `rt-${'0'.repeat(32)}` },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.json).toEqual({ detail: 'Invalid or revoked refresh token' });
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer');

    const connections = await api('GET', `/api/v1/users/${userId}/connections`, {
      headers: { 'X-API-Key': createdKey.json.key },
    });
    expect(connections.status).toBe(200);
    expect(connections.json).toEqual([]);
  });

  it('the user list pages with the offset envelope, sorts and searches', async () => {
    const { api } = sandbox;
    const login = await api('POST', '/api/v1/auth/login', {
      form: { username: sandbox.admin.email, password: sandbox.admin.password },
    });
    const developer = { authorization: `Bearer ${login.json.access_token}` };
    for (const name of ['Zed', 'Amy', 'Kim']) {
      await api('POST', '/api/v1/users', {
        headers: developer,
        json: { first_name: name, email: `${name.toLowerCase()}@list.test` },
      });
    }
    const page = await api(
      'GET',
      '/api/v1/users?search=list.test&sort_by=first_name&sort_order=asc&limit=2',
      { headers: developer },
    );
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({
      total: 3,
      page: 1,
      limit: 2,
      pages: 2,
      has_next: true,
      has_prev: false,
    });
    expect(page.json.items.map((u: { first_name: string }) => u.first_name)).toEqual(['Amy', 'Kim']);
    const next = await api(
      'GET',
      '/api/v1/users?search=list.test&sort_by=first_name&sort_order=asc&limit=2&page=2',
      { headers: developer },
    );
    expect(next.json.items.map((u: { first_name: string }) => u.first_name)).toEqual(['Zed']);
    const bad = await api('GET', '/api/v1/users?limit=101', { headers: developer });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ detail: 'Input should be less than or equal to 100' });
  });

  it('invitation codes onboard a mobile app without app credentials', async () => {
    const { api } = sandbox;
    const login = await api('POST', '/api/v1/auth/login', {
      form: { username: sandbox.admin.email, password: sandbox.admin.password },
    });
    const developer = { authorization: `Bearer ${login.json.access_token}` };
    const user = await api('POST', '/api/v1/users', { headers: developer, json: {} });
    const code = await api('POST', `/api/v1/users/${user.json.id}/invitation-code`, { headers: developer });
    expect(code.status).toBe(201);
    expect(code.json.code).toMatch(/^[A-Z2-9]{8}$/);
    const redeemed = await api('POST', '/api/v1/invitation-code/redeem', { json: { code: code.json.code } });
    expect(redeemed.status).toBe(200);
    expect(redeemed.json.user_id).toBe(user.json.id);
    expect(decodeJwt(redeemed.json.access_token).app_id).toMatch(/^invite:/);
    const again = await api('POST', '/api/v1/invitation-code/redeem', { json: { code: code.json.code } });
    expect(again).toMatchObject({ status: 404, json: { detail: 'Invalid or expired invitation code' } });
    const lower = await api('POST', '/api/v1/invitation-code/redeem', { json: { code: 'abcdefgh' } });
    expect(lower.status).toBe(400);
  });

  it('login failures are all the same 401', async () => {
    const { api } = sandbox;
    const forms: Record<string, string>[] = [
      { username: sandbox.admin.email, password: 'wrong-password' },
      { username: 'x@y.z', password: 'whatever1' },
      {},
    ];
    for (const form of forms) {
      const response = await api('POST', '/api/v1/auth/login', { form });
      expect(response.status).toBe(401);
      expect(response.json).toEqual({ detail: 'Incorrect email or password' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('serves the OpenAPI document and a docs page whose CSP lets its own Swagger UI load', async () => {
    const { api } = sandbox;
    const openapi = await api('GET', '/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.json.openapi).toBe('3.1.0');
    expect(openapi.json.paths['/api/v1/users/{user_id}/token'].post).toBeDefined();
    const docs = await api('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/sandbox|upgrade-insecure-requests|require-trusted-types/);
    const json = await api('GET', '/api/v1/users');
    expect(json.headers.get('content-security-policy')).toContain('sandbox');
  });
});
