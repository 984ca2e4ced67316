import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SDK_METRIC_TYPES, SDK_WORKOUT_TYPES } from '#shared/ingest/sdk-mappings.js';
import { type NormalisedBatch, normaliseSdkBatch } from '#shared/ingest/sdk-normalise.js';
import { parseIsoDateTime } from '#shared/ingest/sdk-payload.js';
import { buildSleepEvent, groupSegmentsIntoSessions } from '#shared/ingest/sleep-assembly.js';
import type { SourceRef } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SdkProvider } from '#shared/model/provider.js';
import { isSeriesType } from '#shared/model/series.js';

// biome-ignore lint/suspicious/noExplicitAny: fixtures are edited freely to build variants
const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../fixtures/sdk/${name}`, import.meta.url), 'utf8'));

const at = (iso: string) => Date.parse(iso);

function normalise(body: unknown, provider: SdkProvider): NormalisedBatch {
  const result = normaliseSdkBatch(body, provider);
  if (!result.ok) throw new Error(result.error);
  return result.batch;
}

const ref = (
  provider: SdkProvider,
  deviceModel: string | null,
  sourceName: string | null,
  extra = {},
): SourceRef => ({
  provider,
  deviceModel,
  sourceName,
  softwareVersion: null,
  originalSourceName: null,
  ...extra,
});

const sample = (
  iso: string,
  value: number,
  zoneOffset: string | null,
  isDailyTotal: boolean | null = null,
) => ({
  timestamp: at(iso),
  value,
  zoneOffset,
  isDailyTotal,
});

/** One record in an otherwise empty payload. */
const withRecord = (record: Record<string, unknown>, provider: SdkProvider = 'apple') => ({
  provider,
  sdkVersion: '0.6.0',
  syncTimestamp: '2026-03-02T07:15:04Z',
  data: {
    records: [
      {
        type: 'HKQuantityTypeIdentifierHeartRate',
        startDate: '2026-03-02T06:58:10Z',
        endDate: '2026-03-02T06:58:10Z',
        value: 58,
        unit: 'bpm',
        ...record,
      },
    ],
  },
});

const onlySample = (batch: NormalisedBatch) => {
  expect(batch.series).toHaveLength(1);
  return {
    ...batch.series[0]!.samples[0]!,
    series: batch.series[0]!.series,
    source: batch.series[0]!.source,
  };
};

describe('the contract 6.5 iOS example', () => {
  const batch = normalise(fixture('ios-example.json'), 'apple');
  const watch = ref('apple', 'Watch7,1', 'Apple Watch');

  it('yields 3 record samples plus the workout-derived stride length', () => {
    expect(batch.series).toEqual([
      {
        source: { ...watch, softwareVersion: '11.2.0' },
        series: 'heart_rate',
        samples: [sample('2026-03-02T06:58:10Z', 58, null)],
      },
      {
        source: ref('apple', 'iPhone15,2', 'com.apple.health.9C0E…'),
        series: 'steps',
        samples: [sample('2026-03-02T06:50:00Z', 412, '+01:00', false)],
      },
      {
        source: ref('apple', null, 'Health Mate', { originalSourceName: 'Health Mate' }),
        series: 'weight',
        samples: [sample('2026-03-02T06:40:00Z', 72.4, '+01:00')],
      },
      {
        source: watch,
        series: 'running_stride_length',
        samples: [sample('2026-03-01T16:49:40Z', 112, '+01:00')],
      },
    ]);
  });

  it('yields the running workout with every statistic', () => {
    expect(batch.workouts).toEqual([
      {
        category: 'workout',
        type: 'running',
        source: watch,
        start: at('2026-03-01T16:02:11Z'),
        end: at('2026-03-01T16:49:40Z'),
        zoneOffset: '+01:00',
        durationSeconds: 2849,
        externalId: 'W-7E13A9',
        details: {
          energy_burned: 574.1,
          distance: 8123.4,
          steps_count: 7390,
          heart_rate_min: 96,
          heart_rate_avg: 152.4,
          heart_rate_max: 178,
          average_watts: 241,
          total_elevation_gain: 48,
        },
      },
    ]);
  });

  it('yields the 5 sleep segments, assembled into one night with the contract figures', () => {
    const source = ref('apple', 'Watch7,1', 'com.apple.health.6D1B…');
    const segment = (id: string, stage: string, from: string, to: string) => ({
      source,
      stage,
      start: at(from),
      end: at(to),
      zoneOffset: '+01:00',
      externalId: id,
    });
    expect(batch.sleepSegments).toEqual([
      segment('S-001', 'in_bed', '2026-03-01T22:41:00Z', '2026-03-02T06:05:00Z'),
      segment('S-002', 'light', '2026-03-01T22:55:00Z', '2026-03-01T23:40:00Z'),
      segment('S-003', 'deep', '2026-03-01T23:40:00Z', '2026-03-02T00:35:00Z'),
      segment('S-004', 'rem', '2026-03-02T00:35:00Z', '2026-03-02T01:10:00Z'),
      segment('S-005', 'awake', '2026-03-02T01:10:00Z', '2026-03-02T01:16:00Z'),
    ]);
    const sessions = groupSegmentsIntoSessions(batch.sleepSegments);
    expect(sessions).toHaveLength(1);
    const night = buildSleepEvent(sessions[0]!);
    expect(night).toMatchObject({ start: at('2026-03-01T22:55:00Z'), end: at('2026-03-02T01:16:00Z') });
    expect(night.details).toMatchObject({
      sleep_light_minutes: 45,
      sleep_deep_minutes: 55,
      sleep_rem_minutes: 35,
      sleep_awake_minutes: 6,
      sleep_time_in_bed_minutes: 444,
    });
    expect(night.details.sleep_efficiency_score).toBeCloseTo(30.4, 1);
  });

  it('counts what was received and drops nothing', () => {
    expect(batch.received).toEqual({ records: 3, workouts: 1, sleep: 5 });
    expect(batch.dropped).toBe(0);
  });
});

describe('a Health Connect (Android SDK 0.11.0) payload', () => {
  const batch = normalise(fixture('health-connect.json'), 'health_connect');
  const watch = ref('health_connect', 'Pixel Watch 2', 'com.google.android.apps.fitness');
  const phone = ref('health_connect', 'Pixel 8', 'com.google.android.apps.fitness');
  const scale = ref('health_connect', 'Body+', 'com.withings.wiscale2');

  it('maps upper-case record types, converts units and skips TOTAL_CALORIES_BURNED', () => {
    expect(batch.series).toEqual([
      {
        source: watch,
        series: 'heart_rate',
        samples: [
          sample('2026-03-05T06:45:00.123Z', 61, '+01:00'),
          sample('2026-03-05T06:46:00.504Z', 63, '+01:00'),
        ],
      },
      { source: phone, series: 'steps', samples: [sample('2026-03-05T06:00:00Z', 842, '+01:00', false)] },
      {
        source: phone,
        series: 'distance_walking_running',
        samples: [sample('2026-03-05T06:00:00Z', 612.5, '+01:00', false)],
      },
      { source: phone, series: 'energy', samples: [sample('2026-03-05T06:00:00Z', 38.2, '+01:00', false)] },
      {
        source: ref('health_connect', null, 'com.dexcom.g7'),
        series: 'blood_glucose',
        samples: [sample('2026-03-05T07:02:00Z', 104.506, '+01:00')],
      },
      { source: watch, series: 'oxygen_saturation', samples: [sample('2026-03-05T04:12:00Z', 96, '+01:00')] },
      { source: scale, series: 'weight', samples: [sample('2026-03-05T06:31:44Z', 71.8, '+01:00')] },
      {
        source: ref('health_connect', null, 'com.google.android.apps.healthdata'),
        series: 'height',
        samples: [sample('2026-01-12T09:00:00Z', 178, '+01:00')],
      },
      {
        source: scale,
        series: 'body_fat_percentage',
        samples: [sample('2026-03-05T06:31:44Z', 18.5, '+01:00')],
      },
      {
        source: watch,
        series: 'heart_rate_variability_rmssd',
        samples: [sample('2026-03-05T03:55:00Z', 42.1, '+01:00')],
      },
      {
        source: watch,
        series: 'resting_heart_rate',
        samples: [sample('2026-03-05T00:00:00Z', 52, '+01:00')],
      },
      { source: watch, series: 'cadence', samples: [sample('2026-03-03T19:15:00Z', 84, '+01:00')] },
    ]);
  });

  it('maps the workouts, with durations sent in milliseconds', () => {
    expect(batch.workouts).toEqual([
      {
        category: 'workout',
        type: 'running',
        source: watch,
        start: at('2026-03-04T17:05:00Z'),
        end: at('2026-03-04T17:41:30Z'),
        zoneOffset: '+01:00',
        durationSeconds: 2190,
        externalId: '3b9d2c71-6e5f-4a8b-9c0d-1e2f3a4b5c6d',
        details: {
          energy_burned: 402.6,
          distance: 6120,
          steps_count: 5980,
          heart_rate_min: 101,
          heart_rate_avg: 151.37,
          heart_rate_max: 176,
          average_speed: 2.79,
          max_speed: 4.12,
          total_elevation_gain: 31.5,
        },
      },
      {
        category: 'workout',
        type: 'indoor_cycling',
        source: watch,
        start: at('2026-03-03T18:30:00Z'),
        end: at('2026-03-03T19:15:00Z'),
        zoneOffset: '+01:00',
        durationSeconds: 2700,
        externalId: '8e40a5d2-7b6c-4d9e-8f1a-2b3c4d5e6f70',
        details: { energy_burned: 388, distance: 18400, heart_rate_avg: 138.6, heart_rate_max: 165 },
      },
    ]);
  });

  it('assembles the sleep stages into one night', () => {
    expect(batch.sleepSegments).toHaveLength(11);
    expect(batch.sleepSegments.every((s) => s.source.deviceModel === 'Pixel Watch 2')).toBe(true);
    const [session, ...others] = groupSegmentsIntoSessions(batch.sleepSegments);
    expect(others).toEqual([]);
    const { segments, details, ...night } = buildSleepEvent(session!);
    expect(night).toEqual({
      category: 'sleep',
      type: 'sleep_session',
      source: watch,
      start: at('2026-03-04T22:48:00Z'),
      end: at('2026-03-05T06:31:00Z'),
      zoneOffset: '+01:00',
      durationSeconds: 463 * 60,
      externalId: '5c7e19a0-2d3f-4b1a-8c9e-0f1a2b3c4d5e-0',
    });
    expect({ ...details, sleep_stages: details.sleep_stages?.length }).toEqual({
      sleep_total_duration_minutes: 448,
      sleep_time_in_bed_minutes: 463,
      sleep_efficiency_score: 96.76,
      sleep_deep_minutes: 75,
      sleep_rem_minutes: 106,
      sleep_light_minutes: 267,
      sleep_awake_minutes: 15,
      is_nap: false,
      sleep_stages: 11,
    });
  });

  it('counts TOTAL_CALORIES_BURNED (it would double-count active energy) as received and dropped', () => {
    expect(batch.received).toEqual({ records: 13, workouts: 2, sleep: 11 });
    expect(batch.dropReasons).toEqual({ 'no unified type for TOTAL_CALORIES_BURNED': 1 });
  });
});

describe('a Samsung Health payload (providers.md 4.11, extended)', () => {
  const batch = normalise(fixture('samsung.json'), 'samsung');
  const galaxyWatch = ref('samsung', 'SM-R960', 'Galaxy Watch7');
  const shealth = ref('samsung', 'SM-R960', 'com.sec.android.app.shealth');

  it('keeps Samsung percentages as sent and names the source after the device', () => {
    expect(batch.series).toEqual([
      {
        source: galaxyWatch,
        series: 'blood_pressure_systolic',
        samples: [sample('2026-02-24T08:30:00Z', 122, '+01:00')],
      },
      {
        source: galaxyWatch,
        series: 'blood_pressure_diastolic',
        samples: [sample('2026-02-24T08:30:00Z', 79, '+01:00')],
      },
      { source: galaxyWatch, series: 'heart_rate', samples: [sample('2026-02-24T08:31:00Z', 67, '+01:00')] },
      {
        source: ref('samsung', 'SM-S921B', 'Galaxy S24'),
        series: 'steps',
        samples: [sample('2026-02-24T08:00:00Z', 1234, '+01:00', false)],
      },
      {
        source: galaxyWatch,
        series: 'body_fat_percentage',
        samples: [sample('2026-02-24T07:55:00Z', 22.3, '+01:00')],
      },
      {
        source: galaxyWatch,
        series: 'skeletal_muscle_mass',
        samples: [sample('2026-02-24T07:55:00Z', 31.2, '+01:00')],
      },
      { source: shealth, series: 'vo2_max', samples: [sample('2026-02-24T06:45:00Z', 42.5, '+01:00')] },
    ]);
  });

  it('maps the upper-case RUNNING workout with Samsung statistic names', () => {
    expect(batch.workouts).toEqual([
      {
        category: 'workout',
        type: 'running',
        source: shealth,
        start: at('2026-02-24T06:00:00Z'),
        end: at('2026-02-24T06:45:00Z'),
        zoneOffset: '+01:00',
        durationSeconds: 2700,
        externalId: 'wrk-001-s0',
        details: {
          energy_burned: 345.5,
          distance: 5234,
          heart_rate_avg: 142.3,
          heart_rate_max: 178,
          average_speed: 1.5,
          total_elevation_gain: 45,
        },
      },
    ]);
  });

  it('drops the re-sent sleep segment and assembles one night', () => {
    expect(batch.received.sleep).toBe(10);
    expect(batch.sleepSegments).toHaveLength(9);
    const [session, ...others] = groupSegmentsIntoSessions(batch.sleepSegments);
    expect(others).toEqual([]);
    const night = buildSleepEvent(session!);
    expect(night).toMatchObject({
      source: shealth,
      start: at('2026-02-23T23:10:00Z'),
      end: at('2026-02-24T06:20:00Z'),
      externalId: 'slp-001-s0-0',
      details: {
        sleep_total_duration_minutes: 416,
        sleep_time_in_bed_minutes: 430,
        sleep_efficiency_score: 96.74,
        sleep_deep_minutes: 75,
        sleep_rem_minutes: 90,
        sleep_light_minutes: 251,
        sleep_awake_minutes: 14,
        is_nap: false,
      },
    });
  });
});

describe('invalid items are dropped and counted, never sinking the batch', () => {
  const batch = normalise(fixture('bad-records.json'), 'apple');

  it('keeps the valid items', () => {
    expect(batch.series.map((s) => [s.series, s.samples.map((x) => x.value)])).toEqual([
      ['heart_rate', [60]],
      ['weight', [72.5]],
    ]);
    expect(batch.workouts.map((w) => [w.externalId, w.details])).toEqual([
      ['ok-walk', { steps_count: 3100 }],
    ]);
    expect(batch.sleepSegments.map((s) => s.externalId)).toEqual(['ok-light']);
  });

  it('counts every item not stored: invalid ones, types the model lacks, unknown stages', () => {
    // invalid records: no startDate, null value, text value, garbage startDate, not an object, unmapped type
    // with a null value (validation comes first), Feb 30; workouts: values not an array, end before start;
    // sleep: no stage, zero length. Then a record without a type, a mindful session of no length and the
    // sleep stage "napping".
    expect(batch.dropReasons).toEqual({
      'invalid item': 11,
      'no unified type for (no type)': 1,
      'mindful session without a valid time span': 1,
      'unknown sleep stage napping': 1,
    });
    expect(batch.dropped).toBe(14);
    expect(batch.received).toEqual({ records: 11, workouts: 3, sleep: 4 });
  });

  it('drops a record whose converted value overflows', () => {
    const result = normalise(
      withRecord({ type: 'HKQuantityTypeIdentifierHeight', value: 1e308, unit: 'm' }),
      'apple',
    );
    expect(result).toMatchObject({ series: [], dropped: 1 });
  });
});

describe('an invalid envelope rejects the whole batch', () => {
  const valid = fixture('ios-example.json');
  it.each([
    ['an array', [], 'Invalid sync payload: The sync payload must be a JSON object'],
    ['a string', 'hello', 'Invalid sync payload: The sync payload must be a JSON object'],
    ['null', null, 'Invalid sync payload: The sync payload must be a JSON object'],
    ['data not an object', { ...valid, data: [] }, 'Invalid sync payload: data must be an object'],
    [
      'records not an array',
      { ...valid, data: { records: {} } },
      'Invalid sync payload: data.records must be an array',
    ],
    [
      'sleep not an array',
      { ...valid, data: { sleep: 'x' } },
      'Invalid sync payload: data.sleep must be an array',
    ],
    [
      'workouts not an array',
      { ...valid, data: { workouts: 1 } },
      'Invalid sync payload: data.workouts must be an array',
    ],
    ['no sdkVersion', { ...valid, sdkVersion: undefined }, 'Invalid sync payload: sdkVersion is required'],
    [
      'no syncTimestamp',
      { ...valid, syncTimestamp: undefined },
      'Invalid sync payload: syncTimestamp is required',
    ],
    [
      'a garbage syncTimestamp',
      { ...valid, syncTimestamp: 'now' },
      'Invalid sync payload: syncTimestamp must be an ISO-8601 datetime',
    ],
    ['no provider', { ...valid, provider: undefined }, 'Invalid sync payload: provider is required'],
  ])('%s', (_name, body, error) => {
    expect(normaliseSdkBatch(body, 'apple')).toEqual({ ok: false, error });
  });

  it('accepts an envelope without data, or with null containers', () => {
    const { data: _data, ...header } = valid;
    expect(normalise(header, 'apple')).toMatchObject({
      series: [],
      workouts: [],
      sleepSegments: [],
      dropped: 0,
    });
    expect(normalise({ ...header, data: { records: null } }, 'apple').received).toEqual({
      records: 0,
      workouts: 0,
      sleep: 0,
    });
  });
});

describe('value normalisation (contract 6.3.1)', () => {
  it.each([
    ['height m -> cm', 'HKQuantityTypeIdentifierHeight', 1.805, 'm', 'apple', 180.5],
    ['step length m -> cm', 'HKQuantityTypeIdentifierWalkingStepLength', 0.72, 'm', 'apple', 72],
    ['apple body fat fraction -> %', 'HKQuantityTypeIdentifierBodyFatPercentage', 0.214, '%', 'apple', 21.4],
    ['Health Connect body fat already %', 'BODY_FAT', 21.4, '%', 'health_connect', 21.4],
    [
      'double support fraction -> %',
      'HKQuantityTypeIdentifierWalkingDoubleSupportPercentage',
      0.283,
      '%',
      'apple',
      28.3,
    ],
    ['asymmetry fraction -> %', 'HKQuantityTypeIdentifierWalkingAsymmetryPercentage', 0.04, '%', 'apple', 4],
    ['steadiness fraction -> %', 'HKQuantityTypeIdentifierAppleWalkingSteadiness', 0.915, '%', 'apple', 91.5],
    ['glucose mmol/L -> mg/dL', 'BLOOD_GLUCOSE', 5.5, 'mmol/L', 'samsung', 99.1],
    [
      'glucose unit case-insensitive',
      'HKQuantityTypeIdentifierBloodGlucose',
      6.2,
      'MMOL/L',
      'apple',
      111.713,
    ],
    ['glucose mg/dL as sent', 'HKQuantityTypeIdentifierBloodGlucose', 104, 'mg/dL', 'apple', 104],
    [
      'SpO2 as sent (the SDK already scales it)',
      'HKQuantityTypeIdentifierOxygenSaturation',
      97,
      '%',
      'apple',
      97,
    ],
    [
      'rounded to 3 decimals, half away from zero',
      'HKQuantityTypeIdentifierBodyMass',
      70.0005,
      'kg',
      'apple',
      70.001,
    ],
  ] as const)('%s', (_name, type, value, unit, provider, expected) => {
    expect(onlySample(normalise(withRecord({ type, value, unit }, provider), provider)).value).toBe(expected);
  });

  it('flags SUM series samples as intraday (isDailyTotal false) and leaves others null', () => {
    const steps = normalise(
      withRecord({ type: 'STEP_COUNT', value: 10 }, 'health_connect'),
      'health_connect',
    );
    const hrv = normalise(
      withRecord({ type: 'HEART_RATE_VARIABILITY', value: 40 }, 'health_connect'),
      'health_connect',
    );
    expect(onlySample(steps).isDailyTotal).toBe(false);
    expect(onlySample(hrv)).toMatchObject({ series: 'heart_rate_variability_rmssd', isDailyTotal: null });
  });

  it('accepts numeric strings as values', () => {
    expect(onlySample(normalise(withRecord({ value: ' 61.5 ' }), 'apple')).value).toBe(61.5);
  });

  it('keeps the last of two samples with the same source, series and start', () => {
    const body = withRecord({});
    body.data.records.push({ ...body.data.records[0]!, value: 64 });
    expect(normalise(body, 'apple').series[0]!.samples).toEqual([sample('2026-03-02T06:58:10Z', 64, null)]);
  });

  it('does not treat inherited object keys as metric types', () => {
    expect(normalise(withRecord({ type: 'constructor' }), 'apple')).toMatchObject({
      series: [],
      dropReasons: { 'no unified type for constructor': 1 },
    });
  });
});

describe('provenance (contract 6.2 SourceInfo)', () => {
  const sourceOf = (source: unknown) => onlySample(normalise(withRecord({ source }), 'apple')).source;

  it('takes the model from deviceModel, else productType, and the name from name > deviceName > appId > bundleIdentifier', () => {
    expect(
      sourceOf({ productType: 'iPhone16,1', bundleIdentifier: 'com.example.app', appId: 'app' }),
    ).toEqual(ref('apple', 'iPhone16,1', 'app'));
    expect(
      sourceOf({ deviceModel: 'Watch7,5', productType: 'iPhone16,1', bundleIdentifier: 'com.example.app' }),
    ).toEqual(ref('apple', 'Watch7,5', 'com.example.app'));
    expect(sourceOf({ name: 'AutoSleep', deviceName: 'Apple Watch', appId: 'x' })).toEqual(
      ref('apple', null, 'AutoSleep', { originalSourceName: 'AutoSleep' }),
    );
    expect(sourceOf(null)).toEqual(ref('apple', null, null));
  });

  it('accepts snake_case keys, the camelCase spelling winning', () => {
    const source = {
      device_model: 'Watch6,1',
      device_name: 'Old name',
      deviceName: 'Apple Watch',
      operating_system_version: { major_version: 10, minor_version: 6, patch_version: 1 },
    };
    expect(sourceOf(source)).toEqual(ref('apple', 'Watch6,1', 'Apple Watch', { softwareVersion: '10.6.1' }));
  });

  it('treats blank and malformed provenance as absent instead of dropping the record', () => {
    const source = {
      name: '  ',
      deviceName: 42,
      appId: 'com.example',
      operatingSystemVersion: { majorVersion: 17 },
    };
    expect(sourceOf(source)).toEqual(ref('apple', null, 'com.example'));
    expect(sourceOf('not an object')).toEqual(ref('apple', null, null));
  });
});

describe('datetimes and zone offsets', () => {
  it.each([
    ['2026-03-02T06:58:10Z', '2026-03-02T06:58:10.000Z'],
    ['2026-03-02T06:58:10.123456789Z', '2026-03-02T06:58:10.123Z'],
    ['2026-03-02T07:58:10.5+01:00', '2026-03-02T06:58:10.500Z'],
    ['2026-03-02T01:28:10-0530', '2026-03-02T06:58:10.000Z'],
    ['2026-03-02T08:58+02', '2026-03-02T06:58:00.000Z'],
    ['2026-03-02 06:58:10', '2026-03-02T06:58:10.000Z'],
  ])('%s', (text, iso) => {
    expect(parseIsoDateTime(text)).toBe(at(iso));
  });

  it.each([
    'yesterday',
    '2026-02-30T10:00:00Z',
    '2026-03-02T24:00:00Z',
    '2026-03-02',
    '1772434690',
    '2026-03-02T06:58:10+25:00',
  ])('rejects %s', (text) => {
    expect(parseIsoDateTime(text)).toBeNull();
  });

  it.each([
    ['+01:00', '+01:00'],
    ['Z', '+00:00'],
    ['-0530', '-05:30'],
    ['+09', '+09:00'],
    ['Europe/Berlin', null],
    [3600, null],
  ])('stores zoneOffset %s as %s', (zoneOffset, expected) => {
    expect(onlySample(normalise(withRecord({ zoneOffset }), 'apple')).zoneOffset).toBe(expected);
  });
});

describe('workouts (contract 6.3.2, 6.3.3)', () => {
  const workoutBody = (workouts: Array<Record<string, unknown>>) => ({
    provider: 'apple',
    sdkVersion: '0.6.0',
    syncTimestamp: '2026-03-02T07:15:04Z',
    data: {
      workouts: workouts.map((w) => ({
        startDate: '2026-03-01T10:00:00Z',
        endDate: '2026-03-01T10:30:00Z',
        ...w,
      })),
    },
  });
  const onlyWorkout = (workout: Record<string, unknown>) => {
    const batch = normalise(workoutBody([workout]), 'apple');
    expect(batch.workouts).toHaveLength(1);
    return batch.workouts[0]!;
  };

  it.each([
    ['running', 'running'],
    ['  Functional_Strength_Training ', 'strength_training'],
    ['RUNNING_TREADMILL', 'treadmill'],
    ['other', 'generic'],
    ['underwater_basket_weaving', 'other'],
    ['constructor', 'other'],
    [null, null],
  ])('type %s -> %s', (type, expected) => {
    expect(onlyWorkout({ type }).type).toBe(expected);
  });

  it('falls back to end - start for the duration', () => {
    expect(onlyWorkout({ values: null }).durationSeconds).toBe(1800);
    expect(
      onlyWorkout({ values: [{ type: 'totalDuration', value: 1799.6, unit: 's' }] }).durationSeconds,
    ).toBe(1800);
  });

  it('sums all four energy statistics', () => {
    const values = [
      { type: 'activeEnergyBurned', value: 200.1, unit: 'kcal' },
      { type: 'basalEnergyBurned', value: 30.2, unit: 'kcal' },
      { type: 'calories', value: 1, unit: 'kcal' },
      { type: 'totalCalories', value: 2, unit: 'kcal' },
    ];
    expect(onlyWorkout({ values }).details).toEqual({ energy_burned: 233.3 });
  });

  it('maps speeds, altitudes and alternative statistic names', () => {
    const values = [
      { type: 'meanHeartRate', value: 141.256, unit: 'bpm' },
      { type: 'averageRunningSpeed', value: 3.456, unit: 'm/s' },
      { type: 'maxSpeed', value: 5.1, unit: 'm/s' },
      { type: 'altitudeGain', value: 12.5, unit: 'm' },
      { type: 'maxAltitude', value: 310.25, unit: 'm' },
      { type: 'minAltitude', value: 250.5, unit: 'm' },
      { type: 'elevationDescended', value: 12, unit: 'm' },
      { type: 'indoorWorkout', value: 0, unit: 'bool' },
    ];
    expect(onlyWorkout({ values }).details).toEqual({
      heart_rate_avg: 141.26,
      average_speed: 3.46,
      max_speed: 5.1,
      total_elevation_gain: 12.5,
      elev_high: 310.25,
      elev_low: 250.5,
    });
  });

  it('stores workout-level and legacy statistics as samples at the workout end', () => {
    const values = [
      { type: 'averageMETs', value: 7.2, unit: 'kcal/hr·kg' },
      { type: 'swimmingStrokeCount', value: 640, unit: 'count' },
      { type: 'totalEnergyBurned', value: 250, unit: 'kcal' },
      { type: 'totalDistance', value: 1500, unit: 'm' },
      { type: 'totalSteps', value: 2100, unit: 'count' },
      { type: 'weatherTemperature', value: 18.5, unit: 'degC' },
      { type: 'weatherHumidity', value: 64, unit: '%' },
    ];
    const batch = normalise(workoutBody([{ zoneOffset: '+02:00', values }]), 'apple');
    const end = at('2026-03-01T10:30:00Z');
    expect(batch.series.map((s) => [s.series, s.samples])).toEqual([
      ['average_met', [{ timestamp: end, value: 7.2, zoneOffset: '+02:00', isDailyTotal: null }]],
      ['swimming_stroke_count', [{ timestamp: end, value: 640, zoneOffset: '+02:00', isDailyTotal: false }]],
      ['energy', [{ timestamp: end, value: 250, zoneOffset: '+02:00', isDailyTotal: false }]],
      [
        'distance_walking_running',
        [{ timestamp: end, value: 1500, zoneOffset: '+02:00', isDailyTotal: false }],
      ],
      ['steps', [{ timestamp: end, value: 2100, zoneOffset: '+02:00', isDailyTotal: false }]],
      ['weather_temperature', [{ timestamp: end, value: 18.5, zoneOffset: '+02:00', isDailyTotal: null }]],
      ['weather_humidity', [{ timestamp: end, value: 64, zoneOffset: '+02:00', isDailyTotal: null }]],
    ]);
  });

  it('keeps the first of two workouts with the same source, start and end', () => {
    const batch = normalise(
      workoutBody([
        { id: 'first', type: 'running' },
        { id: 'second', type: 'walking' },
      ]),
      'apple',
    );
    expect(batch.workouts.map((w) => w.externalId)).toEqual(['first']);
  });
});

describe('roundTo', () => {
  it.each([
    [574.0999999999999, 3, 574.1],
    [1.0005, 3, 1.001],
    [-1.0005, 3, -1.001],
    [-0.0001, 3, 0],
    [151.375, 2, 151.38],
    [96.5, 0, 97],
    [1e300, 3, 1e300],
    [1.797693134862316e305, 3, 1.797693134862316e305],
    [-Number.MAX_VALUE, 2, -Number.MAX_VALUE],
  ])('%s to %s places', (value, places, expected) => {
    expect(Object.is(roundTo(value, places), expected)).toBe(true);
  });
});

describe('properties', () => {
  const isoDate = fc
    .integer({ min: at('2020-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z') })
    .map((ms) => new Date(ms).toISOString());
  const oddKeys = fc.constantFrom('constructor', '__proto__', 'toString', '');
  const source = fc.option(
    fc.record(
      {
        appId: fc.string(),
        name: fc.option(fc.string()),
        deviceModel: fc.option(fc.string()),
        operatingSystemVersion: fc.record({
          majorVersion: fc.nat(),
          minorVersion: fc.nat(),
          patchVersion: fc.nat(),
        }),
      },
      { requiredKeys: [] },
    ),
  );
  const value = fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.constant(null), fc.string());
  const record = fc.record({
    id: fc.option(fc.string()),
    type: fc.oneof(fc.constantFrom(...Object.keys(SDK_METRIC_TYPES)), fc.string(), oddKeys),
    startDate: isoDate,
    endDate: isoDate,
    zoneOffset: fc.option(fc.constantFrom('+01:00', 'Z', '-05:30', 'junk')),
    source,
    value,
    unit: fc.option(fc.constantFrom('mmol/L', 'mg/dL', 'count', 'm', '%')),
  });
  const statistic = fc.record({
    type: fc.oneof(
      fc.constantFrom(
        'duration',
        'distance',
        'calories',
        'averageMETs',
        'meanCadence',
        'maxAltitude',
        'vo2Max',
      ),
      fc.string(),
      oddKeys,
    ),
    unit: fc.constantFrom('ms', 's', 'kcal', 'm'),
    value,
  });
  const workout = fc.record({
    id: fc.option(fc.string()),
    type: fc.option(fc.oneof(fc.constantFrom(...Object.keys(SDK_WORKOUT_TYPES)), fc.string(), oddKeys)),
    startDate: isoDate,
    endDate: isoDate,
    source,
    values: fc.option(fc.array(statistic, { maxLength: 8 })),
  });
  const segment = fc.record({
    id: fc.option(fc.string()),
    stage: fc.constantFrom(
      'in_bed',
      'sleeping',
      'awake',
      'light',
      'deep',
      'rem',
      'unknown',
      'napping',
      'REM',
    ),
    startDate: isoDate,
    endDate: isoDate,
    source,
  });
  const payload = fc.record({
    provider: fc.constantFrom('apple', 'samsung', 'google'),
    sdkVersion: fc.constantFrom('0.6.0', '0.11.0'),
    syncTimestamp: isoDate,
    data: fc.record({
      records: fc.array(fc.oneof(record, fc.anything()), { maxLength: 30 }),
      workouts: fc.array(workout, { maxLength: 5 }),
      sleep: fc.array(segment, { maxLength: 10 }),
    }),
  });

  it('normalises any valid envelope into series types with finite values', () => {
    fc.assert(
      fc.property(
        payload,
        fc.constantFrom<SdkProvider>('apple', 'samsung', 'health_connect'),
        (body, provider) => {
          const batch = normalise(body, provider);
          for (const { series, samples } of batch.series) {
            expect(isSeriesType(series)).toBe(true);
            for (const s of samples) expect(Number.isFinite(s.value)).toBe(true);
          }
          for (const w of batch.workouts)
            for (const v of Object.values(w.details)) expect(Number.isFinite(v)).toBe(true);
          const { received } = batch;
          expect(batch.dropped).toBeLessThanOrEqual(received.records + received.workouts + received.sleep);
          expect(batch.sleepSegments.length).toBeLessThanOrEqual(received.sleep);
        },
      ),
    );
  });

  it('never throws, whatever the body', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.record({ data: fc.anything() })), (body) => {
        expect(() => normaliseSdkBatch(body, 'apple')).not.toThrow();
      }),
    );
  });
});
