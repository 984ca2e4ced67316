import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';

/**
 * The mobile SDK pushes over HTTP and the integrator reads back what it pushed, against the sandbox:
 * admin login -> API key -> user -> application -> SDK tokens -> `POST /sdk/users/{id}/sync` -> read API,
 * event deletion, GDPR erasure and the SDK's diagnostic logs.
 */

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/sdk/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const ios = fixture('ios-example');

/** The UploadDataResponse of an accepted push. */
const accepted = (userId: string, counts: Record<string, number>) => ({
  status_code: 202,
  response: 'Import task queued successfully',
  user_id: userId,
  ...counts,
});
/** What the contract 6.5 example saves the first time... */
const SAVED = { records_saved: 4, workouts_saved: 1, sleep_saved: 5, dropped_count: 0 };
/** ...and every time after: the workout already exists. */
const SAVED_AGAIN = { ...SAVED, workouts_saved: 0 };

const APPLE_WATCH = {
  provider: 'apple',
  source: 'Apple Watch',
  device: 'Watch7,1',
  device_type: 'watch',
  device_name: 'Apple Watch Series 9',
};
/** The example's sleep segments name their source by app id only (no device name). */
const APPLE_WATCH_SLEEP = { ...APPLE_WATCH, source: 'com.apple.health.6D1B…' };
const IPHONE = {
  provider: 'apple',
  source: 'com.apple.health.9C0E…',
  device: 'iPhone15,2',
  device_type: 'phone',
  device_name: 'iPhone 14 Pro',
};

const NO_MORE_PAGES = { next_cursor: null, previous_cursor: null, has_more: false };

let sandbox: TestSandbox;
/** The integrator's backend credential. */
let apiKey: Record<string, string>;
let appCredentials: { app_id: string; app_secret: string };

beforeAll(async () => {
  sandbox = await startTestSandbox();
  const { api, admin } = sandbox;
  const login = await api('POST', '/api/v1/auth/login', {
    form: { username: admin.email, password: admin.password },
  });
  expect(login.status).toBe(200);
  const developer = { authorization: `Bearer ${login.json.access_token}` };
  const key = await api('POST', '/api/v1/developer/api-keys', {
    headers: developer,
    json: { name: 'backend' },
  });
  expect(key.status).toBe(201);
  apiKey = { 'x-open-wearables-api-key': key.json.key };
  const app = await api('POST', '/api/v1/applications', { headers: developer, json: { name: 'Mobile app' } });
  expect(app.status).toBe(201);
  appCredentials = { app_id: app.json.app_id, app_secret: app.json.app_secret };
});
afterAll(() => sandbox?.stop());

/** A new user and the SDK access token the integrator's backend gets for it with the app credentials. */
async function newUser(): Promise<{ id: string; token: string }> {
  const user = await sandbox.api('POST', '/api/v1/users', { headers: apiKey, json: {} });
  expect(user.status).toBe(201);
  const token = await sandbox.api('POST', `/api/v1/users/${user.json.id}/token`, { json: appCredentials });
  expect(token.status).toBe(200);
  return { id: user.json.id, token: token.json.access_token };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const syncPath = (userId: string) => `/api/v1/sdk/users/${userId}/sync`;
const push = (userId: string, headers: Record<string, string>, body: unknown = ios) =>
  sandbox.api('POST', syncPath(userId), { headers, json: body });
const read = (userId: string, path: string) =>
  sandbox.api('GET', `/api/v1/users/${userId}${path}`, { headers: apiKey });

const HEART_RATE = '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate';
const WORKOUTS = '/events/workouts?start_date=2026-03-01&end_date=2026-03-03';
const SLEEP = '/events/sleep?start_date=2026-03-01&end_date=2026-03-03';
const READS = [
  HEART_RATE,
  '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate&types=steps',
  '/timeseries?start_time=2026-03-01&end_time=2026-03-03&types=heart_rate&resolution=5min',
  WORKOUTS,
  SLEEP,
  '/summaries/sleep?start_date=2026-03-01&end_date=2026-03-04',
  '/summaries/activity?start_date=2026-03-01&end_date=2026-03-04',
  '/summaries/data',
  '/data-sources',
];

/** Every read of the integrator API, for comparing a user's data before and after a push. */
async function readEverything(userId: string) {
  const responses = await Promise.all(READS.map((path) => read(userId, path)));
  return Object.fromEntries(READS.map((path, i) => [path, [responses[i]!.status, responses[i]!.json]]));
}

describe('a push of the contract 6.5 example, read back by the integrator', () => {
  let user: { id: string; token: string };
  let firstPush: Awaited<ReturnType<typeof push>>;
  let afterFirstPush: Awaited<ReturnType<typeof readEverything>>;

  beforeAll(async () => {
    user = await newUser();
    firstPush = await push(user.id, bearer(user.token));
    afterFirstPush = await readEverything(user.id);
  });

  it('is accepted with the SDK bearer token and reports what it saved', () => {
    expect(firstPush.status).toBe(202);
    expect(firstPush.json).toEqual(accepted(user.id, SAVED));
  });

  it('a re-push with a bare token (iOS SDK) or with the API key is accepted and changes nothing', async () => {
    const bare = await push(user.id, { authorization: user.token });
    expect(bare.status).toBe(202);
    expect(bare.json).toEqual(accepted(user.id, SAVED_AGAIN));
    const withKey = await push(user.id, apiKey);
    expect(withKey.status).toBe(202);
    expect(withKey.json).toEqual(accepted(user.id, SAVED_AGAIN));
    const again = await push(user.id, { 'x-api-key': apiKey['x-open-wearables-api-key']! });
    expect(again.json).toEqual(accepted(user.id, SAVED_AGAIN));
    expect(await readEverything(user.id)).toEqual(afterFirstPush);
  });

  it('time series: the heart-rate sample with its source metadata', async () => {
    const { status, json } = await read(user.id, HEART_RATE);
    expect(status).toBe(200);
    expect(json).toEqual({
      data: [
        {
          timestamp: '2026-03-02T06:58:10Z',
          zone_offset: null,
          type: 'heart_rate',
          value: 58,
          unit: 'bpm',
          source: APPLE_WATCH,
          is_daily_total: null,
        },
      ],
      pagination: { ...NO_MORE_PAGES, total_count: 1 },
      // a date-only end includes that whole day
      metadata: {
        resolution: 'raw',
        sample_count: 1,
        start_time: '2026-03-02T00:00:00Z',
        end_time: '2026-03-04T00:00:00Z',
      },
    });
  });

  it('time series: several types as a repeated parameter, ascending by time', async () => {
    const { status, json } = await read(
      user.id,
      '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate&types=steps',
    );
    expect(status).toBe(200);
    expect(json.data).toEqual([
      {
        timestamp: '2026-03-02T06:50:00Z',
        zone_offset: '+01:00',
        type: 'steps',
        value: 412,
        unit: 'count',
        source: IPHONE,
        is_daily_total: false,
      },
      {
        timestamp: '2026-03-02T06:58:10Z',
        zone_offset: null,
        type: 'heart_rate',
        value: 58,
        unit: 'bpm',
        source: APPLE_WATCH,
        is_daily_total: null,
      },
    ]);
    expect(json.pagination).toEqual({ ...NO_MORE_PAGES, total_count: 2 });
  });

  it('time series: an aggregated resolution is echoed in the metadata', async () => {
    const { status, json } = await read(
      user.id,
      '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate&resolution=5min',
    );
    expect(status).toBe(200);
    expect(json.metadata).toMatchObject({ resolution: '5min', sample_count: 1 });
    expect(json.data).toEqual([
      expect.objectContaining({ timestamp: '2026-03-02T06:55:00Z', type: 'heart_rate', value: 58 }),
    ]);
  });

  it('workouts: the run', async () => {
    const { status, json } = await read(user.id, WORKOUTS);
    expect(status).toBe(200);
    expect(json).toEqual({
      data: [
        {
          id: expect.any(String),
          type: 'running',
          name: null,
          start_time: '2026-03-01T16:02:11Z',
          end_time: '2026-03-01T16:49:40Z',
          zone_offset: '+01:00',
          duration_seconds: 2849,
          source: APPLE_WATCH,
          calories_kcal: 574.1,
          distance_meters: 8123.4,
          avg_heart_rate_bpm: 152,
          max_heart_rate_bpm: 178,
          avg_pace_sec_per_km: 350.7,
          elevation_gain_meters: 48,
        },
      ],
      pagination: { ...NO_MORE_PAGES, total_count: 1 },
      metadata: {
        resolution: null,
        sample_count: 1,
        start_time: '2026-03-01T00:00:00Z',
        end_time: '2026-03-03T00:00:00Z',
      },
    });
  });

  const STAGE_INTERVALS = [
    { stage: 'light', start_time: '2026-03-01T22:55:00Z', end_time: '2026-03-01T23:40:00Z' },
    { stage: 'deep', start_time: '2026-03-01T23:40:00Z', end_time: '2026-03-02T00:35:00Z' },
    { stage: 'rem', start_time: '2026-03-02T00:35:00Z', end_time: '2026-03-02T01:10:00Z' },
    { stage: 'awake', start_time: '2026-03-02T01:10:00Z', end_time: '2026-03-02T01:16:00Z' },
  ];
  const STAGES = { awake_minutes: 6, light_minutes: 45, deep_minutes: 55, rem_minutes: 35 };

  it('sleep: the five segments are one session, 22:55 to 01:16', async () => {
    const { status, json } = await read(user.id, SLEEP);
    expect(status).toBe(200);
    expect(json.data).toEqual([
      {
        id: expect.any(String),
        start_time: '2026-03-01T22:55:00Z',
        end_time: '2026-03-02T01:16:00Z',
        zone_offset: '+01:00',
        source: APPLE_WATCH_SLEEP,
        duration_seconds: 8460,
        sleep_duration_seconds: 8100,
        efficiency_percent: 30.41,
        stages: STAGES,
        sleep_stage_intervals: STAGE_INTERVALS,
        is_nap: false,
      },
    ]);
    expect(json.pagination).toEqual({ ...NO_MORE_PAGES, total_count: 1 });
  });

  it('sleep summary: the night, dated by its wake-up day', async () => {
    const { status, json } = await read(
      user.id,
      '/summaries/sleep?start_date=2026-03-01&end_date=2026-03-04',
    );
    expect(status).toBe(200);
    expect(json.data).toEqual([
      {
        date: '2026-03-02',
        source: APPLE_WATCH_SLEEP,
        start_time: '2026-03-01T22:55:00Z',
        end_time: '2026-03-02T01:16:00Z',
        zone_offset: '+01:00',
        duration_minutes: 135,
        total_duration_minutes: 135,
        time_in_bed_minutes: 444,
        efficiency_percent: 30.41,
        stages: STAGES,
        interruptions_count: 0,
        nap_count: 0,
        nap_duration_minutes: 0,
        sessions: [
          {
            start_time: '2026-03-01T22:55:00Z',
            end_time: '2026-03-02T01:16:00Z',
            zone_offset: '+01:00',
            duration_minutes: 135,
            is_nap: false,
          },
        ],
        avg_heart_rate_bpm: null,
        avg_hrv_sdnn_ms: null,
        avg_hrv_rmssd_ms: null,
        avg_respiratory_rate: null,
        avg_spo2_percent: null,
      },
    ]);
  });

  it('activity summary: a row per local day, each field from the best source that has it', async () => {
    const { status, json } = await read(
      user.id,
      '/summaries/activity?start_date=2026-03-01&end_date=2026-03-04',
    );
    expect(status).toBe(200);
    expect(json.data).toEqual([
      expect.objectContaining({ date: '2026-03-01', source: APPLE_WATCH, elevation_meters: 48 }),
      // steps from the iPhone (which names the row), heart rate from the Watch
      expect.objectContaining({
        date: '2026-03-02',
        source: IPHONE,
        steps: 412,
        heart_rate: { avg_bpm: 58, max_bpm: 58, min_bpm: 58 },
      }),
    ]);
  });

  it('data summary: what was ingested, by type and provider', async () => {
    const { status, json } = await read(user.id, '/summaries/data');
    expect(status).toBe(200);
    const seriesCounts = { heart_rate: 1, running_stride_length: 1, steps: 1, weight: 1 };
    expect(json).toEqual({
      user_id: user.id,
      total_data_points: 4,
      total_workouts: 1,
      total_sleep_events: 1,
      series_type_counts: seriesCounts,
      workout_type_counts: { running: 1 },
      by_provider: [
        {
          provider: 'apple',
          data_points: 4,
          series_counts: seriesCounts,
          workout_count: 1,
          sleep_count: 1,
        },
      ],
      has_womens_health_data: false,
    });
  });

  it('data sources: the Apple Watch, the iPhone and the Withings app are separate sources', async () => {
    const { status, json } = await read(user.id, '/data-sources');
    expect(status).toBe(200);
    const source = (fields: Record<string, unknown>) => ({
      id: expect.any(String),
      user_id: user.id,
      provider: 'apple',
      user_connection_id: null,
      software_version: null,
      original_source_name: null,
      ...fields,
    });
    expect(json.items).toEqual(
      expect.arrayContaining([
        source({
          device_model: 'Watch7,1',
          source: 'Apple Watch',
          device_type: 'watch',
          display_name: 'Apple - Watch7,1',
        }),
        source({
          device_model: 'iPhone15,2',
          source: 'com.apple.health.9C0E…',
          device_type: 'phone',
          display_name: 'Apple - iPhone15,2',
        }),
        source({
          device_model: null,
          source: 'Health Mate',
          device_type: 'unknown',
          original_source_name: 'Health Mate',
          display_name: 'Apple - Health Mate',
        }),
      ]),
    );
    // The fourth: the watch again under its app id, as the example's sleep segments name it (no device name).
    expect(json.items).toContainEqual(
      source({
        device_model: 'Watch7,1',
        source: 'com.apple.health.6D1B…',
        device_type: 'watch',
        display_name: 'Apple - Watch7,1',
      }),
    );
    expect(json.total).toBe(4);
    expect(json.items).toHaveLength(4);
    expect(new Set(json.items.map((item: { id: string }) => item.id)).size).toBe(4);
  });
});

describe('what the sync endpoint accepts and refuses', () => {
  let user: { id: string; token: string };
  beforeAll(async () => {
    user = await newUser();
  });

  it('accepts a gzip body', async () => {
    const gzipUser = await newUser();
    const { status, json } = await sandbox.api('POST', syncPath(gzipUser.id), {
      headers: { ...bearer(gzipUser.token), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      raw: gzipSync(JSON.stringify(ios)),
    });
    expect(status).toBe(202);
    expect(json).toEqual(accepted(gzipUser.id, SAVED));
    expect((await read(gzipUser.id, WORKOUTS)).json.data).toHaveLength(1);
  });

  it('refuses a body over 6 MB with 413, naming the limit', async () => {
    const { status, json } = await sandbox.api('POST', syncPath(user.id), {
      headers: { ...bearer(user.token), 'content-type': 'application/json' },
      raw: JSON.stringify({ ...ios, padding: 'x'.repeat(6 * 1024 * 1024) }),
    });
    expect(status).toBe(413);
    expect(json).toEqual({ detail: 'Request body too large: the limit is 6291456 bytes (6 MB)' });
  });

  it('refuses a provider the SDK does not have', async () => {
    const { status, json } = await push(user.id, bearer(user.token), { ...ios, provider: 'fitbit' });
    expect(status).toBe(400);
    expect(json).toEqual({
      detail: 'Unsupported provider: fitbit. Supported: apple, samsung, health_connect, google',
    });
  });

  it('refuses a JSON array body', async () => {
    const { status, json } = await push(user.id, bearer(user.token), [ios]);
    expect(status).toBe(400);
    expect(json).toEqual({ detail: 'Input should be a valid dictionary or object' });
  });

  it('refuses a broken envelope', async () => {
    const { status, json } = await push(user.id, bearer(user.token), { ...ios, data: [] });
    expect(status).toBe(400);
    expect(json).toEqual({ detail: expect.any(String) });
  });

  it('saves the good records of a payload mixing good and bad ones and counts the dropped', async () => {
    const mixed = await newUser();
    const { status, json } = await push(mixed.id, bearer(mixed.token), fixture('bad-records'));
    expect(status).toBe(202);
    expect(json).toMatchObject({ status_code: 202, user_id: mixed.id });
    expect(json.dropped_count).toBeGreaterThan(0);
    expect(json.records_saved).toBeGreaterThan(0);

    const series = await read(
      mixed.id,
      '/timeseries?start_time=2026-03-02&end_time=2026-03-03&types=heart_rate&types=weight',
    );
    expect(series.json.data.map((s: { type: string; value: number }) => [s.type, s.value])).toEqual([
      ['weight', 72.5],
      ['heart_rate', 60],
    ]);
    const workouts = await read(mixed.id, WORKOUTS);
    expect(workouts.json.data).toContainEqual(expect.objectContaining({ type: 'walking' }));
  });

  it("refuses another user's SDK token with 403", async () => {
    const other = await newUser();
    const { status, json } = await push(user.id, bearer(other.token));
    expect(status).toBe(403);
    expect(json).toEqual({ detail: 'Token does not match user_id' });
  });

  it('refuses an expired or absent token with 401', async () => {
    const expired = await new SignJWT({ scope: 'sdk', app_id: appCredentials.app_id })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(process.env.JWT_SECRET));
    const authRequired = { detail: 'Authentication required: provide SDK token or API key' };
    for (const headers of [bearer(expired), { authorization: expired }, {}]) {
      const { status, json } = await push(user.id, headers);
      expect(status).toBe(401);
      expect(json).toEqual(authRequired);
    }
    expect((await read(user.id, '/summaries/data')).json.total_data_points).toBe(0);
  });

  it('answers 404 for a push to an unknown user with the API key', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const { status, json } = await push(unknown, apiKey);
    expect(status).toBe(404);
    expect(json).toEqual({ detail: `User with ID: ${unknown} not found.` });
  });
});

describe('one night sent in several pushes', () => {
  const segment = (stage: string, startDate: string, endDate: string) => ({
    stage,
    startDate,
    endDate,
    zoneOffset: '+01:00',
    source: { appId: 'com.apple.health', deviceModel: 'Watch7,1' },
  });
  const sleepPush = (sleep: unknown[]) => ({ ...ios, data: { sleep } });
  async function nightsAfter(pushes: unknown[][]) {
    const user = await newUser();
    for (const sleep of pushes) expect((await push(user.id, apiKey, sleepPush(sleep))).status).toBe(202);
    const { json } = await read(user.id, SLEEP);
    return json.data.map(({ id: _id, ...night }: { id: string }) => night);
  }

  it('the example night pushed in parts, in any order, with a re-delivery, is the one-push night', async () => {
    const segments = (ios.data as { sleep: unknown[] }).sleep;
    const atOnce = await nightsAfter([segments]);
    expect(atOnce).toHaveLength(1);
    const parts = [segments.slice(3), segments.slice(0, 2), segments.slice(2, 3), segments.slice(3)];
    expect(await nightsAfter(parts)).toEqual(atOnce);
  });

  // Product bug (shared/ingest/sleep-sessions.ts, nearbyNights): stored nights are matched to new segments by the
  // event's stage window (start/end of the cleaned timeline), not by their raw segments, so a later segment inside
  // the stored night's in-bed envelope but more than the gap after its last stage starts a second night.
  it('a later segment inside the in-bed envelope of a stored night joins that night', async () => {
    const envelope = [
      segment('in_bed', '2026-03-01T22:00:00Z', '2026-03-02T07:00:00Z'),
      segment('light', '2026-03-01T22:30:00Z', '2026-03-01T23:00:00Z'),
    ];
    const later = [segment('rem', '2026-03-02T05:00:00Z', '2026-03-02T05:30:00Z')];
    const atOnce = await nightsAfter([[...envelope, ...later]]);
    expect(atOnce).toEqual([
      expect.objectContaining({ start_time: '2026-03-01T22:30:00Z', end_time: '2026-03-02T05:30:00Z' }),
    ]);
    expect(await nightsAfter([envelope, later])).toEqual(atOnce);
  });
});

describe('deleting a workout', () => {
  it('204, then 404; the sleep path does not delete a workout', async () => {
    const user = await newUser();
    await push(user.id, bearer(user.token));
    const [workout] = (await read(user.id, WORKOUTS)).json.data;
    const path = (kind: string) => `/api/v1/users/${user.id}/events/${kind}/${workout.id}`;

    const asSleep = await sandbox.api('DELETE', path('sleep'), { headers: apiKey });
    expect(asSleep.status).toBe(404);
    expect(asSleep.json).toEqual({ detail: 'Sleep session not found' });
    expect((await read(user.id, WORKOUTS)).json.data).toEqual([workout]);

    const deleted = await sandbox.api('DELETE', path('workouts'), { headers: apiKey });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await read(user.id, WORKOUTS)).json.data).toEqual([]);

    const again = await sandbox.api('DELETE', path('workouts'), { headers: apiKey });
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ detail: 'Workout not found' });
    expect((await read(user.id, SLEEP)).json.data).toHaveLength(1);
  });
});

describe('GDPR erasure', () => {
  it('deleting the user erases every item of their data; the SDK can no longer push for them', async () => {
    const user = await newUser();
    await push(user.id, bearer(user.token));
    expect((await read(user.id, '/summaries/data')).json.total_data_points).toBe(4);

    const deleted = await sandbox.api('DELETE', `/api/v1/users/${user.id}`, { headers: apiKey });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ id: user.id });

    const gone = await read(user.id, '');
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ detail: `User with ID: ${user.id} not found.` });
    for (const path of [
      HEART_RATE,
      '/timeseries?start_time=2026-03-01&end_time=2026-03-03&types=steps&types=weight',
      WORKOUTS,
      SLEEP,
      '/summaries/sleep?start_date=2026-03-01&end_date=2026-03-04',
    ]) {
      const { status, json } = await read(user.id, path);
      expect(status).toBe(200);
      expect(json.data).toEqual([]);
    }
    expect((await read(user.id, '/data-sources')).json).toEqual({ items: [], total: 0 });
    expect((await read(user.id, '/summaries/data')).json).toMatchObject({
      total_data_points: 0,
      total_workouts: 0,
      total_sleep_events: 0,
      by_provider: [],
    });

    const afterErasure = await push(user.id, bearer(user.token));
    expect(afterErasure.status).toBe(404);
  });
});

describe('SDK diagnostic logs', () => {
  let user: { id: string; token: string };
  beforeAll(async () => {
    user = await newUser();
  });
  const logs = (body: unknown) =>
    sandbox.api('POST', `/api/v1/sdk/users/${user.id}/logs`, { headers: bearer(user.token), json: body });
  const deviceState = {
    eventType: 'device_state',
    timestamp: '2026-03-02T07:15:04Z',
    batteryLevel: 0.8,
    batteryState: 'charging',
    isLowPowerMode: false,
    thermalState: 'nominal',
  };

  it('accepts a device_state event', async () => {
    const { status, json } = await logs({ sdkVersion: '0.6.0', provider: 'apple', events: [deviceState] });
    expect(status).toBe(202);
    expect(json).toEqual({
      status_code: 202,
      response: 'Log events stored successfully',
      user_id: user.id,
      dropped_count: 0,
      records_saved: 0,
      workouts_saved: 0,
      sleep_saved: 0,
    });
  });

  it('refuses an empty event list and an unknown event type', async () => {
    for (const events of [[], [{ ...deviceState, eventType: 'battery_exploded' }]]) {
      const { status, json } = await logs({ sdkVersion: '0.6.0', events });
      expect(status).toBe(400);
      expect(json).toEqual({ detail: expect.any(String) });
    }
  });
});
