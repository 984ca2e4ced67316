import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { writeSeries } from '#shared/ingest/persist.js';
import { upsertConnection } from '#shared/store/connections.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { sourceRef } from '#test/helpers/health-data.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';
import { healthConnectRound } from '#test/helpers/sdk-payloads.js';

/**
 * Issue 8 item 12: the newest reference splits `google` into `health_connect` (mobile SDK) and `google_health`
 * (cloud API). Pushes say either (every released Android SDK says `google`); both land as `health_connect`, and
 * data and connections stored as `google` before the split read as the Health Connect data they are.
 */

let sandbox: TestSandbox;
let headers: Record<string, string>;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  headers = { 'x-open-wearables-api-key': await testApiKey('health-connect') };
});
afterAll(() => sandbox.stop());

const T0 = Date.UTC(2026, 9, 3, 7);
const push = (userId: string, provider: string, start = T0) =>
  sandbox.api('POST', `/api/v1/sdk/users/${userId}/sync`, {
    headers,
    json: { ...healthConnectRound({ start, count: 10 }), provider },
  });
const get = async (path: string) => (await sandbox.api('GET', path, { headers })).json;
const heartRate = async (userId: string) =>
  get(
    `/api/v1/users/${userId}/timeseries?types=heart_rate&start_time=2026-10-01T00:00:00Z&end_time=2026-10-10T00:00:00Z&limit=100`,
  );

describe('health_connect and its alias google', () => {
  it('accepts both names on the push and reports health_connect in sources and connections', async () => {
    const user = await createUser({});
    expect((await push(user.id, 'health_connect')).status).toBe(202);
    expect((await push(user.id, 'google', T0 + 3_600_000)).status).toBe(202);

    const sources = (await get(`/api/v1/users/${user.id}/data-sources`)).items;
    expect(sources.map((s: { provider: string }) => s.provider)).toEqual(['health_connect']);
    const connections = await get(`/api/v1/users/${user.id}/connections`);
    expect(connections.map((c: { provider: string; status: string }) => [c.provider, c.status])).toEqual([
      ['health_connect', 'active'],
    ]);
    const series = await heartRate(user.id);
    expect(series.data).toHaveLength(20);
    expect(new Set(series.data.map((s: { source: { provider: string } }) => s.source.provider))).toEqual(
      new Set(['health_connect']),
    );
  });

  it('still refuses what is neither', async () => {
    const user = await createUser({});
    const answer = await push(user.id, 'google_fit');
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toBe(
      'Unsupported provider: google_fit. Supported: apple, samsung, health_connect, google',
    );
  });

  it('data and connection stored as google before the split continue as health_connect', async () => {
    const user = await createUser({});
    const legacy = toDataSource(
      user.id,
      sourceRef('google', 'Pixel Watch 2', 'com.google.android.apps.fitness'),
    );
    await saveDataSources(user.id, [legacy]);
    const earlier = Array.from({ length: 5 }, (_, i) => ({
      timestamp: T0 - 86_400_000 + i * 60_000,
      value: 61,
      zoneOffset: '+01:00',
      isDailyTotal: null,
    }));
    await writeSeries(user.id, [{ series: 'heart_rate', key: legacy.key, samples: earlier }]);
    const none = { provider_user_id: null, provider_username: null, scope: null, tokens: null };
    await upsertConnection(user.id, 'google', { ...none, token_expires_at: null });

    const before = (await get(`/api/v1/users/${user.id}/data-sources`)).items;
    expect(before).toMatchObject([{ id: legacy.id, provider: 'health_connect' }]);

    expect((await push(user.id, 'google')).status).toBe(202);
    const after = (await get(`/api/v1/users/${user.id}/data-sources`)).items;
    expect(after).toMatchObject([{ id: legacy.id, provider: 'health_connect' }]);
    expect((await heartRate(user.id)).data).toHaveLength(15);
    const connections = await get(`/api/v1/users/${user.id}/connections`);
    expect(connections.map((c: { provider: string }) => c.provider)).toEqual(['health_connect']);

    const removed = await sandbox.api('DELETE', `/api/v1/users/${user.id}/connections/health_connect/data`, {
      headers,
    });
    expect(removed.status).toBe(204);
    expect((await heartRate(user.id)).data).toEqual([]);
    expect((await get(`/api/v1/users/${user.id}/data-sources`)).items).toEqual([]);
  });
});
