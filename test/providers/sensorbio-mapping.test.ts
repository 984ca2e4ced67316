import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeriesCollector } from '#shared/ingest/sdk-collect.js';
import type { SeriesSamples } from '#shared/model/health-data.js';
import { SERIES_TYPES } from '#shared/model/series.js';
import { addBiometrics, addStepDetails, dailyScores } from '#shared/providers/sensorbio/daily.js';
import { mapSleepRecord, sleepEventsOf } from '#shared/providers/sensorbio/sleep.js';
import { mapActivity, sensorbioWorkoutType, workoutsOf } from '#shared/providers/sensorbio/workouts.js';

const DAY_START = Date.UTC(2024, 0, 15);

/** providers.md 4.10's sleep example: epoch seconds, minutes per stage. */
const SLEEP = {
  id: 'slp_9921',
  start_timestamp: 1705273200,
  end_timestamp: 1705302000,
  total_sleep_mins: 455,
  deep_sleep_mins: 80,
  light_sleep_mins: 250,
  rem_sleep_mins: 95,
  awake_time_mins: 30,
  avg_heart_rate: 54,
  biometrics: { bpm: 54, hrv: 46, spo2: 96.5, resting_bpm: 49, resting_hrv: 52 },
  score: { value: 84 },
};

const RUN = {
  id: 'act_01HF3K',
  start_time: 1699998200000,
  end_time: 1700000000000,
  likely_name: 'running',
  calories: 320,
  distance: 5000,
  active_time: 1740,
  duration: 1800,
  cardio_metrics: { avg_bpm: 148, max_bpm: 171, min_bpm: 96 },
};

const series = (collector: SeriesCollector) =>
  Object.fromEntries(collector.result().map((s) => [s.series, s.samples])) as Record<
    string,
    SeriesSamples['samples']
  >;

describe('sleep: /v1/sleep records', () => {
  it('epoch seconds become ms; stage minutes, time in bed from the span, efficiency sleep/in bed', () => {
    expect(mapSleepRecord(SLEEP)).toEqual({
      category: 'sleep',
      type: 'sleep_session',
      source: expect.objectContaining({ provider: 'sensorbio', sourceName: 'Sensor Bio' }),
      start: 1705273200000,
      end: 1705302000000,
      zoneOffset: null,
      durationSeconds: 28_800,
      externalId: 'slp_9921',
      details: {
        sleep_total_duration_minutes: 455,
        sleep_time_in_bed_minutes: 480,
        sleep_efficiency_score: 94.79,
        sleep_deep_minutes: 80,
        sleep_rem_minutes: 95,
        sleep_light_minutes: 250,
        sleep_awake_minutes: 30,
        is_nap: false,
        sleep_stages: null,
      },
    });
  });

  it('reads the same night sent in ms (what the API intro documents)', () => {
    const inMs = { ...SLEEP, start_timestamp: 1705273200000, end_timestamp: 1705302000000 };
    expect(mapSleepRecord(inMs)).toEqual(mapSleepRecord(SLEEP));
  });

  it('without total_sleep_mins the stages add up; without an id the start identifies the night', () => {
    const { id: _id, total_sleep_mins: _total, ...rest } = SLEEP;
    const event = mapSleepRecord(rest);
    expect(event?.externalId).toBe('1705273200');
    expect(event?.details.sleep_total_duration_minutes).toBe(425);
  });

  it('a day with several sessions keeps each; malformed ones are left out', () => {
    const nap = { ...SLEEP, id: 'slp_nap', start_timestamp: 1705330800, end_timestamp: 1705333200 };
    const events = sleepEventsOf({
      data: [SLEEP, nap, { ...SLEEP, id: 'x', end_timestamp: SLEEP.start_timestamp }, 'junk', null],
    });
    expect(events.map((e) => e.externalId)).toEqual(['slp_9921', 'slp_nap']);
    expect(sleepEventsOf({ data: null })).toEqual([]);
    expect(sleepEventsOf('not json')).toEqual([]);
  });
});

describe('workouts: /v1/activities WorkoutStats', () => {
  it('maps the activity: ms times, seconds, meters, heart rate, the id as external id', () => {
    expect(mapActivity(RUN, 'Run')).toEqual({
      category: 'workout',
      type: 'running',
      source: expect.objectContaining({ provider: 'sensorbio' }),
      start: 1699998200000,
      end: 1700000000000,
      zoneOffset: null,
      durationSeconds: 1800,
      externalId: 'act_01HF3K',
      details: {
        heart_rate_avg: 148,
        heart_rate_max: 171,
        heart_rate_min: 96,
        energy_burned: 320,
        distance: 5000,
        moving_time_seconds: 1740,
      },
    });
  });

  it('a duration in ms (longer than the span) falls back to the span; no id or no span is skipped', () => {
    const leaked = mapActivity({ ...RUN, duration: 1_800_000, active_time: 1_740_000 }, 'Run');
    expect(leaked?.durationSeconds).toBe(1800);
    expect(leaked?.details.moving_time_seconds).toBeUndefined();
    expect(mapActivity({ ...RUN, id: undefined }, 'Run')).toBeNull();
    expect(mapActivity({ ...RUN, end_time: RUN.start_time }, 'Run')).toBeNull();
  });

  it('type from likely_name, else the record name; unknown names are other', () => {
    expect(sensorbioWorkoutType('Bike_Ride', 'Run')).toBe('cycling');
    expect(sensorbioWorkoutType(null, 'Treadmill Run')).toBe('treadmill');
    expect(sensorbioWorkoutType('spinning', null)).toBe('indoor_cycling');
    expect(sensorbioWorkoutType('HIIT', null)).toBe('cardio_training');
    expect(sensorbioWorkoutType('underwater basket weaving', 'toString')).toBe('other');
  });

  it('every nested activity is a workout, one per id', () => {
    const second = { ...RUN, id: 'act_2', start_time: 1700003600000, end_time: 1700005400000 };
    const workouts = workoutsOf([
      { timestamp: 1700000000000, name: 'Run', activities: [RUN] },
      { timestamp: 1700005400000, name: 'Ride', activities: [second, { ...RUN }] },
      { timestamp: 1700005500000, name: 'Empty' },
    ]);
    expect(workouts.map((w) => [w.externalId, w.type])).toEqual([
      ['act_01HF3K', 'running'],
      ['act_2', 'running'],
    ]);
  });
});

describe('biometrics: /v1/biometrics records', () => {
  it('heart rate bpm, HRV RMSSD ms, SpO2 percent, breathing rate brpm at the record time', () => {
    const collector = new SeriesCollector();
    addBiometrics(collector, { timestamp: 1700000000000, bpm: 62, hrv: 48, spo2: 97, brpm: 14.5 });
    addBiometrics(collector, { timestamp: 1700000900, bpm: 60, hrv: null, spo2: 0.955, brpm: 0 });
    addBiometrics(collector, { timestamp: 'soon', bpm: 70 });
    const s = series(collector);
    expect(s.heart_rate).toEqual([
      { timestamp: 1700000000000, value: 62, zoneOffset: null, isDailyTotal: null },
      { timestamp: 1700000900000, value: 60, zoneOffset: null, isDailyTotal: null },
    ]);
    expect(s.heart_rate_variability_rmssd?.map((x) => x.value)).toEqual([48]);
    expect(s.oxygen_saturation?.map((x) => x.value)).toEqual([97, 95.5]);
    expect(s.respiratory_rate?.map((x) => x.value)).toEqual([14.5]);
  });
});

describe('daily totals: /v1/step/details', () => {
  it('steps, kcal and the km distance in meters, as daily totals at 00:00 UTC', () => {
    const collector = new SeriesCollector();
    addStepDetails(
      collector,
      {
        date: '2024-01-15',
        granularity: 'day',
        metrics: [
          { name: 'Steps', value: 8200, unit: '', value_is_an_avg: false },
          { name: 'Distance', value: 6.1, unit: 'km', value_is_an_avg: false },
          { name: 'Calories', value: 312.0, unit: 'kcal', value_is_an_avg: false },
          { name: 'Duration', value: 74, unit: 'min', value_is_an_avg: false },
        ],
      },
      DAY_START,
    );
    expect(series(collector)).toEqual({
      steps: [{ timestamp: DAY_START, value: 8200, zoneOffset: null, isDailyTotal: true }],
      distance_walking_running: [{ timestamp: DAY_START, value: 6100, zoneOffset: null, isDailyTotal: true }],
      energy: [{ timestamp: DAY_START, value: 312, zoneOffset: null, isDailyTotal: true }],
    });
    expect(SERIES_TYPES.distance_walking_running.unit).toBe('meters');
  });

  it('a distance without unit is km, in m or mi is converted, in an unknown unit is dropped; zeros are dropped', () => {
    const distance = (metric: Record<string, unknown>) => {
      const collector = new SeriesCollector();
      addStepDetails(collector, { metrics: [{ value: 2, ...metric }] }, DAY_START);
      return series(collector).distance_walking_running?.[0]?.value ?? null;
    };
    expect(distance({ name: 'Distance' })).toBe(2000);
    expect(distance({ type: 'distance', unit: 'm' })).toBe(2);
    expect(distance({ name: 'Distance', unit: 'mi' })).toBe(3218.688);
    expect(distance({ name: 'Distance', unit: 'furlong' })).toBeNull();
    expect(distance({ name: 'Distance', value: 0 })).toBeNull();
  });
});

describe('scores: /v1/scores', () => {
  it('recovery with its stage, activity, sleep with the night biometrics; resting heart rate as a sample', () => {
    const collector = new SeriesCollector();
    const scores = dailyScores(
      {
        data: {
          date: '2024-01-15',
          recovery: { value: 72, stage: 'good' },
          activity: { value: 65, avg: 61 },
          sleep: { value: 84, biometrics: { resting_bpm: 49, resting_hrv: 52, hrv: 47, spo2: 96.5 } },
        },
      },
      DAY_START,
      collector,
    );
    const base = { recordedAt: DAY_START, zoneOffset: null, source: expect.anything() };
    expect(scores).toEqual([
      { ...base, category: 'recovery', value: 72, qualifier: 'good', components: null },
      { ...base, category: 'activity', value: 65, qualifier: null, components: null },
      {
        ...base,
        category: 'sleep',
        value: 84,
        qualifier: null,
        components: {
          resting_bpm: { value: 49 },
          resting_hrv: { value: 52 },
          hrv: { value: 47 },
          spo2: { value: 96.5 },
        },
      },
    ]);
    expect(series(collector).resting_heart_rate).toEqual([
      { timestamp: DAY_START, value: 49, zoneOffset: null, isDailyTotal: null },
    ]);
  });

  it('a day without scores, or with scores missing values, gives only what is there', () => {
    const collector = new SeriesCollector();
    expect(dailyScores({ data: null }, DAY_START, collector)).toEqual([]);
    const partial = dailyScores(
      { data: { recovery: { stage: 'good' }, activity: { value: -3 }, sleep: { value: '70' } } },
      DAY_START,
      collector,
    );
    expect(partial.map((s) => [s.category, s.value])).toEqual([['sleep', 70]]);
    expect(collector.result()).toEqual([]);
  });
});

describe('parsers never store garbage (property)', () => {
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const record = fc.dictionary(
    fc.constantFrom('timestamp', 'bpm', 'hrv', 'spo2', 'brpm', 'value', 'name', 'unit', 'type', 'metrics'),
    fc.oneof(anyJson, fc.double(), fc.integer(), fc.constantFrom('km', 'Distance', 'Steps', 'Calories')),
  );

  it('any record: no throw, every sample finite, non-negative and at a storable time', () => {
    fc.assert(
      fc.property(record, fc.array(record, { maxLength: 5 }), (biometric, metrics) => {
        const collector = new SeriesCollector();
        addBiometrics(collector, biometric);
        addStepDetails(collector, { metrics }, DAY_START);
        dailyScores(
          { data: { recovery: biometric, sleep: { ...biometric, biometrics: biometric } } },
          0,
          collector,
        );
        for (const s of collector.result())
          for (const sample of s.samples) {
            expect(Number.isFinite(sample.value) && sample.value > 0).toBe(true);
            expect(Number.isFinite(sample.timestamp) && sample.timestamp >= 0).toBe(true);
          }
      }),
    );
  });

  it('any sleep or activity record: null or an event with end > start and non-negative minutes', () => {
    const fields = fc.record(
      {
        id: fc.oneof(fc.string(), fc.integer(), anyJson),
        start_timestamp: fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), anyJson),
        end_timestamp: fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), anyJson),
        start_time: fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), anyJson),
        end_time: fc.oneof(fc.integer({ min: -1e13, max: 1e13 }), anyJson),
        total_sleep_mins: fc.oneof(fc.double(), anyJson),
        deep_sleep_mins: fc.oneof(fc.double(), anyJson),
        duration: fc.oneof(fc.double(), anyJson),
        distance: fc.oneof(fc.double(), anyJson),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fields, (raw) => {
        for (const event of [mapSleepRecord(raw), mapActivity(raw, raw.id)]) {
          if (event === null) continue;
          expect(event.end).toBeGreaterThan(event.start);
          expect(event.durationSeconds).toBeGreaterThanOrEqual(0);
          for (const value of Object.values(event.details))
            if (typeof value === 'number') expect(Number.isFinite(value) && value >= 0).toBe(true);
        }
      }),
    );
  });
});
