import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { listSleepSessions, listWorkouts } from '#shared/data/events.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import * as sdkIngest from '#shared/ingest/sdk-ingest.js';
import { parseSyncRequest } from '#shared/ingest/sdk-payload.js';
import { assertSeedFits, MAX_SEED_RECORDS, recordsPerUser } from '#shared/seed/budget.js';
import { seedUser } from '#shared/seed/generate.js';
import { SEED_PRESETS } from '#shared/seed/presets.js';
import { seedProfile } from '#shared/seed/profiles.js';
import { getDeveloperByEmail } from '#shared/store/developers.js';
import { listUserSeries } from '#shared/store/series-registry.js';
import { listUsers } from '#shared/store/users.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/admin.js';

/**
 * Contract 3.2 rows 82-84, 10.4 and test_seed_data.py: presets, sleep profiles, dispatch, validation; and the
 * generator's promises (deterministic, valid SDK pushes). Here no uploads bucket is configured, so the pushes are
 * ingested in the request (test/e2e/seed-data-flow.test.ts goes through the bucket and the worker).
 */

let token: string;

beforeAll(async () => {
  await ensureAdminDeveloper();
  const admin = (await getDeveloperByEmail(process.env.ADMIN_EMAIL!))!;
  token = (await issueTokens({ token_type: 'developer', developer_id: admin.id, credential_version: 0 }))
    .access_token;
});

async function api(method: string, path: string, options: { json?: unknown; auth?: boolean } = {}) {
  const event = httpEvent(method, path, {
    headers: options.auth === false ? {} : { authorization: `Bearer ${token}` },
    ...(options.json !== undefined && { json: options.json }),
  });
  const result = (await handler(event, lambdaContext('admin'))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, json: result.body ? JSON.parse(result.body) : undefined };
}

const ALL_TIME = { startMs: 0, endMs: Date.UTC(2100, 0), limit: 100 };
const SMALL = {
  workout_config: { count: 3 },
  sleep_config: { count: 2, nap_chance_pct: 0 },
  generate_time_series: false,
};

describe('presets and sleep profiles', () => {
  it('lists the nine presets with full profiles; 401 without a developer', async () => {
    const presets = await api('GET', '/api/v1/settings/seed/presets');
    expect(presets.status).toBe(200);
    expect(presets.json.map((p: { id: string }) => p.id)).toEqual([
      'active_athlete',
      'boxer_footballer',
      'sleep_deprived',
      'weekend_catchup',
      'irregular_sleeper',
      'activity_only',
      'sleep_only',
      'minimal',
      'comprehensive',
    ]);
    const minimal = presets.json.find((p: { id: string }) => p.id === 'minimal');
    expect(minimal).toMatchObject({
      label: 'Minimal (Quick)',
      profile: {
        preset: 'minimal',
        generate_time_series: false,
        num_connections: 2,
        workout_config: { count: 5, duration_min_minutes: 15, hr_min_range: [90, 120] },
        sleep_config: { count: 5, stage_distribution: { deep_pct_range: [15, 25] } },
      },
    });
    expect((await api('GET', '/api/v1/settings/seed/presets', { auth: false })).status).toBe(401);
  });

  it('lists the five sleep stage profiles', async () => {
    const profiles = await api('GET', '/api/v1/settings/seed/sleep-profiles');
    expect(profiles.json.map((p: { id: string }) => p.id)).toEqual([
      'optimal',
      'deep_deficit',
      'rem_deprived',
      'restless',
      'athlete_recovery',
    ]);
    expect(profiles.json[0]).toEqual({
      id: 'optimal',
      label: 'Optimal Sleeper',
      description: 'Balanced stages - good sleep scores',
      distribution: { deep_pct_range: [18, 25], rem_pct_range: [20, 25], awake_pct_range: [2, 5] },
    });
  });
});

describe('POST /settings/seed', () => {
  it('dispatches with the defaults: 202, a task id, a seed', async () => {
    const answer = await api('POST', '/api/v1/settings/seed', { json: { profile: SMALL } });
    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({ status: 'dispatched', task_id: expect.any(String) });
    expect(Number.isInteger(answer.json.seed_used)).toBe(true);
  });

  it('echoes the given seed; with a preset profile the users get workouts and sleep through the SDK path', async () => {
    const before = new Set((await listUsers()).map((u) => u.id));
    const profile = { ...SEED_PRESETS.minimal.profile, providers: ['apple', 'garmin'] };
    const answer = await api('POST', '/api/v1/settings/seed', {
      json: { num_users: 2, random_seed: 1234, profile },
    });
    expect(answer).toMatchObject({ status: 202, json: { seed_used: 1234 } });
    const created = (await listUsers()).filter((u) => !before.has(u.id));
    expect(created).toHaveLength(2);
    for (const user of created) {
      expect(user.email).toMatch(/@seed\.example\.com$/);
      const workouts = (await listWorkouts(user.id, ALL_TIME)).data;
      expect(workouts.length).toBeGreaterThan(0);
      // Garmin's share arrives as Apple Health data whose source is the Garmin app.
      expect(workouts.every((w: { source: { provider: string } }) => w.source.provider === 'apple')).toBe(
        true,
      );
      const sleep = (await listSleepSessions(user.id, { ...ALL_TIME, filterByPriority: false })).data;
      expect(sleep.length).toBeGreaterThan(0);
    }
  });

  it('time series land in the registry', async () => {
    const before = new Set((await listUsers()).map((u) => u.id));
    const profile = {
      generate_workouts: false,
      generate_sleep: false,
      providers: ['samsung'],
      time_series_config: { enabled_types: ['steps', 'weight'], date_range_months: 1 },
    };
    expect((await api('POST', '/api/v1/settings/seed', { json: { profile } })).status).toBe(202);
    const [user] = (await listUsers()).filter((u) => !before.has(u.id));
    const series = await listUserSeries(user!.id);
    expect(new Set(series.map((s) => s.series))).toEqual(new Set(['steps', 'weight']));
  });

  it('validates as the reference: caps, order of ranges, stage percentages, profiles', async () => {
    const seed = (json: unknown) => api('POST', '/api/v1/settings/seed', { json });
    expect(await seed({ num_users: 11 })).toEqual({
      status: 400,
      json: { detail: 'Input should be less than or equal to 10' },
    });
    expect((await seed({ num_users: 0 })).status).toBe(400);
    expect((await seed({ profile: { workout_config: { count: 501 } } })).status).toBe(400);
    expect((await seed({ profile: { num_connections: 6 } })).status).toBe(400);
    expect((await seed({ profile: { sleep_config: { duration_min_minutes: 59 } } })).status).toBe(400);
    expect(
      (await seed({ profile: { workout_config: { duration_min_minutes: 100, duration_max_minutes: 50 } } }))
        .json,
    ).toEqual({ detail: 'Value error, duration_min_minutes (100) must be <= duration_max_minutes (50)' });
    expect(
      (await seed({ profile: { time_series_config: { date_from: '2024-02-01', date_to: '2024-01-01' } } }))
        .json,
    ).toEqual({ detail: 'Value error, date_from (2024-02-01) must be <= date_to (2024-01-01)' });
    const stages = { deep_pct_range: [40, 50], rem_pct_range: [30, 40], awake_pct_range: [5, 10] };
    expect((await seed({ profile: { sleep_config: { stage_distribution: stages } } })).json).toEqual({
      detail: 'Value error, Sum of max percentages (100%) exceeds 95% - not enough room for light sleep',
    });
    expect((await seed({ profile: { sleep_config: { stage_profile: 'nope' } } })).json.detail).toBe(
      "Value error, Unknown stage_profile 'nope'. Valid profiles: optimal, deep_deficit, rem_deprived, restless, athlete_recovery",
    );
    expect((await seed({ profile: { providers: ['nokia'] } })).status).toBe(400);
    expect((await seed({ profile: { time_series_config: { enabled_types: ['mood'] } } })).status).toBe(400);
    expect((await api('POST', '/api/v1/settings/seed', { json: {}, auth: false })).status).toBe(401);
  });
});

describe('POST /settings/seed within what one request can carry', () => {
  const seed = (json: unknown) => api('POST', '/api/v1/settings/seed', { json });
  const userCount = async () => (await listUsers()).length;

  it('refuses a window reaching more than 24 months back, before creating any user', async () => {
    const before = await userCount();
    const answer = await seed({ num_users: 10, profile: { workout_config: { date_from: '1970-01-01' } } });
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toMatch(
      /^Value error, workout_config: the window starts 1970-01-01, more than 24 months back \(the earliest start is \d{4}-\d{2}-\d{2}\)$/,
    );
    const old = new Date(Date.now() - 800 * 86_400_000).toISOString().slice(0, 10);
    expect((await seed({ profile: { time_series_config: { date_to: old } } })).status).toBe(400);
    expect(await userCount()).toBe(before);
  });

  it('refuses a request of more records than the cap, before creating any user', async () => {
    const before = await userCount();
    const answer = await seed({
      num_users: 10,
      profile: {
        workout_config: {
          count: 500,
          duration_min_minutes: 600,
          duration_max_minutes: 600,
          workout_types: ['running'],
        },
        time_series_config: { enabled_types: ['running_power', 'running_speed', 'cadence'] },
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toMatch(
      /^Value error, this request would generate up to \d+ records, more than the 1000000/,
    );
    expect(await userCount()).toBe(before);
  });

  it('lets every preset run for 10 users, and estimates the records it generates', () => {
    const now = Date.now();
    for (const preset of Object.values(SEED_PRESETS)) {
      expect(() =>
        assertSeedFits({ num_users: 10, profile: preset.profile, random_seed: null }, now),
      ).not.toThrow();
      const generated = seedUser(preset.profile, 5, 0, now).pushes.reduce(
        (n, push) =>
          n + push.body.data.records.length + push.body.data.workouts.length + push.body.data.sleep.length,
        0,
      );
      expect(generated).toBeLessThanOrEqual(recordsPerUser(preset.profile, now) * 1.1);
      expect(generated).toBeGreaterThanOrEqual(recordsPerUser(preset.profile, now) * 0.5);
    }
    expect(MAX_SEED_RECORDS).toBe(1_000_000);
  });

  it('names the users it created when it fails part way', async () => {
    const before = new Set((await listUsers()).map((u) => u.id));
    const failing = vi.spyOn(sdkIngest, 'ingestSdkPush');
    failing.mockImplementationOnce(async () => {
      throw new Error('storage down');
    });
    const answer = await seed({ num_users: 2, profile: SMALL });
    failing.mockRestore();
    const created = (await listUsers()).filter((u) => !before.has(u.id));
    expect(created).toHaveLength(1);
    expect(answer).toEqual({
      status: 500,
      json: {
        detail: `Seeding failed after creating 1 of 2 users, whose data may be incomplete: ${created[0]!.id} (delete them or keep them, then retry)`,
      },
    });
  });
});

describe('the generator', () => {
  const now = Date.UTC(2026, 5, 15, 12);

  it('is deterministic: one seed, one dataset; another seed, another', () => {
    const profile = SEED_PRESETS.minimal.profile;
    expect(JSON.stringify(seedUser(profile, 99, 0, now))).toBe(JSON.stringify(seedUser(profile, 99, 0, now)));
    expect(JSON.stringify(seedUser(profile, 99, 0, now))).not.toBe(
      JSON.stringify(seedUser(profile, 100, 0, now)),
    );
    expect(JSON.stringify(seedUser(profile, 99, 0, now))).not.toBe(
      JSON.stringify(seedUser(profile, 99, 1, now)),
    );
  });

  it('emits SDK pushes that validate whole, whatever the profile', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.constantFrom(...Object.values(SEED_PRESETS).map((p) => p.profile.preset!)),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 100 }),
        (seed, preset, connections, naps) => {
          const base = SEED_PRESETS[preset as keyof typeof SEED_PRESETS].profile;
          const profile = seedProfile.parse({
            ...base,
            num_connections: connections,
            workout_config: {
              ...base.workout_config,
              count: Math.min(base.workout_config.count, 8),
              date_range_months: 1,
            },
            sleep_config: {
              ...base.sleep_config,
              count: Math.min(base.sleep_config.count, 4),
              nap_chance_pct: naps,
              date_range_months: 1,
            },
            time_series_config: { ...base.time_series_config, date_range_months: 1 },
          });
          for (const push of seedUser(profile, seed, 0, now).pushes) {
            const parsed = parseSyncRequest(JSON.parse(JSON.stringify(push.body)));
            expect(parsed.ok).toBe(true);
            if (parsed.ok) expect(parsed.request.dropped).toBe(0);
            for (const item of [...push.body.data.sleep, ...push.body.data.workouts] as Array<{
              endDate: string;
            }>) {
              expect(Date.parse(item.endDate)).toBeLessThanOrEqual(now);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
