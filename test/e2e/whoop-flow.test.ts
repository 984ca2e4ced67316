import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import {
  DEFAULT_WHOOP_USER,
  type FakeWhoop,
  generateWhoopDays,
  startFakeWhoop,
  type WhoopSleep,
} from '#test/fakes/whoop.js';
import { dates, type E2eSession, startE2eSession, times, until } from '#test/helpers/e2e-session.js';

/**
 * WHOOP end to end over HTTP against the fake WHOOP (its real OAuth, API v2 and signed webhooks): connect through the
 * consent page -> the historical backfill lands -> sleeps, workouts, recovery readings, scores and the body
 * measurement are readable with WHOOP's values in our units -> signed webhooks add, change and delete data (a
 * wrongly signed or stale one is refused) -> disconnect revokes the access at WHOOP. Waits are polls bounded well
 * below each test's timeout.
 */
const DAY = 86_400_000;
const KCAL_PER_KJ = 0.239006;
const DAYS = generateWhoopDays({ days: 45, end: Date.now(), seed: 11 });
/** Each wait of a test with three has 15 s of its 60. */
const WAIT_MS = 15_000;
let fake: FakeWhoop;
let sandbox: E2eSession;
let userId: string;

beforeAll(async () => {
  fake = await startFakeWhoop();
  fake.seed(DEFAULT_WHOOP_USER, DAYS);
  sandbox = await startE2eSession({
    env: { ...fakeProviderEnv('WHOOP', fake), HISTORICAL_SYNC_ON_CONNECT: 'true' },
  });
  fake.setWebhookUrl(`${sandbox.url}/api/v1/providers/whoop/webhooks`);
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await fake?.stop();
});

const range = () => dates(Date.now() - 100 * DAY, Date.now() + DAY);
const read = (path: string) => sandbox.get(`/api/v1/users/${userId}${path}`);

/** Every page of an events list. */
async function events(kind: 'workouts' | 'sleep') {
  const all: Array<Record<string, unknown>> = [];
  let cursor = '';
  do {
    const page = await read(`/events/${kind}?${range()}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    all.push(...page.data);
    cursor = page.pagination.next_cursor ?? '';
  } while (cursor);
  return all;
}

const scores = async (category: string) =>
  (await read(`/health-scores?${range()}&category=${category}&limit=1000`)).data as Array<{
    value: number;
    recorded_at: string;
    zone_offset: string | null;
    components: Record<string, { value: number }>;
  }>;

const series = async (type: string) =>
  (await read(`/timeseries?${times(Date.now() - 100 * DAY, Date.now() + DAY)}&types=${type}&limit=100`))
    .data as Array<{ timestamp: string; value: number; unit: string; zone_offset: string | null }>;

const scored = <T extends { score_state: string }>(list: T[]) =>
  list.filter((r) => r.score_state === 'SCORED');
const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);

describe('WHOOP', () => {
  it('connect: OAuth through the consent page, identity, then the historical backfill', async () => {
    userId = await sandbox.createUser();
    const { authorizationUrl } = await sandbox.connect('whoop', userId);
    expect(new URL(authorizationUrl).searchParams.get('scope')).toContain('offline');
    const connections = await read('/connections');
    expect(connections).toContainEqual(
      expect.objectContaining({
        provider: 'whoop',
        status: 'active',
        provider_user_id: String(DEFAULT_WHOOP_USER),
        provider_username: `member${DEFAULT_WHOOP_USER}@example.com`,
      }),
    );
    const run = await sandbox.waitForRun(userId, 'whoop', 90_000);
    expect(run.status).toBe('success');
    expect(fake.requests.every((r) => r.status !== 400)).toBe(true);
  }, 120_000);

  it('sleeps: every session with WHOOP’s stage totals in minutes, naps flagged, the local offset', async () => {
    const sessions = await events('sleep');
    expect(sessions).toHaveLength(DAYS.sleeps.length);
    const night = scored(DAYS.sleeps).find((s) => !s.nap)!;
    const stages = night.score!.stage_summary;
    const minutes = (ms: number) => Math.round(ms / 60_000);
    const stored = sessions.find((s) => sameInstant(s.start_time as string, night.start))!;
    expect(stored).toMatchObject({
      zone_offset: '-05:00',
      is_nap: false,
      duration_seconds: (Date.parse(night.end) - Date.parse(night.start)) / 1000,
      sleep_duration_seconds:
        minutes(
          stages.total_light_sleep_time_milli! +
            stages.total_slow_wave_sleep_time_milli! +
            stages.total_rem_sleep_time_milli!,
        ) * 60,
      efficiency_percent: night.score!.sleep_efficiency_percentage,
      stages: {
        awake_minutes: minutes(stages.total_awake_time_milli!),
        light_minutes: minutes(stages.total_light_sleep_time_milli!),
        deep_minutes: minutes(stages.total_slow_wave_sleep_time_milli!),
        rem_minutes: minutes(stages.total_rem_sleep_time_milli!),
      },
    });
    expect(sessions.filter((s) => s.is_nap).length).toBe(DAYS.sleeps.filter((s) => s.nap).length);
    const sleepScores = await scores('sleep');
    expect(sleepScores.find((s) => sameInstant(s.recorded_at, night.start))).toMatchObject({
      value: night.score!.sleep_performance_percentage,
      zone_offset: '-05:00',
    });
  });

  it('workouts: scored ones only, typed, kJ in kcal, distance in meters, heart rates; strain scores', async () => {
    const workouts = await events('workouts');
    expect(workouts).toHaveLength(scored(DAYS.workouts).length);
    const run = scored(DAYS.workouts).find((w) => w.score?.distance_meter !== undefined)!;
    const stored = workouts.find((w) => sameInstant(w.start_time as string, run.start))!;
    const expectedType = { running: 'running', cycling: 'cycling', 'hiking-rucking': 'hiking' }[
      run.sport_name
    ];
    expect(stored).toMatchObject({
      type: expectedType,
      zone_offset: '-05:00',
      calories_kcal: expect.closeTo(run.score!.kilojoule * KCAL_PER_KJ, 2),
      distance_meters: expect.closeTo(run.score!.distance_meter!, 2),
      avg_heart_rate_bpm: run.score!.average_heart_rate,
      max_heart_rate_bpm: run.score!.max_heart_rate,
    });
    const strain = (await scores('strain')).find((s) => sameInstant(s.recorded_at, run.start))!;
    expect(strain.value).toBeCloseTo(run.score!.strain, 3);
    expect(strain.components.zone_three_seconds!.value).toBe(
      run.score!.zone_durations.zone_three_milli! / 1000,
    );
    // The day strain of each scored cycle, at its start.
    const cycle = scored(DAYS.cycles).at(-2)!;
    expect((await scores('strain')).find((s) => sameInstant(s.recorded_at, cycle.start))).toMatchObject({
      value: expect.closeTo(cycle.score!.strain, 3),
      components: { energy_kcal: { value: expect.closeTo(cycle.score!.kilojoule * KCAL_PER_KJ, 2) } },
    });
  });

  it('recovery: HRV RMSSD in ms, resting HR in bpm, SpO2 in percent, skin temperature in °C; the score', async () => {
    const recovery = scored(DAYS.recoveries).at(-1)!;
    const at = recovery.created_at;
    const value = async (type: string, unit: string) => {
      const sample = (await series(type)).find((s) => sameInstant(s.timestamp, at))!;
      expect(sample).toMatchObject({ unit, zone_offset: '-05:00' });
      return sample.value;
    };
    expect(await value('heart_rate_variability_rmssd', 'ms')).toBeCloseTo(recovery.score!.hrv_rmssd_milli, 2);
    expect(await value('resting_heart_rate', 'bpm')).toBe(recovery.score!.resting_heart_rate);
    expect(await value('oxygen_saturation', 'percent')).toBeCloseTo(recovery.score!.spo2_percentage, 2);
    expect(await value('skin_temperature', 'celsius')).toBeCloseTo(recovery.score!.skin_temp_celsius, 2);
    const stored = (await scores('recovery')).find((s) => sameInstant(s.recorded_at, at))!;
    expect(stored).toMatchObject({
      value: recovery.score!.recovery_score,
      components: { hrv_rmssd_milli: { value: recovery.score!.hrv_rmssd_milli } },
    });
    expect(await scores('recovery')).toHaveLength(scored(DAYS.recoveries).length);
    const summaries = await read(`/summaries/recovery?${range()}&limit=100`);
    expect(summaries.data.at(-1)).toMatchObject({
      recovery_score: recovery.score!.recovery_score,
      resting_heart_rate_bpm: recovery.score!.resting_heart_rate,
    });
  });

  it('body: height in cm and weight in kg, once, today', async () => {
    expect(await series('height')).toEqual([expect.objectContaining({ value: 183, unit: 'cm' })]);
    expect(await series('weight')).toEqual([expect.objectContaining({ value: 82.1, unit: 'kg' })]);
  });

  it('signed webhooks: a new workout, a changed one, a deleted one', async () => {
    const before = (await events('workouts')).length;
    const start = Date.now() - 3 * 3_600_000;
    const { workout, deliveries } = await fake.addWorkout(DEFAULT_WHOOP_USER, {
      start: new Date(start).toISOString(),
      end: new Date(start + 40 * 60_000).toISOString(),
      sport_name: 'functional-fitness',
    });
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    const added = await until(
      'the notified workout',
      async () => (await events('workouts')).find((w) => sameInstant(w.start_time as string, workout.start)),
      WAIT_MS,
    );
    expect(added.type).toBe('cardio_training');

    await fake.updateWorkout(workout.id, {
      sport_name: 'yoga',
      end: new Date(start + 55 * 60_000).toISOString(),
    });
    await until(
      'the changed workout',
      async () => {
        const found = (await events('workouts')).find((w) =>
          sameInstant(w.start_time as string, workout.start),
        );
        return found?.type === 'yoga' && found.duration_seconds === 55 * 60 ? true : undefined;
      },
      WAIT_MS,
    );
    expect(await events('workouts')).toHaveLength(before + 1);

    await fake.deleteWorkout(workout.id);
    await until(
      'the deleted workout',
      async () => ((await events('workouts')).length === before ? true : undefined),
      WAIT_MS,
    );
  }, 60_000);

  it('signed webhooks: a new night brings its sleep and (by the sleep id) its recovery; deleting it removes the session', async () => {
    const start = Date.now() - 9 * 3_600_000;
    const { sleep, recovery, deliveries } = await fake.addNight(DEFAULT_WHOOP_USER, {
      start,
      durationMs: 7 * 3_600_000,
    });
    expect(deliveries.map((d) => [d.event.type, d.status])).toEqual([
      ['sleep.updated', 200],
      ['recovery.updated', 200],
    ]);
    await until(
      'the notified sleep',
      async () => (await events('sleep')).find((s) => sameInstant(s.start_time as string, sleep.start)),
      WAIT_MS,
    );
    const score = await until(
      'the notified recovery',
      async () => (await scores('recovery')).find((s) => sameInstant(s.recorded_at, recovery.created_at)),
      WAIT_MS,
    );
    expect(score.value).toBe(recovery.score!.recovery_score);
    expect(fake.requests.some((r) => r.path === `/developer/v2/cycle/${sleep.cycle_id}/recovery`)).toBe(true);

    await fake.deleteSleep(sleep.id);
    await until(
      'the deleted sleep',
      async () =>
        (await events('sleep')).some((s: Record<string, unknown>) =>
          sameInstant(s.start_time as string, sleep.start),
        )
          ? undefined
          : true,
      WAIT_MS,
    );
  }, 60_000);

  it('a wrongly signed, unsigned or stale webhook is refused with 401 and fetches nothing', async () => {
    const night: WhoopSleep = DAYS.sleeps[0]!;
    for (const type of ['sleep.deleted', 'sleep.updated'] as const) {
      const event = { user_id: DEFAULT_WHOOP_USER, id: night.id, type };
      expect((await fake.sendWebhook(event, { signature: 'wrong' })).status).toBe(401);
      expect((await fake.sendWebhook(event, { signature: 'none' })).status).toBe(401);
      expect((await fake.sendWebhook(event, { timestamp: Date.now() - 10 * 60_000 })).status).toBe(401);
    }
    expect(fake.requests.some((r) => r.path.includes(night.id))).toBe(false);
    expect((await events('sleep')).some((s) => sameInstant(s.start_time as string, night.start))).toBe(true);
  });

  it('disconnect: WHOOP’s access is revoked and the connection is revoked', async () => {
    const response = await sandbox.api('DELETE', `/api/v1/users/${userId}/connections/whoop`, {
      headers: sandbox.apiKey,
    });
    expect(response.status).toBe(204);
    expect(fake.accessRevocations).toContain(DEFAULT_WHOOP_USER);
    expect(
      (await read('/connections')).find((c: { provider: string }) => c.provider === 'whoop'),
    ).toMatchObject({
      status: 'revoked',
    });
  });
});
