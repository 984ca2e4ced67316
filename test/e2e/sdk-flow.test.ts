import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox?.stop());
const ios = JSON.parse(readFileSync(new URL('../fixtures/sdk/ios-example.json', import.meta.url), 'utf8'));

it('explore', async () => {
  const { api, admin } = sandbox;
  const login = await api('POST', '/api/v1/auth/login', { form: { username: admin.email, password: admin.password } });
  const developer = { authorization: `Bearer ${login.json.access_token}` };
  const key = (await api('POST', '/api/v1/developer/api-keys', { headers: developer, json: { name: 'b' } })).json.key;
  const k = { 'x-open-wearables-api-key': key };
  const user = (await api('POST', '/api/v1/users', { headers: k, json: {} })).json;
  const app = (await api('POST', '/api/v1/applications', { headers: developer, json: { name: 'm' } })).json;
  const tok = (await api('POST', `/api/v1/users/${user.id}/token`, { json: { app_id: app.app_id, app_secret: app.app_secret } })).json;
  const out: Record<string, unknown> = {};
  const log = (name: string, r: { status: number; json: unknown; text: string }) => { out[name] = { status: r.status, json: r.json ?? r.text }; };
  log('push', await api('POST', `/api/v1/sdk/users/${user.id}/sync`, { headers: { authorization: `Bearer ${tok.access_token}` }, json: ios }));
  log('push-bare', await api('POST', `/api/v1/sdk/users/${user.id}/sync`, { headers: { authorization: tok.access_token }, json: ios }));
  log('push-key', await api('POST', `/api/v1/sdk/users/${user.id}/sync`, { headers: k, json: ios }));
  const u = `/api/v1/users/${user.id}`;
  for (const p of [
    '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate',
    '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate&types=steps',
    '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate&resolution=5min',
    '/events/workouts?start_date=2026-03-01&end_date=2026-03-03',
    '/events/sleep?start_date=2026-03-01&end_date=2026-03-03',
    '/summaries/sleep?start_date=2026-03-01&end_date=2026-03-04',
    '/summaries/activity?start_date=2026-03-01&end_date=2026-03-04',
    '/summaries/data',
    '/data-sources',
  ]) log(p, await api('GET', u + p, { headers: k }));
  const { gzipSync } = await import('node:zlib');
  const sync = `/api/v1/sdk/users/${user.id}/sync`;
  const b = { authorization: `Bearer ${tok.access_token}` };
  log('gzip', await api('POST', sync, { headers: { ...b, 'content-type': 'application/json', 'content-encoding': 'gzip' }, raw: gzipSync(JSON.stringify(ios)) }));
  log('big', await api('POST', sync, { headers: { ...b, 'content-type': 'application/json' }, raw: JSON.stringify({ ...ios, pad: 'x'.repeat(6 * 1024 * 1024) }) }));
  log('fitbit', await api('POST', sync, { headers: b, json: { ...ios, provider: 'fitbit' } }));
  log('array', await api('POST', sync, { headers: b, json: [ios] }));
  log('dataarr', await api('POST', sync, { headers: b, json: { ...ios, data: [] } }));
  log('bad', await api('POST', sync, { headers: b, json: JSON.parse(readFileSync(new URL('../fixtures/sdk/bad-records.json', import.meta.url), 'utf8')) }));
  const other = (await api('POST', '/api/v1/users', { headers: k, json: {} })).json;
  const otok = (await api('POST', `/api/v1/users/${other.id}/token`, { json: { app_id: app.app_id, app_secret: app.app_secret } })).json;
  log('othertoken', await api('POST', sync, { headers: { authorization: `Bearer ${otok.access_token}` }, json: ios }));
  log('notoken', await api('POST', sync, { json: ios }));
  log('unknownuser', await api('POST', `/api/v1/sdk/users/00000000-0000-4000-8000-000000000000/sync`, { headers: k, json: ios }));
  log('unknownuser-notuuid', await api('POST', `/api/v1/sdk/users/nope/sync`, { headers: k, json: ios }));
  const w = (await api('GET', `/api/v1/users/${user.id}/events/workouts?start_date=2026-03-01&end_date=2026-03-03`, { headers: k })).json.data[0].id;
  log('delw', await api('DELETE', `/api/v1/users/${user.id}/events/workouts/${w}`, { headers: k }));
  log('delw2', await api('DELETE', `/api/v1/users/${user.id}/events/workouts/${w}`, { headers: k }));
  log('dels', await api('DELETE', `/api/v1/users/${user.id}/events/sleep/${w}`, { headers: k }));
  log('logs', await api('POST', `/api/v1/sdk/users/${user.id}/logs`, { headers: b, json: { sdkVersion: '0.6.0', provider: 'apple', events: [{ eventType: 'device_state', timestamp: '2026-03-02T07:15:04Z', batteryLevel: 0.8, batteryState: 'charging', isLowPowerMode: false }] } }));
  log('logs-empty', await api('POST', `/api/v1/sdk/users/${user.id}/logs`, { headers: b, json: { sdkVersion: '0.6.0', events: [] } }));
  log('logs-unknown', await api('POST', `/api/v1/sdk/users/${user.id}/logs`, { headers: b, json: { sdkVersion: '0.6.0', events: [{ eventType: 'nope', timestamp: '2026-03-02T07:15:04Z' }] } }));
  log('deluser', await api('DELETE', `/api/v1/users/${user.id}`, { headers: k }));
  log('getuser', await api('GET', `/api/v1/users/${user.id}`, { headers: k }));
  log('ts-after', await api('GET', `/api/v1/users/${user.id}/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate`, { headers: k }));
  log('sleep-after', await api('GET', `/api/v1/users/${user.id}/events/sleep?start_date=2026-03-01&end_date=2026-03-03`, { headers: k }));
  log('ds-after', await api('GET', `/api/v1/users/${user.id}/data-sources`, { headers: k }));
  log('sum-after', await api('GET', `/api/v1/users/${user.id}/summaries/data`, { headers: k }));
  log('push-after', await api('POST', sync, { headers: b, json: ios }));
  const seg = (stage: string, a: string, z: string) => ({ stage, startDate: a, endDate: z, source: { appId: 'x', deviceModel: 'Watch7,1' } });
  const env = (sleep: unknown[]) => ({ provider: 'apple', sdkVersion: '0.6.0', syncTimestamp: '2026-03-02T07:15:04Z', data: { sleep } });
  const p1 = [seg('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T07:00:00Z'), seg('light', '2026-03-01T22:30:00Z', '2026-03-01T23:00:00Z')];
  const p2 = [seg('rem', '2026-03-02T05:00:00Z', '2026-03-02T05:30:00Z')];
  for (const [name, pushes] of [['once', [[...p1, ...p2]]], ['split', [p1, p2]]] as const) {
    const uu = (await api('POST', '/api/v1/users', { headers: k, json: {} })).json;
    for (const pp of pushes) await api('POST', `/api/v1/sdk/users/${uu.id}/sync`, { headers: k, json: env(pp as unknown[]) });
    log(`probe-${name}`, await api('GET', `/api/v1/users/${uu.id}/events/sleep?start_date=2026-03-01&end_date=2026-03-03`, { headers: k }));
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync('/tmp/sdkflow/out.json', JSON.stringify(out, null, 1));
});
