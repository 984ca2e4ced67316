import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '#shared/api/index.js';
import type { HealthScore } from '#shared/model/health-data.js';
import { saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { saveScores, toStoredScore } from '#shared/store/health-scores.js';
import { DEFAULT_POLAR_USER, type FakePolar, startFakePolar } from '#test/fakes/polar.js';
import { polarExercise } from '#test/fakes/polar-data.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import { dates, type E2eSession, startE2eSession, times } from '#test/helpers/e2e-session.js';
import { sourceRef } from '#test/helpers/health-data.js';
import type { ApiResponse } from '#test/helpers/sandbox.js';
import { expectConforms } from '#test/openapi/conformance.js';
import { SAMPLE_DAY, samplePush } from '#test/openapi/sample-data.js';

/**
 * Every documented read, called on the sandbox after an SDK push (plus a provider connection, a provider
 * webhook subscription and an outgoing endpoint), answers what the document says: status, and a body its
 * response schema accepts whole. Health scores and menstrual cycles come only from cloud providers, so those
 * two records are written to the store directly (the sandbox runs in this process, on the same table).
 */

const DAY = 86_400_000;

let polar: FakePolar;
let sandbox: E2eSession;
let userId: string;
let endpointId: string;
let developerId: string;
let runKey: string;
let workoutId: string;

const STRAVA_VERIFY = 'strava-verify-token';
const OURA_VERIFY = 'oura-verify-token';

async function storeProviderRecords(user: string) {
  const whoop = toDataSource(user, sourceRef('whoop', null));
  const garmin = toDataSource(user, sourceRef('garmin', 'Forerunner 255', 'Garmin Connect'));
  await saveDataSources(user, [whoop, garmin]);
  const score: HealthScore = {
    source: sourceRef('whoop', null),
    category: 'recovery',
    value: 74,
    qualifier: null,
    recordedAt: SAMPLE_DAY + 6.5 * 3_600_000,
    zoneOffset: '+01:00',
    components: { resting_heart_rate: { value: 52 }, spo2_percentage: { value: 96.8, qualifier: null } },
  };
  await saveScores(user, [toStoredScore(user, whoop.key, score)]);
  await insertEvent(
    newStoredEvent(user, garmin.key, {
      category: 'menstrual_cycle',
      type: null,
      source: sourceRef('garmin', 'Forerunner 255', 'Garmin Connect'),
      start: SAMPLE_DAY - DAY,
      end: SAMPLE_DAY + 27 * DAY,
      zoneOffset: '+01:00',
      durationSeconds: null,
      externalId: 'cycle-1',
      details: { day_in_cycle: 12, cycle_length: 28, last_updated_at: SAMPLE_DAY, pregnancy_snapshot: null },
    }),
  );
}

beforeAll(async () => {
  polar = await startFakePolar();
  sandbox = await startE2eSession({
    env: {
      ...fakeProviderEnv('POLAR', polar),
      STRAVA_WEBHOOK_VERIFY_TOKEN: STRAVA_VERIFY,
      OURA_WEBHOOK_VERIFICATION_TOKEN: OURA_VERIFY,
      OUTGOING_WEBHOOKS_ENABLED: 'true',
    },
  });
  const created = await sandbox.api('POST', '/api/v1/users', {
    headers: sandbox.apiKey,
    json: { first_name: 'Ada', email: 'ada@example.com' },
  });
  expectConforms('POST /api/v1/users', created);
  userId = created.json.id;
  const pushed = await sandbox.api('POST', `/api/v1/sdk/users/${userId}/sync`, {
    headers: sandbox.apiKey,
    json: samplePush(),
  });
  expectConforms('POST /api/v1/sdk/users/{user_id}/sync', pushed);
  expect(pushed.json.records_saved).toBeGreaterThan(100);
  await storeProviderRecords(userId);
  // One Polar exercise, so the vendor passthrough has a record to list and to read by id.
  const exercise = polarExercise({
    userId: String(DEFAULT_POLAR_USER),
    id: 'ResponsesRun1',
    localStart: Date.now() - 2 * DAY,
    offsetMinutes: 60,
    durationSeconds: 1800,
  });
  polar.seed(DEFAULT_POLAR_USER, { ...polar.data(DEFAULT_POLAR_USER), exercises: [exercise] });
  await sandbox.connect('polar', userId);
  const callback = encodeURIComponent(`${sandbox.url}/api/v1/providers/polar/webhooks`);
  const subscribed = await sandbox.api(
    'POST',
    `/api/v1/providers/polar/webhooks/subscriptions?callback_url=${callback}`,
    { headers: sandbox.bearer },
  );
  expectConforms('POST /api/v1/providers/{provider}/webhooks/subscriptions', subscribed);
  const endpoint = await sandbox.api('POST', '/api/v1/webhooks/endpoints', {
    headers: sandbox.bearer,
    json: { url: 'https://hooks.example.com/open-wearables', filter_types: ['connection.revoked'] },
  });
  expectConforms('POST /api/v1/webhooks/endpoints', endpoint);
  endpointId = endpoint.json.id;
  developerId = (await sandbox.api('GET', '/api/v1/auth/me', { headers: sandbox.bearer })).json.id;
  const inline = await sandbox.api('POST', `/api/v1/providers/polar/users/${userId}/sync?async=false`, {
    headers: sandbox.apiKey,
  });
  expect([200, 202]).toContain(inline.status);
  const history = await sandbox.api('GET', `/api/v1/users/${userId}/sync/history`, {
    headers: sandbox.apiKey,
  });
  runKey = history.json[0].run_key;
  const workouts = await sandbox.api('GET', `/api/v1/providers/polar/users/${userId}/workouts`, {
    headers: sandbox.apiKey,
  });
  workoutId = workouts.json[0]?.id ?? 'unknown-exercise';
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  await polar?.stop();
});

type Credential = 'apiKey' | 'bearer' | 'none';

/** How each documented read is called: the URL (params filled in, a query where it needs one), with what. */
const READS: Record<string, [url: () => string, credential: Credential]> = {
  'GET /': [() => '/', 'none'],
  'GET /api/v1/health': [() => '/api/v1/health', 'none'],
  'GET /openapi.json': [() => '/openapi.json', 'none'],
  'GET /docs': [() => '/docs', 'none'],
  'GET /docs/init.js': [() => '/docs/init.js', 'none'],
  'GET /docs/swagger-ui-bundle.js': [() => '/docs/swagger-ui-bundle.js', 'none'],
  'GET /docs/swagger-ui.css': [() => '/docs/swagger-ui.css', 'none'],
  'GET /api/v1/users': [() => '/api/v1/users', 'apiKey'],
  'GET /api/v1/users/{user_id}': [() => `/api/v1/users/${userId}`, 'apiKey'],
  'GET /api/v1/users/{user_id}/connections': [() => `/api/v1/users/${userId}/connections`, 'apiKey'],
  'GET /api/v1/auth/me': [() => '/api/v1/auth/me', 'bearer'],
  'GET /api/v1/developer/api-keys': [() => '/api/v1/developer/api-keys', 'bearer'],
  'GET /api/v1/applications': [() => '/api/v1/applications', 'bearer'],
  'GET /api/v1/users/{user_id}/timeseries': [
    () => `/api/v1/users/${userId}/timeseries?${times(SAMPLE_DAY, SAMPLE_DAY + DAY)}&limit=100`,
    'apiKey',
  ],
  'GET /api/v1/users/{user_id}/events/workouts': [() => `${dataPath('events/workouts')}`, 'apiKey'],
  'GET /api/v1/users/{user_id}/events/sleep': [() => dataPath('events/sleep'), 'apiKey'],
  'GET /api/v1/users/{user_id}/events/menstrual-cycles': [
    () => dataPath('events/menstrual-cycles'),
    'apiKey',
  ],
  'GET /api/v1/users/{user_id}/summaries/activity': [() => dataPath('summaries/activity'), 'apiKey'],
  'GET /api/v1/users/{user_id}/summaries/sleep': [() => dataPath('summaries/sleep'), 'apiKey'],
  'GET /api/v1/users/{user_id}/summaries/recovery': [() => dataPath('summaries/recovery'), 'apiKey'],
  'GET /api/v1/users/{user_id}/summaries/body': [
    () => `/api/v1/users/${userId}/summaries/body?latest_window_hours=24`,
    'apiKey',
  ],
  'GET /api/v1/users/{user_id}/summaries/data': [() => `/api/v1/users/${userId}/summaries/data`, 'apiKey'],
  'GET /api/v1/users/{user_id}/health-scores': [() => `/api/v1/users/${userId}/health-scores`, 'apiKey'],
  'GET /api/v1/users/{user_id}/data-sources': [() => `/api/v1/users/${userId}/data-sources`, 'apiKey'],
  'GET /api/v1/oauth/providers': [() => '/api/v1/oauth/providers', 'none'],
  'GET /api/v1/oauth/{provider}/authorize': [
    () => `/api/v1/oauth/polar/authorize?user_id=${userId}`,
    'apiKey',
  ],
  'GET /api/v1/oauth/{provider}/callback': [
    () => '/api/v1/oauth/polar/callback?error=access_denied&error_description=Denied',
    'none',
  ],
  'GET /api/v1/oauth/success': [() => `/api/v1/oauth/success?provider=polar&user_id=${userId}`, 'none'],
  'GET /api/v1/oauth/error': [() => '/api/v1/oauth/error', 'none'],
  'GET /api/v1/providers/{provider}/webhooks/subscriptions': [
    () => '/api/v1/providers/polar/webhooks/subscriptions',
    'bearer',
  ],
  'GET /api/v1/providers/{provider}/webhooks/subscriptions/{subscription_id}': [
    () => `/api/v1/providers/polar/webhooks/subscriptions/${polar.webhooks.webhook!.id}`,
    'bearer',
  ],
  'GET /api/v1/providers/garmin/users/{user_id}/backfill/status': [
    () => `/api/v1/providers/garmin/users/${userId}/backfill/status`,
    'apiKey',
  ],
  'GET /api/v1/users/{user_id}/sync/recent': [() => `/api/v1/users/${userId}/sync/recent`, 'apiKey'],
  'GET /api/v1/users/{user_id}/sync/runs': [() => `/api/v1/users/${userId}/sync/runs`, 'apiKey'],
  'GET /api/v1/sync/runs': [() => '/api/v1/sync/runs', 'apiKey'],
  'GET /api/v1/providers/{provider}/webhooks': [
    () =>
      `/api/v1/providers/strava/webhooks?hub.mode=subscribe&hub.challenge=c1&hub.verify_token=${STRAVA_VERIFY}`,
    'none',
  ],
  'HEAD /api/v1/providers/{provider}/webhooks': [() => '/api/v1/providers/polar/webhooks', 'none'],
  'GET /api/v1/oura/webhooks': [
    () => `/api/v1/oura/webhooks?verification_token=${OURA_VERIFY}&challenge=c2`,
    'none',
  ],
  'GET /api/v1/strava/webhooks': [
    () => `/api/v1/strava/webhooks?hub.mode=subscribe&hub.challenge=c3&hub.verify_token=${STRAVA_VERIFY}`,
    'none',
  ],
  'GET /api/v1/strava/webhook': [
    () => `/api/v1/strava/webhook?hub.mode=subscribe&hub.challenge=c4&hub.verify_token=${STRAVA_VERIFY}`,
    'none',
  ],
  'GET /api/v1/strava/webhooks/health': [() => '/api/v1/strava/webhooks/health', 'none'],
  'GET /api/v1/strava/webhook/health': [() => '/api/v1/strava/webhook/health', 'none'],
  'GET /api/v1/webhooks/event-types': [() => '/api/v1/webhooks/event-types', 'bearer'],
  'GET /api/v1/webhooks/endpoints': [() => '/api/v1/webhooks/endpoints', 'bearer'],
  'GET /api/v1/webhooks/endpoints/{endpoint_id}': [
    () => `/api/v1/webhooks/endpoints/${endpointId}`,
    'bearer',
  ],
  'GET /api/v1/webhooks/endpoints/{endpoint_id}/secret': [
    () => `/api/v1/webhooks/endpoints/${endpointId}/secret`,
    'bearer',
  ],
  'GET /api/v1/webhooks/endpoints/{endpoint_id}/attempts': [
    () => `/api/v1/webhooks/endpoints/${endpointId}/attempts`,
    'bearer',
  ],
  'GET /api/v1/webhooks/messages': [() => '/api/v1/webhooks/messages', 'bearer'],
  'GET /api/v1/developers': [() => '/api/v1/developers', 'bearer'],
  'GET /api/v1/developers/{developer_id}': [() => `/api/v1/developers/${developerId}`, 'bearer'],
  'GET /api/v1/invitations': [() => '/api/v1/invitations', 'bearer'],
  'GET /api/v1/users/{user_id}/events/workouts/types': [
    () => `/api/v1/users/${userId}/events/workouts/types`,
    'apiKey',
  ],
  'GET /api/v1/users/{user_id}/summaries/data/timeline': [
    () => dataPath('summaries/data/timeline'),
    'apiKey',
  ],
  'GET /api/v1/meta/coverage': [() => '/api/v1/meta/coverage', 'none'],
  'HEAD /api/v1/oauth/{provider}/callback': [() => '/api/v1/oauth/polar/callback', 'none'],
  'GET /api/v1/users/{user_id}/sync/history': [() => `/api/v1/users/${userId}/sync/history`, 'apiKey'],
  'GET /api/v1/sync/history/{run_key}': [() => `/api/v1/sync/history/${runKey}`, 'apiKey'],
  'GET /api/v1/providers/{provider}/users/{user_id}/workouts': [
    () => `/api/v1/providers/polar/users/${userId}/workouts`,
    'apiKey',
  ],
  'GET /api/v1/providers/{provider}/users/{user_id}/workouts/{workout_id}': [
    () => `/api/v1/providers/polar/users/${userId}/workouts/${workoutId}`,
    'apiKey',
  ],
  'GET /api/v1/dashboard/stats': [() => '/api/v1/dashboard/stats', 'bearer'],
  'GET /api/v1/config': [() => '/api/v1/config', 'bearer'],
  'GET /api/v1/priorities/providers': [() => '/api/v1/priorities/providers', 'bearer'],
  'GET /api/v1/priorities/device-types': [() => '/api/v1/priorities/device-types', 'bearer'],
  'GET /api/v1/settings/seed/presets': [() => '/api/v1/settings/seed/presets', 'bearer'],
  'GET /api/v1/settings/seed/sleep-profiles': [() => '/api/v1/settings/seed/sleep-profiles', 'bearer'],
  'GET /api/v1/settings/archival': [() => '/api/v1/settings/archival', 'bearer'],
};

/** A data read over the week around the sample day. */
const dataPath = (segment: string) =>
  `/api/v1/users/${userId}/${segment}?${dates(SAMPLE_DAY - 3 * DAY, SAMPLE_DAY + 3 * DAY)}&limit=100`;

/** The response as sent: a redirect is not followed. */
async function call(operation: string): Promise<ApiResponse> {
  const [url, credential] = READS[operation]!;
  const headers = credential === 'none' ? {} : sandbox[credential];
  const response = await fetch(`${sandbox.url}${url()}`, {
    method: operation.split(' ')[0],
    headers,
    redirect: 'manual',
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json') && text !== '';
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: isJson ? JSON.parse(text) : undefined,
  };
}

describe('documented reads answer what the document says, over the sandbox', () => {
  it('covers every GET and HEAD of the document', () => {
    const reads = allRoutes.filter((r) => r.method === 'GET' || r.method === 'HEAD');
    expect(reads.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(READS).sort());
  });

  it.each(Object.keys(READS))('%s', async (operation) => {
    expectConforms(operation, await call(operation));
  });

  it('returns real records where the schema is checked, not only empty lists', async () => {
    const size = (json: unknown): number => {
      if (Array.isArray(json)) return json.length;
      const body = json as Record<string, unknown>;
      return size(body.data ?? body.items ?? body.subscriptions ?? []);
    };
    for (const read of [
      'GET /api/v1/users/{user_id}/timeseries',
      'GET /api/v1/users/{user_id}/events/workouts',
      'GET /api/v1/users/{user_id}/events/sleep',
      'GET /api/v1/users/{user_id}/events/menstrual-cycles',
      'GET /api/v1/users/{user_id}/summaries/activity',
      'GET /api/v1/users/{user_id}/summaries/sleep',
      'GET /api/v1/users/{user_id}/summaries/recovery',
      'GET /api/v1/users/{user_id}/health-scores',
      'GET /api/v1/users/{user_id}/data-sources',
      'GET /api/v1/users/{user_id}/sync/recent',
      'GET /api/v1/users/{user_id}/sync/runs',
      'GET /api/v1/providers/{provider}/webhooks/subscriptions',
      'GET /api/v1/webhooks/endpoints',
    ]) {
      expect(size((await call(read)).json), read).toBeGreaterThan(0);
    }
    const connections = (await call('GET /api/v1/users/{user_id}/connections')).json;
    expect(connections.map((c: { provider: string }) => c.provider).sort()).toEqual(['apple', 'polar']);
    const body = (await call('GET /api/v1/users/{user_id}/summaries/body')).json;
    expect(body.slow_changing.weight_kg).toBe(70.2);
    expect(body.latest.blood_pressure).not.toBeNull();
  });

  it('fails a body with a renamed field, a missing one or one too many', async () => {
    const operation = 'GET /api/v1/users/{user_id}/events/workouts';
    const response = await call(operation);
    const withWorkout = (change: (workout: Record<string, unknown>) => void) => {
      const json = structuredClone(response.json);
      change(json.data[0]);
      return { ...response, json };
    };
    expect(() => expectConforms(operation, response)).not.toThrow();
    const renamed = withWorkout((w) => {
      w.avg_hr_bpm = w.avg_heart_rate_bpm;
      delete w.avg_heart_rate_bpm;
    });
    expect(() => expectConforms(operation, renamed)).toThrow();
    expect(() =>
      expectConforms(
        operation,
        withWorkout((w) => delete w.source),
      ),
    ).toThrow();
    expect(() =>
      expectConforms(
        operation,
        withWorkout((w) => (w.extra = 1)),
      ),
    ).toThrow();
  });
});
