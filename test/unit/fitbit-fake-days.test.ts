import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeriesSamples } from '#shared/model/health-data.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import { bearerGet, ProviderGoneError } from '#shared/providers/http.js';
import type { PullResult } from '#shared/providers/types.js';
import { type FakeFitbit, type FitbitDay, generateFitbitDays, startFakeFitbit } from '#test/fakes/fitbit.js';

/**
 * The fake Fitbit's heart rate, daily summary and sleep endpoints, driven through the provider module as the
 * sync worker drives it (one client for every unit of a window).
 */
const DAY_MS = 86_400_000;
const NOW = Date.UTC(2024, 3, 30, 10, 45);
/** India: +05:30 all year, as the generator's fixed offset. */
const OFFSET_MINUTES = 330;

let fake: FakeFitbit;
let days: FitbitDay[];

beforeAll(async () => {
  fake = await startFakeFitbit({ now: () => NOW, rateLimitPerHour: 10_000 });
  days = generateFitbitDays({ days: 20, end: NOW, seed: 5, offsetMinutes: OFFSET_MINUTES, offDays: 0.1 });
  for (const user of ['DAYS01', 'NARROW', 'GONE01']) {
    fake.seed(user, days);
    fake.setProfile(user, { timezone: 'Asia/Kolkata', offsetFromUTCMillis: OFFSET_MINUTES * 60_000 });
  }
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  fake.setGone(false);
});

const clientFor = (userId: string, scope?: string) =>
  bearerGet(fake.apiBaseUrl, String(fake.issueTokens(userId, scope).access_token));

/** Every unit of `[start, end)` with one client; the results merged as the store would (last write wins). */
async function syncWindow(userId: string, start: number, end: number, scope?: string) {
  const get = clientFor(userId, scope);
  const results: PullResult[] = [];
  for (const unit of fitbit.units(start, end)) results.push(await fitbit.pull(get, unit));
  const samples = new Map<string, Map<number, number>>();
  for (const s of results.flatMap((r) => r.series)) {
    const byTime = samples.get(s.series) ?? new Map<number, number>();
    for (const sample of s.samples) byTime.set(sample.timestamp, sample.value);
    samples.set(s.series, byTime);
  }
  const sleeps = new Map(results.flatMap((r) => r.events).map((e) => [`${e.category}:${e.externalId}`, e]));
  return { results, samples, sleeps };
}

/** Local `yyyy-MM-dd` + `HH:mm:ss` at +05:30 -> UTC ms. */
const utcOf = (date: string, time = '00:00:00') => Date.parse(`${date}T${time}+05:30`);

describe('fake Fitbit days through the provider', () => {
  it('a 14-day window: every heart reading, the daily totals in canonical units, each sleep once', async () => {
    const start = NOW - 14 * DAY_MS;
    const { results, samples, sleeps } = await syncWindow('DAYS01', start, NOW);

    // Every date a day unit names whose local day had begun by the end: 2024-04-15 too (the window starts at
    // 10:45Z on the 16th, the 15th stays in reach for late uploads), not 2024-05-01 (not begun in India).
    const keys = new Set(fitbit.units(start, NOW).map((u) => u.key));
    const read = days.filter((d) => keys.has(`day:${d.date}`) && utcOf(d.date) < NOW);
    expect(read[0]!.date).toBe('2024-04-15');
    expect(read.at(-1)!.date).toBe('2024-04-30');
    const heart = samples.get('heart_rate')!;
    expect(heart.size).toBe(read.reduce((n, d) => n + d.heart.length, 0));
    for (const day of read)
      for (const point of day.heart.slice(0, 50))
        expect(heart.get(utcOf(day.date, point.time))).toBe(point.value);

    const recorded = read.filter((d) => d.summary);
    expect(recorded.length).toBeLessThan(read.length);
    for (const day of recorded) {
      const midnight = utcOf(day.date);
      expect(samples.get('steps')!.get(midnight)).toBe(day.summary!.steps);
      expect(samples.get('distance_walking_running')!.get(midnight)).toBeCloseTo(
        day.summary!.distances[0]!.distance * 1000,
        6,
      );
      expect(samples.get('energy')!.get(midnight)).toBe(day.summary!.activityCalories);
      expect(samples.get('basal_energy')!.get(midnight)).toBe(day.summary!.caloriesBMR);
      expect(samples.get('active_time')!.get(midnight)).toBe(
        day.summary!.fairlyActiveMinutes + day.summary!.veryActiveMinutes,
      );
      expect(samples.get('resting_heart_rate')!.get(midnight)).toBe(day.restingHeartRate);
    }
    // A day the device did not record has no totals (not zeros).
    const off = read.find((d) => !d.summary)!;
    expect(samples.get('steps')!.has(utcOf(off.date))).toBe(false);
    const totals = results.flatMap((r) => r.series).filter((s: SeriesSamples) => s.series === 'steps');
    expect(
      totals.flatMap((s) => s.samples).every((x) => x.isDailyTotal === true && x.zoneOffset === '+05:30'),
    ).toBe(true);

    // Sleep: every log of the dates the chunk asks for, saved once per log id; naps marked.
    const logs = days.filter((d) => d.date >= '2024-04-15').flatMap((d) => d.sleep);
    expect([...sleeps.keys()].sort()).toEqual(logs.map((l) => `sleep:${l.logId}`).sort());
    const nap = logs.find((l) => !l.isMainSleep);
    if (nap) expect(sleeps.get(`sleep:${nap.logId}`)!.details).toMatchObject({ is_nap: true });
    const night = logs.find((l) => l.type === 'stages')!;
    const event = sleeps.get(`sleep:${night.logId}`)!;
    expect(event.start).toBe(Date.parse(`${night.startTime}+05:30`));
    expect(event.zoneOffset).toBe('+05:30');
    expect(event.details).toMatchObject({
      sleep_total_duration_minutes: night.minutesAsleep,
      sleep_deep_minutes: night.levels.summary.deep?.minutes ?? null,
      sleep_efficiency_score: night.efficiency,
    });

    // One profile request for the whole window; nothing refused; tomorrow (not begun in India) never asked.
    expect(fake.requests.filter((r) => r.path.endsWith('profile.json'))).toHaveLength(1);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(fake.requests.some((r) => r.path.includes('/date/2024-05-01'))).toBe(false);
  });

  it('scopes the user kept are no data, not a failure', async () => {
    const { samples, sleeps } = await syncWindow('NARROW', NOW - 2 * DAY_MS, NOW, 'activity profile');
    expect(samples.has('heart_rate')).toBe(false);
    expect(sleeps.size).toBe(0);
    expect(samples.get('steps')!.size).toBeGreaterThan(0);
    const refused = fake.requests.filter((r) => r.status === 403).map((r) => r.path);
    expect(refused.some((path) => path.includes('/heart/'))).toBe(true);
    expect(refused.some((path) => path.includes('/sleep/'))).toBe(true);
  });

  it('after the shutdown every unit fails with ProviderGoneError', async () => {
    fake.setGone(true);
    const get = clientFor('GONE01');
    for (const unit of fitbit.units(NOW - DAY_MS, NOW).slice(0, 3)) {
      await expect(fitbit.pull(get, unit)).rejects.toBeInstanceOf(ProviderGoneError);
    }
    expect(fake.requests.every((r) => r.status === 410)).toBe(true);
  });
});

describe('fake Fitbit day endpoints', () => {
  const ask = async (path: string, scope?: string) => {
    const token = String(fake.issueTokens('DAYS01', scope).access_token);
    const response = await fetch(`${fake.apiBaseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers Fitbit’s shapes, empty for a date without data', async () => {
    const day = days.find((d) => d.summary)!;
    const heart = await ask(`/1/user/-/activities/heart/date/${day.date}/1d/1min.json`);
    expect(heart.body).toMatchObject({
      'activities-heart': [{ dateTime: day.date, value: { restingHeartRate: day.restingHeartRate } }],
      'activities-heart-intraday': { dataset: day.heart, datasetInterval: 1, datasetType: 'minute' },
    });
    const empty = await ask('/1/user/-/activities/heart/date/2020-01-01/1d/1min.json');
    expect(empty.body).toMatchObject({ 'activities-heart-intraday': { dataset: [] } });
    expect((await ask('/1/user/-/activities/date/2020-01-01.json')).body).toMatchObject({
      summary: { steps: 0, activityCalories: 0, caloriesBMR: 1650 },
    });
    expect((await ask('/1.2/user/-/sleep/date/2020-01-01/2020-01-05.json')).body).toEqual({ sleep: [] });
  });

  it('validates like Fitbit: dates, detail level, a sleep range of at most 100 days, scopes', async () => {
    expect((await ask('/1/user/-/activities/heart/date/2024-13-01/1d/1min.json')).status).toBe(400);
    expect((await ask('/1/user/-/activities/heart/date/2024-04-01/1d/1sec.json')).status).toBe(400);
    expect((await ask('/1.2/user/-/sleep/date/2024-01-01/2024-04-10.json')).status).toBe(400);
    expect((await ask('/1.2/user/-/sleep/date/2024-04-10/2024-04-01.json')).status).toBe(400);
    expect((await ask('/1.2/user/-/sleep/date/2024-01-01/2024-04-09.json')).status).toBe(200);
    expect(await ask('/1.2/user/-/sleep/date/2024-04-01/2024-04-09.json', 'activity')).toMatchObject({
      status: 403,
      body: { errors: [{ errorType: 'insufficient_scope' }] },
    });
  });
});

describe('day generator', () => {
  it('is deterministic and never past its end', () => {
    const again = generateFitbitDays({
      days: 20,
      end: NOW,
      seed: 5,
      offsetMinutes: OFFSET_MINUTES,
      offDays: 0.1,
    });
    expect(again).toEqual(days);
    expect(days.at(-1)!.date).toBe('2024-04-30');
    const localNow = NOW + OFFSET_MINUTES * 60_000;
    for (const log of days.flatMap((d) => d.sleep)) {
      expect(Date.parse(`${log.endTime}Z`)).toBeLessThanOrEqual(localNow);
      expect(log.levels.data.reduce((s, l) => s + l.seconds, 0)).toBe(log.duration / 1000);
    }
    const today = generateFitbitDays({ days: 1, end: NOW, offsetMinutes: OFFSET_MINUTES, offDays: 0 })[0]!;
    expect(today.heart.length).toBeGreaterThan(0);
    expect(today.heart.at(-1)!.time < new Date(localNow).toISOString().slice(11, 19)).toBe(true);
  });
});
