import { describe, expect, it } from 'vitest';
import type { Sample, SourceRef } from '#shared/model/health-data.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { dailyUnits, identityFrom, ultrahuman } from '#shared/providers/ultrahuman/index.js';
import { mapDailyMetrics } from '#shared/providers/ultrahuman/mapping.js';

/** providers.md 4.8, `GET /user_data/metrics?date=2024-01-15`, verbatim. */
const example = () => ({
  data: {
    metric_data: [
      {
        type: 'hr',
        object: {
          day_start_timestamp: 1705276800,
          title: 'Heart Rate',
          unit: 'bpm',
          values: [
            { value: 58, timestamp: 1705276815 },
            { value: 62, timestamp: 1705277115 },
          ],
          last_reading: { value: 62, timestamp: 1705277115 },
        },
      },
      {
        type: 'hrv',
        object: {
          day_start_timestamp: 1705276800,
          title: 'HRV',
          subtitle: 'Average',
          avg: 47,
          values: [
            { value: 42, timestamp: 1705276815 },
            { value: 51, timestamp: 1705277115 },
          ],
        },
      },
      {
        type: 'temp',
        object: {
          day_start_timestamp: 1705276800,
          title: 'Skin Temperature',
          unit: '°C',
          values: [{ value: 36.2, timestamp: 1705276815 }],
        },
      },
      {
        type: 'steps',
        object: {
          day_start_timestamp: 1705276800,
          total: 8452,
          avg: 6200,
          values: [
            { value: 0, timestamp: 1705276815 },
            { value: 120, timestamp: 1705277115 },
          ],
        },
      },
      {
        type: 'Sleep',
        object: {
          bedtime_start: 1705287600,
          bedtime_end: 1705314000,
          quick_metrics: [
            { title: 'TIME IN BED', display_text: '7h 20m', value: 26400, type: 'time_in_bed' },
            { title: 'TOTAL SLEEP', display_text: '6h 48m', value: 24480, type: 'total_sleep' },
            { title: 'EFFICIENCY', display_text: '91%', value: 91, type: 'sleep_efic' },
          ],
          sleep_stages: [
            { title: 'Deep Sleep', type: 'deep_sleep', percentage: 18, stage_time: 4680 },
            { title: 'Light Sleep', type: 'light_sleep', percentage: 44, stage_time: 11520 },
            { title: 'REM Sleep', type: 'rem_sleep', percentage: 30, stage_time: 7800 },
            { title: 'Awake', type: 'awake', percentage: 8, stage_time: 2100 },
          ],
          spo2: { title: 'Average Oxygen Saturation', value: 97, is_beta: true },
        },
      },
      { type: 'vo2_max', object: { value: 42.5, title: 'VO2 Max', day_start_timestamp: 1705276800 } },
      {
        type: 'active_minutes',
        object: { title: 'Active Minutes', day_start_timestamp: 1705276800, value: 35 },
      },
      {
        type: 'recovery_index',
        object: { value: 78, title: 'Recovery Index', day_start_timestamp: 1705276800 },
      },
      {
        type: 'night_rhr',
        object: { day_start_timestamp: 1705276800, avg: 51, values: [{ value: 52, timestamp: 1705290000 }] },
      },
    ],
  },
});

const DAY = '2024-01-15';
const DAY_START = Date.UTC(2024, 0, 15);
const DAY_MS = 86_400_000;

const source: SourceRef = {
  provider: 'ultrahuman',
  deviceModel: 'Ultrahuman Ring Air',
  sourceName: 'Ultrahuman',
  softwareVersion: null,
  originalSourceName: null,
};

const s = (seconds: number, value: number, isDailyTotal: boolean | null = null): Sample => ({
  timestamp: seconds * 1000,
  value,
  zoneOffset: null,
  isDailyTotal,
});

// biome-ignore lint/suspicious/noExplicitAny: payload variants are edited freely
const metrics = (body: any): any[] => body.data.metric_data;
const seriesOf = (result: ReturnType<typeof mapDailyMetrics>, series: string) =>
  result.series.find((entry) => entry.series === series)?.samples;

describe('ultrahuman mapping: providers.md 4.8 example', () => {
  const result = mapDailyMetrics(example(), DAY, DAY_START);

  it('maps every series type, skin temperature as skin_temperature, zero steps dropped', () => {
    expect(result.series).toEqual([
      { source, series: 'heart_rate', samples: [s(1705276815, 58), s(1705277115, 62)] },
      {
        source,
        series: 'heart_rate_variability_sdnn',
        samples: [s(1705276815, 42), s(1705277115, 51)],
      },
      { source, series: 'skin_temperature', samples: [s(1705276815, 36.2)] },
      { source, series: 'steps', samples: [s(1705276800, 8452, true), s(1705277115, 120, false)] },
      { source, series: 'vo2_max', samples: [s(1705276800, 42.5)] },
      { source, series: 'active_time', samples: [s(1705276800, 35, true)] },
    ]);
  });

  it('maps the night into one sleep session', () => {
    expect(result.events).toEqual([
      {
        category: 'sleep',
        type: 'sleep_session',
        source,
        start: 1705287600_000,
        end: 1705314000_000,
        zoneOffset: null,
        durationSeconds: 26400,
        externalId: 'sleep-2024-01-15',
        details: {
          sleep_total_duration_minutes: 400,
          sleep_time_in_bed_minutes: 440,
          sleep_efficiency_score: 91,
          sleep_deep_minutes: 78,
          sleep_rem_minutes: 130,
          sleep_light_minutes: 192,
          sleep_awake_minutes: 35,
          is_nap: false,
          sleep_stages: null,
        },
      },
    ]);
  });

  it('keeps recovery_index as a recovery score at the day start', () => {
    expect(result.scores).toEqual([
      {
        source,
        category: 'recovery',
        value: 78,
        qualifier: null,
        recordedAt: 1705276800_000,
        zoneOffset: null,
        components: null,
      },
    ]);
  });

  it('ignores unmapped types (night_rhr)', () => {
    expect(result.series.map((entry) => entry.series)).not.toContain('resting_heart_rate');
    expect(result.series.flatMap((entry) => entry.samples).map((x) => x.timestamp)).not.toContain(
      1705290000_000,
    );
  });
});

describe('ultrahuman mapping: sleep fallbacks', () => {
  const sleepOnly = (object: Record<string, unknown>) =>
    mapDailyMetrics({ data: { metric_data: [{ type: 'Sleep', object }] } }, DAY, DAY_START).events[0];

  it('without stage time: total = in bed - awake; efficiency from sleep_efficiency', () => {
    const event = sleepOnly({
      bedtime_start: 1705287600,
      bedtime_end: 1705314000,
      quick_metrics: [{ type: 'time_in_bed', value: 26400 }],
      sleep_stages: [{ type: 'awake', stage_time: 2400 }],
      sleep_efficiency: 87.456,
    });
    expect(event?.details).toMatchObject({
      sleep_total_duration_minutes: 400,
      sleep_time_in_bed_minutes: 440,
      sleep_efficiency_score: 87.46,
      sleep_deep_minutes: null,
      sleep_awake_minutes: 35 + 5,
    });
  });

  it('without time_in_bed: bedtime end - start', () => {
    const event = sleepOnly({ bedtime_start: 1705287600, bedtime_end: 1705287600 + 3600 });
    expect(event?.details).toMatchObject({
      sleep_time_in_bed_minutes: 60,
      sleep_total_duration_minutes: 60,
      sleep_efficiency_score: null,
    });
  });

  it('no event without a valid bedtime window', () => {
    expect(sleepOnly({ bedtime_start: 1705314000, bedtime_end: 1705287600 })).toBeUndefined();
    expect(sleepOnly({ bedtime_start: 'late', bedtime_end: 1705287600 })).toBeUndefined();
    expect(sleepOnly({ quick_metrics: [] })).toBeUndefined();
  });
});

describe('ultrahuman mapping: defensive', () => {
  it('skips malformed metrics and values, keeps the rest of the day', () => {
    const body = example();
    const list = metrics(body);
    list.unshift(
      null,
      42,
      'hr',
      { type: 'hr' },
      { type: 'hr', object: null },
      { type: 'hr', object: { values: 'nope' } },
      { object: { values: [{ value: 1, timestamp: 1705276815 }] } },
      { type: 'Sleep', object: { bedtime_start: null } },
      { type: 'vo2_max', object: { value: 'n/a' } },
      { type: 'recovery_index', object: { value: null } },
      { type: 'steps', object: { total: Number.NaN, values: null } },
      { type: 'cgm', object: { values: [{ value: 99, timestamp: 1705276815 }] } },
    );
    list
      .find((m) => m?.object?.title === 'Heart Rate')
      .object.values.push(
        null,
        { value: 'x', timestamp: 1705277415 },
        { value: 70, timestamp: 'soon' },
        { value: 71 },
        { value: 72, timestamp: 1705277415_000 },
        { value: 73, timestamp: -5 },
        { value: 1e12, timestamp: 1705277415 },
      );
    expect(() => mapDailyMetrics(body, DAY, DAY_START)).not.toThrow();
    expect(mapDailyMetrics(body, DAY, DAY_START)).toEqual(mapDailyMetrics(example(), DAY, DAY_START));
  });

  it('an empty or unexpected body is an empty day', () => {
    const empty = { series: [], events: [], scores: [] };
    for (const body of [null, {}, { data: null }, { data: { metric_data: null } }, [], 'x'])
      expect(mapDailyMetrics(body, DAY, DAY_START)).toEqual(empty);
  });

  it('day-level values default to the requested day start; numeric strings are read', () => {
    const result = mapDailyMetrics(
      {
        data: {
          metric_data: [
            { type: 'vo2_max', object: { value: '41' } },
            { type: 'active_minutes', object: { value: 12 } },
            { type: 'recovery_index', object: { value: 66.6666 } },
          ],
        },
      },
      DAY,
      DAY_START,
    );
    expect(seriesOf(result, 'vo2_max')).toEqual([{ ...s(DAY_START / 1000, 41) }]);
    expect(seriesOf(result, 'active_time')).toEqual([s(DAY_START / 1000, 12, true)]);
    expect(result.scores[0]).toMatchObject({ value: 66.667, recordedAt: DAY_START });
  });

  it('a steps sample at the day start is not overwritten by the daily total', () => {
    const result = mapDailyMetrics(
      {
        data: {
          metric_data: [
            {
              type: 'steps',
              object: {
                day_start_timestamp: 1705276800,
                total: 500,
                values: [{ value: 7, timestamp: 1705276800 }],
              },
            },
          ],
        },
      },
      DAY,
      DAY_START,
    );
    expect(seriesOf(result, 'steps')).toEqual([s(1705276800, 7, false)]);
  });

  it('device model from the payload when present', () => {
    const body = example() as ReturnType<typeof example> & { data: { device_model?: string } };
    body.data.device_model = 'Ultrahuman Ring AIR Gen 2';
    const result = mapDailyMetrics(body, DAY, DAY_START);
    expect(result.series[0]?.source.deviceModel).toBe('Ultrahuman Ring AIR Gen 2');
    expect(result.events[0]?.source.deviceModel).toBe('Ultrahuman Ring AIR Gen 2');
  });
});

describe('ultrahuman units', () => {
  it('a 90-day window is 91 UTC days, end day included', () => {
    const end = Date.parse('2024-04-14T13:45:00Z');
    const units = dailyUnits(end - 90 * DAY_MS, end);
    expect(units).toHaveLength(91);
    expect(units[0]).toEqual({
      key: '2024-01-15',
      start: Date.UTC(2024, 0, 15),
      end: Date.UTC(2024, 0, 16),
    });
    expect(units.at(-1)?.key).toBe('2024-04-14');
    for (const [i, unit] of units.entries()) {
      expect(unit.end - unit.start).toBe(DAY_MS);
      if (i > 0) expect(unit.start).toBe(units[i - 1]!.end);
      expect(new Date(unit.start).toISOString().slice(0, 10)).toBe(unit.key);
    }
    expect(ultrahuman.units(end - 90 * DAY_MS, end)).toEqual(units);
  });

  it('within one day, at midnight, across a leap day, empty when reversed', () => {
    const t = Date.parse('2024-02-28T10:00:00Z');
    expect(dailyUnits(t, t + 3600_000).map((u) => u.key)).toEqual(['2024-02-28']);
    expect(dailyUnits(t, Date.parse('2024-03-01T00:00:00Z')).map((u) => u.key)).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(dailyUnits(t, t - 1)).toEqual([]);
    expect(dailyUnits(Number.NaN, t)).toEqual([]);
  });
});

describe('ultrahuman identity and pull', () => {
  it('reads user_id and username, else email, top-level or in data', () => {
    expect(identityFrom({ user_id: 'u-1', username: 'ring', email: 'a@b.c' })).toEqual({
      providerUserId: 'u-1',
      providerUsername: 'ring',
    });
    expect(identityFrom({ data: { user_id: 123, email: 'a@b.c' } })).toEqual({
      providerUserId: '123',
      providerUsername: 'a@b.c',
    });
    expect(identityFrom({})).toEqual({ providerUserId: null, providerUsername: null });
    expect(identityFrom(null)).toEqual({ providerUserId: null, providerUsername: null });
  });

  it('pull asks for the unit day and maps it', async () => {
    const calls: unknown[][] = [];
    const get: ProviderGet = async (...args) => {
      calls.push(args);
      return example();
    };
    const [unit] = ultrahuman.units(DAY_START + 5, DAY_START + 6);
    const result = await ultrahuman.pull(get, unit!);
    expect(calls).toEqual([['/user_data/metrics', { date: DAY }]]);
    expect(result).toEqual(mapDailyMetrics(example(), DAY, DAY_START));
  });

  it('an error in a 200 body is a failed request', async () => {
    const get: ProviderGet = async () => ({ error: 'invalid date', data: null });
    await expect(
      ultrahuman.pull(get, { key: DAY, start: DAY_START, end: DAY_START + DAY_MS }),
    ).rejects.toThrow(ProviderRequestError);
  });
});
