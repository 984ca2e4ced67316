import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketSamples, RESOLUTIONS, type Resolution } from '#shared/data/bucketing.js';
import { sourceMetadata } from '#shared/data/source-metadata.js';
import { queryTimeseries, type TimeSeriesSample, type TimeseriesQuery } from '#shared/data/timeseries.js';
import type { Sample, SourceRef } from '#shared/model/health-data.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { apiDateTime } from '#shared/model/time.js';
import { roundValue } from '#shared/store/chunk-codec.js';
import { type DataSourceRecord, saveDataSources, toDataSource } from '#shared/store/data-sources.js';
import { writeSeriesSamples } from '#shared/store/timeseries.js';
import { newUserId } from '#test/helpers/users.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 6, 14, 21);
const SERIES: SeriesType[] = [
  'heart_rate',
  'steps',
  'six_minute_walk_test_distance',
  'heart_rate_variability_sdnn',
];
const SOURCE_REFS: SourceRef[] = [
  {
    provider: 'apple',
    deviceModel: 'Watch7,1',
    sourceName: 'Apple Watch',
    softwareVersion: '11.0',
    originalSourceName: null,
  },
  {
    provider: 'garmin',
    deviceModel: 'Forerunner 255',
    sourceName: null,
    softwareVersion: null,
    originalSourceName: null,
  },
];

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

async function newUser() {
  const userId = await newUserId();
  const sources = SOURCE_REFS.map((ref) => toDataSource(userId, ref));
  await saveDataSources(userId, sources);
  return { userId, sources };
}

interface Write {
  series: SeriesType;
  source: number;
  sample: Sample;
}

/**
 * Few distinct timestamps over two and a half hours, mostly on whole minutes like the query bounds, so duplicates (upserts),
 * same-instant rows across types and samples exactly on a bound are common.
 */
const writesArbitrary = fc.array(
  fc.record({
    series: fc.constantFrom(...SERIES),
    source: fc.constantFrom(0, 1),
    sample: fc.record({
      timestamp: fc
        .tuple(fc.integer({ min: 0, max: 150 }), fc.constantFrom(0, 0, 0, 2500, 5000, 59_999))
        .map(([minute, ms]) => T0 + minute * 60_000 + ms),
      value: fc.integer({ min: -1_000_000, max: 100_000_000 }).map((milli) => milli / 1000),
      zoneOffset: fc.constantFrom(null, '+02:00'),
      isDailyTotal: fc.constantFrom(null, false, true),
    }),
  }),
  { minLength: 10, maxLength: 200, size: 'max' },
);

/** Whole minutes (the start possibly mid-second), or a written sample's own timestamp to probe the bounds. */
const boundsArbitrary = fc.record({
  startMinute: fc.integer({ min: 0, max: 120 }),
  spanMinutes: fc.integer({ min: 1, max: 180 }),
  startOffsetMs: fc.constantFrom(0, 2500),
  startOnSample: fc.option(fc.nat()),
  endOnSample: fc.option(fc.nat()),
});

function resolveBounds(
  bounds: typeof boundsArbitrary extends fc.Arbitrary<infer B> ? B : never,
  writes: Write[],
) {
  const onSample = (pick: number | null) =>
    pick === null ? undefined : writes[pick % writes.length]!.sample.timestamp;
  const startMs = onSample(bounds.startOnSample) ?? T0 + bounds.startMinute * 60_000 + bounds.startOffsetMs;
  return { startMs, endMs: onSample(bounds.endOnSample) ?? startMs + bounds.spanMinutes * 60_000 };
}

async function store(userId: string, sources: DataSourceRecord[], writes: Write[]) {
  await Promise.all(
    groupBy(writes, (w) => `${w.series}|${w.source}`).map((group) =>
      writeSeriesSamples(
        userId,
        sources[group[0]!.source]!.key,
        group[0]!.series,
        group.map((w) => w.sample),
      ),
    ),
  );
}

/** What the endpoint should list: last write per (series, source, timestamp), bucketed, rendered, sorted. */
function expectedItems(
  writes: Write[],
  sources: DataSourceRecord[],
  query: Pick<TimeseriesQuery, 'startMs' | 'endMs' | 'resolution'>,
): TimeSeriesSample[] {
  const latest = new Map(writes.map((w) => [`${w.series}|${w.source}|${w.sample.timestamp}`, w]));
  const groups = groupBy(
    [...latest.values()].filter(
      (w) => w.sample.timestamp >= query.startMs && w.sample.timestamp < query.endMs,
    ),
    (w) => `${w.series}|${w.source}`,
  );
  const rows = groups.flatMap((group) => {
    const { series, source } = group[0]!;
    const samples = group
      .map((w) => ({ ...w.sample, value: roundValue(w.sample.value) }))
      .sort((a, b) => a.timestamp - b.timestamp);
    return bucketSamples(samples, query.resolution, SERIES_TYPES[series].aggregation).map((sample) => ({
      series,
      source: sources[source]!,
      sample,
    }));
  });
  const orderKey = (r: (typeof rows)[number]) => [r.sample.timestamp, r.series, r.source.key] as const;
  rows.sort((a, b) => {
    const [x, y] = [orderKey(a), orderKey(b)];
    return (
      x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0)
    );
  });
  return rows.map(({ series, source, sample }) => ({
    timestamp: apiDateTime(new Date(sample.timestamp)),
    zone_offset: sample.zoneOffset,
    type: series,
    value: sample.value,
    unit: SERIES_TYPES[series].unit,
    source: sourceMetadata(source),
    is_daily_total: sample.isDailyTotal,
  }));
}

/** Follows next_cursor to the end, checking the envelope of every page. */
async function walk(userId: string, query: TimeseriesQuery) {
  const items: TimeSeriesSample[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let totalCount: number | null = null;
  do {
    const page = await queryTimeseries(userId, { ...query, cursor });
    expect(page.data.length).toBeLessThanOrEqual(query.limit ?? 50);
    expect(page.metadata).toMatchObject({ resolution: query.resolution, sample_count: page.data.length });
    expect(page.pagination.has_more).toBe(page.pagination.next_cursor !== null);
    totalCount ??= page.pagination.total_count;
    expect(page.pagination.total_count).toBe(totalCount);
    if (pages === 0) expect(page.pagination.previous_cursor).toBeNull();
    items.push(...page.data);
    cursor = page.pagination.next_cursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, totalCount };
}

describe('queryTimeseries', () => {
  // 40 runs, each writing up to 200 samples and walking up to 200 pages against DynamoDB Local: a few seconds on an
  // idle machine, many times that on a busy one, hence its own timeout rather than fewer runs.
  it('a full cursor walk returns exactly the reference, for raw and every resolution', {
    timeout: 120_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        writesArbitrary,
        fc.constantFrom(...RESOLUTIONS),
        fc.integer({ min: 1, max: 40 }),
        boundsArbitrary,
        fc.subarray(SERIES),
        async (writes, resolution, limit, bounds, types) => {
          const { userId, sources } = await newUser();
          await store(userId, sources, writes);
          const query = { types, ...resolveBounds(bounds, writes), resolution, limit };
          const chosen = types.length > 0 ? writes.filter((w) => types.includes(w.series)) : writes;
          const expected = expectedItems(chosen, sources, query);
          const { items, totalCount } = await walk(userId, query);
          expect(items).toEqual(expected);
          expect(totalCount).toBe(expected.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('cursors are stable under inserts: nothing repeats, nothing that existed is skipped', async () => {
    const { userId, sources } = await newUser();
    const key = sources[0]!.key;
    const hr = (minute: number, value: number): Sample => ({
      timestamp: T0 + minute * 60_000,
      value,
      zoneOffset: null,
      isDailyTotal: null,
    });
    const original = Array.from({ length: 60 }, (_, i) => hr(2 * i, 60 + i));
    await writeSeriesSamples(userId, key, 'heart_rate', original);
    const query = { types: [], startMs: T0, endMs: T0 + 3 * HOUR, resolution: 'raw' as Resolution, limit: 7 };

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round === 0 || cursor; round++) {
      const page = await queryTimeseries(userId, { ...query, cursor });
      seen.push(...page.data.map((d) => d.timestamp));
      cursor = page.pagination.next_cursor ?? undefined;
      // Odd minutes interleave with the listed ones, before and after the cursor.
      await writeSeriesSamples(userId, key, 'heart_rate', [hr(4 * round + 1, 100), hr(4 * round + 29, 100)]);
    }
    expect(new Set(seen).size).toBe(seen.length);
    const originalStamps = original.map((s) => apiDateTime(new Date(s.timestamp)));
    expect(originalStamps.every((t) => seen.includes(t))).toBe(true);
    expect(seen).toEqual([...seen].sort());
  });

  it('renders the contract shape, pages backwards, and lists every series when types is empty', async () => {
    const { userId, sources } = await newUser();
    const [apple, garmin] = sources as [DataSourceRecord, DataSourceRecord];
    const at = (minute: number, value: number, isDailyTotal: boolean | null = null): Sample => ({
      timestamp: T0 + minute * 60_000,
      value,
      zoneOffset: '+02:00',
      isDailyTotal,
    });
    await writeSeriesSamples(userId, apple.key, 'heart_rate', [at(0, 61), at(1, 62), at(2, 63)]);
    await writeSeriesSamples(userId, garmin.key, 'heart_rate', [at(0.5, 70.5)]);
    await writeSeriesSamples(userId, apple.key, 'steps', [at(0, 12.25, false), at(1, 30, false)]);
    const query = { types: [], startMs: T0, endMs: T0 + HOUR, resolution: 'raw' as Resolution, limit: 2 };

    const first = await queryTimeseries(userId, query);
    expect(first.data[0]).toEqual({
      timestamp: '2025-07-14T21:00:00Z',
      zone_offset: '+02:00',
      type: 'heart_rate',
      value: 61,
      unit: 'bpm',
      source: {
        provider: 'apple',
        source: 'Apple Watch',
        device: 'Watch7,1',
        device_type: 'watch',
        device_name: 'Apple Watch Series 9',
      },
      is_daily_total: null,
    });
    expect(first.data.map((d) => [d.type, d.value])).toEqual([
      ['heart_rate', 61],
      ['steps', 12.25],
    ]);
    expect(first.pagination).toMatchObject({ has_more: true, previous_cursor: null, total_count: 6 });
    expect(first.metadata).toEqual({
      resolution: 'raw',
      sample_count: 2,
      start_time: '2025-07-14T21:00:00Z',
      end_time: '2025-07-14T22:00:00Z',
    });

    const second = await queryTimeseries(userId, { ...query, cursor: first.pagination.next_cursor! });
    expect(second.data.map((d) => [d.type, d.source.provider, d.value])).toEqual([
      ['heart_rate', 'garmin', 70.5],
      ['heart_rate', 'apple', 62],
    ]);
    const back = await queryTimeseries(userId, { ...query, cursor: second.pagination.previous_cursor! });
    expect(back.data).toEqual(first.data);

    const hourly = await queryTimeseries(userId, { ...query, resolution: '1hour', limit: 10 });
    const hourlyHeartRate = [
      ['heart_rate', 'apple', 62, null],
      ['heart_rate', 'garmin', 70.5, null],
    ];
    expect(hourly.data.map((d) => [d.type, d.source.provider, d.value, d.is_daily_total])).toEqual([
      ...(apple.key < garmin.key ? hourlyHeartRate : hourlyHeartRate.reverse()),
      ['steps', 'apple', 42.25, false],
    ]);
    expect(hourly.metadata.resolution).toBe('1hour');
  });

  it('a midnight end time includes that whole day', async () => {
    const { userId, sources } = await newUser();
    const midnight = Date.UTC(2025, 6, 15);
    const sample = { timestamp: midnight + 23 * HOUR, value: 5, zoneOffset: null, isDailyTotal: null };
    await writeSeriesSamples(userId, sources[0]!.key, 'weight', [sample]);
    const page = await queryTimeseries(userId, {
      types: ['weight'],
      startMs: midnight - DAY,
      endMs: midnight,
      resolution: 'raw',
    });
    expect(page.data.map((d) => d.value)).toEqual([5]);
    expect(page.metadata.end_time).toBe('2025-07-16T00:00:00Z');
  });

  it('rejects a malformed cursor with the contract text', async () => {
    const { userId } = await newUser();
    const query = { types: [], startMs: T0, endMs: T0 + HOUR, resolution: 'raw' as Resolution };
    for (const cursor of ['not-a-cursor', Buffer.from('2025-01-01T00:00:00Z').toString('base64')]) {
      await expect(queryTimeseries(userId, { ...query, cursor })).rejects.toMatchObject({
        statusCode: 400,
        detail: `Invalid cursor format: '${cursor}'. Expected 'timestamp|id'.`,
      });
    }
  });
});
