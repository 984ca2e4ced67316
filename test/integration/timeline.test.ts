import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { aggregateByDay } from '#shared/archival/day-aggregate.js';
import {
  bucketDate,
  DEFAULT_TIMELINE_DAYS,
  MAX_TIMELINE_DAYS,
  TIMELINE_SERIES_CONCURRENCY,
  timelineWindow,
} from '#shared/data/timeline.js';
import { HttpError } from '#shared/http/errors.js';
import { createUser } from '#shared/identity/users.js';
import type { Sample, SourceRef } from '#shared/model/health-data.js';
import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';
import { absorbRaw, loadMonth } from '#shared/store/archive-absorb.js';
import { db } from '#shared/store/client.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { insertEvent, newStoredEvent } from '#shared/store/events.js';
import { monthOf } from '#shared/store/series-archive.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { sleepDetails, sourceRef } from '#test/helpers/health-data.js';
import { handler } from '../../functions/data.js';

/** `GET /summaries/data/timeline` and `GET /events/workouts/types` through the data area's function. */

const DAY = 86_400_000;
const GARMIN = sourceRef('garmin', 'Forerunner 255', null);
const OURA = sourceRef('oura', 'Oura Ring Gen3', null);
const WHOOP = sourceRef('whoop', 'WHOOP 4.0', null);

let headers: Record<string, string>;

beforeAll(async () => {
  headers = { 'x-open-wearables-api-key': await testApiKey('timeline') };
});

async function get(path: string, query: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent('GET', path, { headers, query }),
    lambdaContext('data'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: JSON.parse(result.body!) };
}

/** The data below is dated 2026: without a window of its own a query covers that year, whenever the test runs. */
const YEAR_2026 = { start_date: '2026-01-01', end_date: '2027-01-01' };

const timeline = async (userId: string, query: Record<string, string> = {}) => {
  const window = query.start_date || query.end_date ? {} : YEAR_2026;
  const answer = await get(`/api/v1/users/${userId}/summaries/data/timeline`, { ...window, ...query });
  expect(answer.status).toBe(200);
  return answer.body;
};

/** The buckets of one series as `{date: count}`. */
const bucketsOf = (body: { series: Array<{ key: string; buckets: [string, number][] }> }, key: string) =>
  Object.fromEntries(body.series.find((s) => s.key === key)?.buckets ?? []);

interface SeenQuery {
  input: Record<string, unknown>;
  items: Record<string, unknown>[];
}

/** Every DynamoDB Query `work` sends (input and items), and the most sent at once. */
async function watchQueries(work: () => Promise<unknown>) {
  const { doc } = db();
  const seen: SeenQuery[] = [];
  let inFlight = 0;
  let peak = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'QueryCommand') return next(args);
      peak = Math.max(peak, ++inFlight);
      try {
        const result = await next(args);
        const output = result.output as { Items?: Record<string, unknown>[] };
        seen.push({ input: args.input as Record<string, unknown>, items: output.Items ?? [] });
        return result;
      } finally {
        inFlight--;
      }
    },
    { step: 'initialize', name: 'watchQueries' },
  );
  try {
    await work();
  } finally {
    doc.middlewareStack.remove('watchQueries');
  }
  return { seen, peak };
}

async function userWith(...refs: SourceRef[]) {
  const user = await createUser({});
  const records = refs.map((r) => toDataSource(user.id, r));
  await saveDataSources(user.id, records);
  return { userId: user.id, records };
}

const sample = (iso: string, value = 60): Sample => ({
  timestamp: Date.parse(iso),
  value,
  zoneOffset: null,
  isDailyTotal: false,
});

const write = (userId: string, source: DataSourceRecord, series: SeriesType, ...isos: string[]) =>
  writeSeriesSamples(
    userId,
    source.key,
    series,
    isos.map((iso) => sample(iso)),
  );

/** Archives `count` samples of one UTC day as the archival job stores them (a month item of day aggregates). */
async function archive(
  userId: string,
  source: DataSourceRecord,
  series: SeriesType,
  day: string,
  count: number,
) {
  const samples = Array.from({ length: count }, (_, i) =>
    sample(new Date(Date.parse(day) + i * 60_000).toISOString()),
  );
  const target = { userId, series, sourceKey: source.key };
  const month = monthOf(Date.parse(day));
  await absorbRaw(target, month, await loadMonth(target, month), aggregateByDay(samples), []);
}

async function workout(
  userId: string,
  source: DataSourceRecord,
  ref: SourceRef,
  type: string | null,
  start: string,
) {
  await insertEvent(
    newStoredEvent(userId, source.key, {
      category: 'workout',
      type,
      source: ref,
      start: Date.parse(start),
      end: Date.parse(start) + 3_600_000,
      zoneOffset: null,
      durationSeconds: 3600,
      externalId: null,
      details: {},
    }),
  );
}

describe('GET /users/{id}/summaries/data/timeline', () => {
  it('is empty for a user without data, and for an unknown user', async () => {
    const { userId } = await userWith();
    expect(await timeline(userId)).toEqual({ bucket: 'day', group_by: 'provider', series: [] });
    expect(await timeline('6f1c4d0e-0000-4000-8000-000000000000')).toEqual({
      bucket: 'day',
      group_by: 'provider',
      series: [],
    });
  });

  it('buckets by UTC day and leaves empty days out', async () => {
    const { userId, records } = await userWith(GARMIN);
    await write(
      userId,
      records[0]!,
      'heart_rate',
      '2026-06-15T23:30:00Z',
      '2026-06-16T00:30:00Z',
      '2026-06-18T08:00:00Z',
    );
    expect(await timeline(userId)).toEqual({
      bucket: 'day',
      group_by: 'provider',
      series: [
        {
          key: 'garmin',
          metric: 'data_points',
          buckets: [
            ['2026-06-15', 1],
            ['2026-06-16', 1],
            ['2026-06-18', 1],
          ],
        },
      ],
    });
  });

  it('groups by series type, the largest first', async () => {
    const { userId, records } = await userWith(GARMIN, OURA);
    await write(userId, records[0]!, 'heart_rate', '2026-06-15T08:00:00Z', '2026-06-15T09:00:00Z');
    await write(userId, records[1]!, 'heart_rate', '2026-06-15T08:00:00Z');
    await write(userId, records[0]!, 'steps', '2026-06-15T08:00:00Z');
    const body = await timeline(userId, { group_by: 'series_type' });
    expect(body.series.map((s: { key: string }) => s.key)).toEqual(['heart_rate', 'steps']);
    expect(bucketsOf(body, 'heart_rate')).toEqual({ '2026-06-15': 3 });
    const byProvider = await timeline(userId);
    expect(byProvider.series.map((s: { key: string }) => s.key)).toEqual(['garmin', 'oura']);
    expect(bucketsOf(await timeline(userId, { provider: 'oura' }), 'oura')).toEqual({ '2026-06-15': 1 });
    expect((await timeline(userId, { provider: 'oura' })).series).toHaveLength(1);
  });

  it('starts a week bucket on Monday', async () => {
    const { userId, records } = await userWith(GARMIN);
    // 2026-06-15 is a Monday; the 21st (Sunday) shares its week, the 22nd opens the next.
    await write(
      userId,
      records[0]!,
      'heart_rate',
      '2026-06-15T08:00:00Z',
      '2026-06-21T23:59:00Z',
      '2026-06-22T00:00:00Z',
    );
    const body = await timeline(userId, { bucket: 'week' });
    expect(body.bucket).toBe('week');
    expect(bucketsOf(body, 'garmin')).toEqual({ '2026-06-15': 2, '2026-06-22': 1 });
  });

  it('counts archived days with the samples they hold, so archived history is not a gap', async () => {
    const { userId, records } = await userWith(OURA);
    await write(userId, records[0]!, 'heart_rate', '2026-06-15T08:00:00Z', '2026-02-20T08:00:00Z');
    await archive(userId, records[0]!, 'heart_rate', '2026-01-05', 288);
    await archive(userId, records[0]!, 'heart_rate', '2026-02-20', 10);
    // An archived day is its aggregate alone: the raw sample re-sent for 2026-02-20 is not counted on top.
    expect(bucketsOf(await timeline(userId), 'oura')).toEqual({
      '2026-01-05': 288,
      '2026-02-20': 10,
      '2026-06-15': 1,
    });
    // An archived day is indivisible: a window opening mid-day keeps it whole.
    const midDay = await timeline(userId, { start_date: '2026-01-05T12:00:00Z', end_date: '2026-01-06' });
    expect(bucketsOf(midDay, 'oura')).toEqual({ '2026-01-05': 288 });
  });

  it('counts live samples in [start_date, end_date), to the sample at the window edges', async () => {
    const { userId, records } = await userWith(GARMIN);
    await write(
      userId,
      records[0]!,
      'heart_rate',
      '2026-06-10T08:00:00Z',
      '2026-06-15T08:00:00Z',
      '2026-06-15T08:30:00Z',
      '2026-06-15T08:45:00Z',
      '2026-06-16T00:00:00Z',
    );
    const window = { start_date: '2026-06-15T08:20:00Z', end_date: '2026-06-16' };
    expect(bucketsOf(await timeline(userId, window), 'garmin')).toEqual({ '2026-06-15': 2 });
    const day = { start_date: '2026-06-15', end_date: '2026-06-16' };
    expect(bucketsOf(await timeline(userId, day), 'garmin')).toEqual({ '2026-06-15': 3 });
  });

  it('counts exactly the samples of any window, across day and hour chunks', async () => {
    const { userId, records } = await userWith(GARMIN);
    const dayStart = Date.parse('2026-07-01T00:00:00Z');
    // A sample a minute for 8 hours: more than a day chunk holds, so the day also has hour chunks.
    const minutes = Array.from({ length: 8 * 60 }, (_, i) => dayStart + i * 60_000);
    await writeSeriesSamples(
      userId,
      records[0]!.key,
      'heart_rate',
      minutes.map((ms) => sample(new Date(ms).toISOString())),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 9 * 60 }),
        fc.integer({ min: 1, max: 9 * 60 }),
        async (startMinute, length) => {
          const from = dayStart + startMinute * 60_000 + 30_000;
          const to = from + length * 60_000;
          const body = await timeline(userId, {
            start_date: new Date(from).toISOString(),
            end_date: new Date(to).toISOString(),
          });
          const expected = minutes.filter((ms) => ms >= from && ms < to).length;
          expect(bucketsOf(body, 'garmin')).toEqual(expected ? { '2026-07-01': expected } : {});
        },
      ),
      { numRuns: 25 },
    );
  });

  it("leaves other users' data out", async () => {
    const { userId, records } = await userWith(GARMIN);
    const other = await userWith(WHOOP);
    await write(userId, records[0]!, 'heart_rate', '2026-06-15T08:00:00Z');
    await write(other.userId, other.records[0]!, 'heart_rate', '2026-06-15T08:00:00Z');
    await archive(other.userId, other.records[0]!, 'heart_rate', '2026-01-05', 288);
    const body = await timeline(userId);
    expect(body.series.map((s: { key: string }) => s.key)).toEqual(['garmin']);
    expect(bucketsOf(body, 'garmin')).toEqual({ '2026-06-15': 1 });
  });

  it('groups workouts by type when asked, counted by start', async () => {
    const { userId, records } = await userWith(GARMIN, OURA);
    await workout(userId, records[0]!, GARMIN, 'running', '2026-06-15T07:00:00Z');
    await workout(userId, records[0]!, GARMIN, 'running', '2026-06-16T07:00:00Z');
    await workout(userId, records[1]!, OURA, 'cycling', '2026-06-16T17:00:00Z');
    expect(await timeline(userId, { group_by: 'workout_type', bucket: 'week' })).toEqual({
      bucket: 'week',
      group_by: 'workout_type',
      series: [
        { key: 'running', metric: 'workouts', buckets: [['2026-06-15', 2]] },
        { key: 'cycling', metric: 'workouts', buckets: [['2026-06-15', 1]] },
      ],
    });
    const garminOnly = await timeline(userId, { group_by: 'workout_type', provider: 'garmin' });
    expect(garminOnly.series.map((s: { key: string }) => s.key)).toEqual(['running']);
  });

  it.each([
    [{ bucket: 'month' }, "Input should be 'day' or 'week'"],
    [{ group_by: 'device' }, "Input should be 'provider', 'series_type' or 'workout_type'"],
    [
      { start_date: 'yesterday' },
      "Invalid datetime format: 'yesterday'. Expected ISO 8601 format or Unix timestamp.",
    ],
    [{ provider: 'nokia' }, undefined],
  ])('answers %j with a 400', async (query, detail) => {
    const { userId } = await userWith();
    const answer = await get(`/api/v1/users/${userId}/summaries/data/timeline`, query);
    expect(answer.status).toBe(400);
    if (detail) expect(answer.body.detail).toBe(detail);
    else expect(answer.body.detail).toMatch(/^Input should be /);
  });

  it('a bad user id is a 400', async () => {
    expect((await get('/api/v1/users/not-a-uuid/summaries/data/timeline')).status).toBe(400);
  });

  it('covers the last 365 days to the end of today by default, whatever lies before', async () => {
    const { userId, records } = await userWith(GARMIN);
    const now = Date.now();
    const daysAgo = (days: number) => new Date(now - days * DAY).toISOString();
    await write(userId, records[0]!, 'heart_rate', daysAgo(2), daysAgo(300), daysAgo(380), daysAgo(2000));
    await archive(userId, records[0]!, 'steps', daysAgo(900).slice(0, 10), 50);
    await workout(userId, records[0]!, GARMIN, 'running', daysAgo(3));
    await workout(userId, records[0]!, GARMIN, 'rowing', daysAgo(700));
    const path = `/api/v1/users/${userId}/summaries/data/timeline`;
    const byProvider = (await get(path)).body;
    expect(bucketsOf(byProvider, 'garmin')).toEqual({
      [daysAgo(2).slice(0, 10)]: 1,
      [daysAgo(300).slice(0, 10)]: 1,
    });
    const workouts = (await get(path, { group_by: 'workout_type' })).body;
    expect(workouts.series.map((s: { key: string }) => s.key)).toEqual(['running']);
    // No read reaches back before the window: not the whole history of each series.
    const { seen } = await watchQueries(() => get(path));
    const lowest = seen.map((q) => (q.input.ExpressionAttributeValues as Record<string, unknown>)[':from']);
    expect(lowest.length).toBeGreaterThan(0);
    for (const from of lowest) expect(String(from)).not.toMatch(/^0{10}|1970-01/);
  });

  it(`answers a window over ${MAX_TIMELINE_DAYS} days with a 400 that says so`, async () => {
    const { userId } = await userWith();
    const path = `/api/v1/users/${userId}/summaries/data/timeline`;
    const detail = `The timeline spans at most ${MAX_TIMELINE_DAYS} days: narrow start_date..end_date (default: the last ${DEFAULT_TIMELINE_DAYS} days)`;
    const tooLong: Record<string, string>[] = [
      { start_date: '2024-01-01', end_date: '2026-01-01' },
      { start_date: '2020-01-01' },
      { end_date: '2026-01-01', start_date: '1970-01-01' },
    ];
    for (const query of tooLong) {
      expect(await get(path, query)).toEqual({ status: 400, body: { detail } });
    }
    const longest = {
      start_date: '2025-01-01',
      end_date: new Date(Date.UTC(2025, 0, 1) + MAX_TIMELINE_DAYS * DAY).toISOString(),
    };
    expect((await get(path, longest)).status).toBe(200);
  });

  it('resolves any window within the cap, and refuses any beyond it', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: Date.UTC(9000, 0) }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: Date.UTC(9000, 0) }), { nil: undefined }),
        fc.integer({ min: 0, max: Date.UTC(9000, 0) }),
        (startMs, endMs, now) => {
          let window: { fromMs: number; toMs: number } | undefined;
          try {
            window = timelineWindow({ startMs, endMs }, now);
          } catch (error) {
            expect(error).toBeInstanceOf(HttpError);
            expect((error as HttpError).statusCode).toBe(400);
          }
          const toMs = endMs ?? Math.floor(now / DAY) * DAY + DAY;
          if (window === undefined) {
            expect(toMs - startMs!).toBeGreaterThan(MAX_TIMELINE_DAYS * DAY);
            return;
          }
          expect(window.toMs).toBe(toMs);
          expect(window.fromMs).toBe(startMs ?? Math.max(0, toMs - DEFAULT_TIMELINE_DAYS * DAY));
          expect(window.toMs - window.fromMs).toBeLessThanOrEqual(MAX_TIMELINE_DAYS * DAY);
        },
      ),
    );
  });

  it('reads a bounded number of series at once', async () => {
    const { userId, records } = await userWith(GARMIN);
    const many = SERIES_TYPE_CODES.slice(0, 3 * TIMELINE_SERIES_CONCURRENCY);
    const at = new Date(Date.now() - 10 * DAY).toISOString();
    await Promise.all(many.map((series) => write(userId, records[0]!, series, at)));
    const path = `/api/v1/users/${userId}/summaries/data/timeline`;
    let body: unknown;
    const { peak } = await watchQueries(async () => {
      body = (await get(path, { group_by: 'series_type' })).body;
    });
    expect((body as { series: unknown[] }).series).toHaveLength(many.length);
    // Each series in flight: its chunk query and its archive query.
    expect(peak).toBeLessThanOrEqual(2 * TIMELINE_SERIES_CONCURRENCY);
  });

  it('names every bucket by the UTC day, or the Monday on or before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9000, 0) }), (ms) => {
        const day = bucketDate(ms, 'day');
        expect(day).toBe(new Date(ms).toISOString().slice(0, 10));
        const monday = Date.parse(bucketDate(ms, 'week'));
        expect(new Date(monday).getUTCDay()).toBe(1);
        expect(Date.parse(day) - monday).toBeGreaterThanOrEqual(0);
        expect(Date.parse(day) - monday).toBeLessThan(7 * 86_400_000);
      }),
    );
  });
});

describe('GET /users/{id}/events/workouts/types', () => {
  it("lists the user's own workout types, once each, alphabetically", async () => {
    const { userId, records } = await userWith(GARMIN);
    const other = await userWith(WHOOP);
    await workout(userId, records[0]!, GARMIN, 'running', '2026-06-15T07:00:00Z');
    await workout(userId, records[0]!, GARMIN, 'cycling', '2026-06-14T07:00:00Z');
    await workout(userId, records[0]!, GARMIN, 'running', '2026-06-13T07:00:00Z');
    await workout(other.userId, other.records[0]!, WHOOP, 'swimming', '2026-06-15T07:00:00Z');
    await insertEvent(
      newStoredEvent(userId, records[0]!.key, {
        category: 'sleep',
        type: 'sleep_session',
        source: GARMIN,
        start: Date.parse('2026-06-14T22:00:00Z'),
        end: Date.parse('2026-06-15T06:00:00Z'),
        zoneOffset: null,
        durationSeconds: 8 * 3600,
        externalId: null,
        details: sleepDetails(),
      }),
    );
    const answer = await get(`/api/v1/users/${userId}/events/workouts/types`);
    expect(answer).toEqual({ status: 200, body: ['cycling', 'running'] });
  });

  it('shows an untyped workout as unknown, as the workout list does', async () => {
    const { userId, records } = await userWith(GARMIN);
    await workout(userId, records[0]!, GARMIN, null, '2026-06-15T07:00:00Z');
    expect((await get(`/api/v1/users/${userId}/events/workouts/types`)).body).toEqual(['unknown']);
  });

  it('fetches only the type of each workout, page by page', async () => {
    const { userId, records } = await userWith(GARMIN);
    await workout(userId, records[0]!, GARMIN, 'running', '2026-06-15T07:00:00Z');
    await workout(userId, records[0]!, GARMIN, null, '2026-06-16T07:00:00Z');
    let answer: unknown;
    const { seen } = await watchQueries(async () => {
      answer = await get(`/api/v1/users/${userId}/events/workouts/types`);
    });
    expect(answer).toEqual({ status: 200, body: ['running', 'unknown'] });
    const items = seen.flatMap((q) => q.items);
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(Object.keys(item).filter((k) => k !== 'type')).toEqual([]);
  });

  it('is empty for an unknown user, and a 400 for a bad id', async () => {
    expect(
      (await get('/api/v1/users/6f1c4d0e-0000-4000-8000-000000000000/events/workouts/types')).body,
    ).toEqual([]);
    expect((await get('/api/v1/users/nope/events/workouts/types')).status).toBe(400);
  });
});
