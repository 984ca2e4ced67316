import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '#shared/api/index.js';
import { type FakePolar, startFakePolar } from '#test/fakes/polar.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { dates, type E2eSession, startE2eSession } from '#test/helpers/e2e-session.js';
import type { ApiRequest, ApiResponse } from '#test/helpers/sandbox.js';
import { expectConforms } from '#test/openapi/conformance.js';
import { samplePush } from '#test/openapi/sample-data.js';
import { ADMIN_WRITES, expectError, writeChecks } from '#test/openapi/write-checks.js';

/**
 * The writes of the document, in the order an integrator meets them, each answering its documented status and
 * body; then one real error of each documented kind, with its `{"detail"}` body.
 */

const DAY = 86_400_000;
/** Provider notifications need the provider's own signature; the provider e2e flows send them. */
const SIGNED_INGRESS = [
  'POST /api/v1/garmin/webhooks/push',
  'POST /api/v1/garmin/webhooks/ping',
  'POST /api/v1/oura/webhooks',
  'POST /api/v1/strava/webhooks',
  'POST /api/v1/strava/webhook',
];

let polar: FakePolar;
let sandbox: E2eSession;
const { checked, state, fill, send } = writeChecks(() => sandbox);

beforeAll(async () => {
  polar = await startFakePolar();
  sandbox = await startE2eSession({
    env: { ...fakeProviderEnv('POLAR', polar), OUTGOING_WEBHOOKS_ENABLED: 'true' },
  });
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await polar?.stop();
});

const dev = () => ({ headers: sandbox.bearer });
const key = () => ({ headers: sandbox.apiKey });
const firstId = async (segment: string) =>
  (await sandbox.get(`/api/v1/users/${state.user_id}/${segment}?${dates(0, Date.now() + DAY)}`)).data[0].id;

describe('documented errors answer {"detail"} with a documented status', () => {
  it('400, 401, 403, 404, 413, 429 and 501, each where the document lists it', async () => {
    const user = (await sandbox.api('POST', '/api/v1/users', { ...key(), json: {} })).json.id as string;
    const other = (await sandbox.api('POST', '/api/v1/users', { ...key(), json: {} })).json.id as string;
    const expectAt = async (operation: string, status: number, url: string, request: ApiRequest = {}) =>
      expectError(operation, await sandbox.api(operation.split(' ')[0]!, url, request), status);

    await expectAt(
      'GET /api/v1/users/{user_id}/timeseries',
      400,
      `/api/v1/users/${user}/timeseries?start_time=soon&end_time=later`,
      key(),
    );
    await expectAt('GET /api/v1/users', 401, '/api/v1/users');
    const sdkToken = (await sandbox.api('POST', `/api/v1/users/${user}/token`, dev())).json.access_token;
    await expectAt('POST /api/v1/sdk/users/{user_id}/sync', 403, `/api/v1/sdk/users/${other}/sync`, {
      headers: { authorization: `Bearer ${sdkToken}` },
      json: samplePush(),
    });
    await expectAt(
      'GET /api/v1/users/{user_id}',
      404,
      '/api/v1/users/00000000-0000-4000-8000-000000000000',
      key(),
    );
    const tooLarge = JSON.stringify({ first_name: 'x'.repeat(7 * 1024 * 1024) });
    await expectAt('POST /api/v1/users', 413, '/api/v1/users', {
      headers: { ...sandbox.apiKey, 'content-type': 'application/json' },
      raw: tooLarge,
    });
    await expectAt(
      'POST /api/v1/providers/{provider}/users/{user_id}/sync',
      501,
      `/api/v1/providers/apple/users/${user}/sync`,
      key(),
    );
    const wrong = { form: { username: 'nobody@example.com', password: 'not-the-password' } };
    let login = await sandbox.api('POST', '/api/v1/auth/login', wrong);
    for (let attempt = 0; attempt < 10 && login.status === 401; attempt++) {
      login = await sandbox.api('POST', '/api/v1/auth/login', wrong);
    }
    expectError('POST /api/v1/auth/login', login, 429);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('documented writes answer what the document says, over the sandbox', () => {
  it('signs in, creates and updates a user, takes an SDK push and its logs', async () => {
    const admin = { username: sandbox.admin.email, password: sandbox.admin.password };
    await send('POST /api/v1/auth/login', { form: admin });
    state.user_id = (await send('POST /api/v1/users', { ...key(), json: {} })).json.id;
    await send('PATCH /api/v1/users/{user_id}', { ...dev(), json: { last_name: 'Lovelace' } });
    await send('POST /api/v1/sdk/users/{user_id}/sync', { ...key(), json: samplePush() });
    const deviceState = { eventType: 'device_state', timestamp: new Date().toISOString(), batteryLevel: 0.8 };
    await send('POST /api/v1/sdk/users/{user_id}/logs', {
      ...key(),
      json: { sdkVersion: '0.14.0', provider: 'apple', events: [deviceState] },
    });
  });

  it('runs the SDK credentials: application, tokens, invitation code', async () => {
    const app = (await send('POST /api/v1/applications', { ...dev(), json: { name: 'Mobile' } })).json;
    state.app_id = app.app_id;
    const rotated = (await send('POST /api/v1/applications/{app_id}/rotate-secret', dev())).json;
    const credentials = { app_id: app.app_id, app_secret: rotated.app_secret };
    const tokens = (await send('POST /api/v1/users/{user_id}/token', { json: credentials })).json;
    const refreshed = (
      await send('POST /api/v1/token/refresh', { json: { refresh_token: tokens.refresh_token } })
    ).json;
    await send('POST /api/v1/token/revoke', { json: { refresh_token: refreshed.refresh_token } });
    const code = (await send('POST /api/v1/users/{user_id}/invitation-code', dev())).json.code;
    await send('POST /api/v1/invitation-code/redeem', { json: { code } });
    await send('DELETE /api/v1/applications/{app_id}', dev());
  });

  it('manages API keys', async () => {
    state.key_id = (
      await send('POST /api/v1/developer/api-keys', { ...dev(), json: { name: 'ci' } })
    ).json.id;
    await send('PATCH /api/v1/developer/api-keys/{key_id}', { ...dev(), json: { name: 'ci-2' } });
    state.key_id = (await send('POST /api/v1/developer/api-keys/{key_id}/rotate', dev())).json.id;
    await send('DELETE /api/v1/developer/api-keys/{key_id}', dev());
  });

  it('configures a provider, connects it, syncs, and manages its webhook subscription', async () => {
    state.provider = 'polar';
    await send('PUT /api/v1/oauth/providers/{provider}', { ...dev(), json: { is_enabled: true } });
    await send('PUT /api/v1/oauth/providers', { ...dev(), json: { providers: { polar: true } } });
    await sandbox.connect('polar', state.user_id!);
    await send('POST /api/v1/providers/{provider}/users/{user_id}/sync', key());
    await send('POST /api/v1/providers/{provider}/users/{user_id}/sync/historical', {
      ...key(),
      query: '?days=7',
    });

    const callback = encodeURIComponent(`${sandbox.url}/api/v1/providers/polar/webhooks`);
    await send('POST /api/v1/providers/{provider}/webhooks/subscriptions', {
      ...dev(),
      query: `?callback_url=${callback}`,
    });
    // Polar's PING on creation went through our ingress: its answer is the documented one.
    const ping = polar.webhooks.pings.at(-1)!;
    const answer = { status: ping.status, text: ping.response, json: JSON.parse(ping.response) };
    expectConforms('POST /api/v1/providers/{provider}/webhooks', {
      ...answer,
      headers: new Headers({ 'content-type': 'application/json' }),
    } satisfies ApiResponse);
    checked.add('POST /api/v1/providers/{provider}/webhooks');

    state.subscription_id = polar.webhooks.webhook!.id;
    await send('POST /api/v1/providers/{provider}/webhooks/subscriptions/renew', dev());
    await send('PUT /api/v1/providers/{provider}/webhooks/subscriptions/{subscription_id}', {
      ...dev(),
      query: `?callback_url=${callback}`,
    });
    state.subscription_id = polar.webhooks.webhook!.id;
    await send('DELETE /api/v1/providers/{provider}/webhooks/subscriptions/{subscription_id}', dev());
  });

  it('manages an outgoing webhook endpoint', async () => {
    const url = 'https://hooks.example.com/open-wearables';
    const created = await send('POST /api/v1/webhooks/endpoints', {
      ...dev(),
      json: { url, filter_types: ['connection.revoked'] },
    });
    state.endpoint_id = created.json.id;
    await send('PATCH /api/v1/webhooks/endpoints/{endpoint_id}', { ...dev(), json: { disabled: true } });
    await send('POST /api/v1/webhooks/endpoints/{endpoint_id}/secret/rotate', dev());
    await send('POST /api/v1/webhooks/endpoints/{endpoint_id}/test', { ...dev(), json: {} });
    await send('DELETE /api/v1/webhooks/endpoints/{endpoint_id}', dev());
  });

  it('deletes events, disconnects, signs out, erases the user, changes the password', async () => {
    state.workout_id = await firstId('events/workouts');
    await send('DELETE /api/v1/users/{user_id}/events/workouts/{workout_id}', key());
    state.sleep_id = await firstId('events/sleep');
    await send('DELETE /api/v1/users/{user_id}/events/sleep/{sleep_id}', key());
    state.cycle_id = '00000000-0000-4000-8000-000000000000';
    const missing = await sandbox.api(
      'DELETE',
      fill('/api/v1/users/{user_id}/events/menstrual-cycles/{cycle_id}'),
      key(),
    );
    expectError('DELETE /api/v1/users/{user_id}/events/menstrual-cycles/{cycle_id}', missing, 404);
    checked.add('DELETE /api/v1/users/{user_id}/events/menstrual-cycles/{cycle_id}');

    await send('DELETE /api/v1/users/{user_id}/connections/{provider}', key());
    state.provider = 'apple';
    await send('DELETE /api/v1/users/{user_id}/connections/{provider}/data', key());
    await send('PATCH /api/v1/auth/me', { ...dev(), json: {} });
    await send('POST /api/v1/auth/logout', dev());
    await send('DELETE /api/v1/users/{user_id}', key());
    const password = sandbox.admin.password;
    await send('POST /api/v1/auth/change-password', {
      ...dev(),
      json: { current_password: password, new_password: `${password}-2`, confirm_password: `${password}-2` },
    });
  });

  it('has checked every write of the document but the signed provider notifications and the admin writes', () => {
    const writes = allRoutes
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.path}`);
    expect([...checked, ...SIGNED_INGRESS, ...ADMIN_WRITES].sort()).toEqual(writes.sort());
  });
});
