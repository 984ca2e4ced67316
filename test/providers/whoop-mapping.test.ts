import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';
import { PullOutput } from '#shared/providers/output.js';
import { zoneOf } from '#shared/providers/time.js';
import { mapBody } from '#shared/providers/whoop/body.js';
import { instantOf } from '#shared/providers/whoop/common.js';
import { mapCycle } from '#shared/providers/whoop/cycles.js';
import { mapRecovery } from '#shared/providers/whoop/recovery.js';
import { mapSleep } from '#shared/providers/whoop/sleep.js';
import { sportSlug, whoopWorkoutType } from '#shared/providers/whoop/sport-types.js';
import { mapWorkout } from '#shared/providers/whoop/workouts.js';

/** The documented v2 examples (providers.md 4.4). */
const WORKOUT = {
  id: 'ecfc6a15-4661-442f-a9a4-f160dd7afae8',
  v1_id: 93845,
  user_id: 10129,
  created_at: '2024-01-15T11:25:44.774Z',
  updated_at: '2024-01-15T14:25:44.774Z',
  start: '2024-01-15T08:00:00.000Z',
  end: '2024-01-15T09:00:00.000Z',
  timezone_offset: '-05:00',
  sport_name: 'running',
  sport_id: 0,
  score_state: 'SCORED',
  score: {
    strain: 8.2463,
    average_heart_rate: 123,
    max_heart_rate: 146,
    kilojoule: 1569.34,
    percent_recorded: 100,
    distance_meter: 1772.77,
    altitude_gain_meter: 46.64,
    altitude_change_meter: -0.78,
    zone_durations: {
      zone_zero_milli: 300000,
      zone_one_milli: 600000,
      zone_two_milli: 900000,
      zone_three_milli: 900000,
      zone_four_milli: 600000,
      zone_five_milli: 300000,
    },
  },
};

const SLEEP = {
  id: 'ECFC6A15-4661-442F-A9A4-F160DD7AFAE9',
  cycle_id: 93845,
  user_id: 10129,
  created_at: '2024-01-15T11:25:44.774Z',
  updated_at: '2024-01-15T14:25:44.774Z',
  start: '2024-01-15T02:25:44.774Z',
  end: '2024-01-15T10:25:44.774Z',
  timezone_offset: '-05:00',
  nap: false,
  score_state: 'SCORED',
  score: {
    stage_summary: {
      total_in_bed_time_milli: 30272735,
      total_awake_time_milli: 1403507,
      total_no_data_time_milli: 0,
      total_light_sleep_time_milli: 14905851,
      total_slow_wave_sleep_time_milli: 6630370,
      total_rem_sleep_time_milli: 5879573,
      sleep_cycle_count: 3,
      disturbance_count: 12,
    },
    respiratory_rate: 16.11328125,
    sleep_performance_percentage: 98,
    sleep_consistency_percentage: 90,
    sleep_efficiency_percentage: 91.69533848,
  },
};

const RECOVERY = {
  cycle_id: 93845,
  sleep_id: 'ecfc6a15-4661-442f-a9a4-f160dd7afae9',
  user_id: 10129,
  created_at: '2024-01-15T11:25:44.774Z',
  updated_at: '2024-01-15T14:25:44.774Z',
  score_state: 'SCORED',
  score: {
    user_calibrating: false,
    recovery_score: 44,
    resting_heart_rate: 64,
    hrv_rmssd_milli: 31.813562,
    spo2_percentage: 95.6875,
    skin_temp_celsius: 33.7,
  },
};

const CYCLE = {
  id: 93845,
  user_id: 10129,
  created_at: '2022-04-24T11:25:44.774Z',
  updated_at: '2022-04-24T14:25:44.774Z',
  start: '2022-04-24T02:25:44.774Z',
  end: '2022-04-24T10:25:44.774Z',
  timezone_offset: '-05:00',
  score_state: 'SCORED',
  score: { strain: 5.2951527, kilojoule: 8288.297, average_heart_rate: 68, max_heart_rate: 141 },
};

const mapped = (map: (out: PullOutput) => string) => {
  const out = new PullOutput();
  const outcome = map(out);
  return { outcome, ...out.result(), handled: out.counts };
};

const seriesOf = (result: ReturnType<typeof mapped>, series: string) =>
  result.series.find((s) => s.series === series)?.samples;

describe('whoop workouts', () => {
  it('a scored workout: event by WHOOP id, type, kcal, distance, heart rates; strain with zone seconds', () => {
    const result = mapped((batch) => mapWorkout(WORKOUT, batch));
    expect(result.outcome).toBe('mapped');
    expect(result.events).toEqual([
      {
        category: 'workout',
        type: 'running',
        source: expect.objectContaining({ provider: 'whoop', sourceName: 'Whoop', deviceModel: null }),
        start: Date.UTC(2024, 0, 15, 8),
        end: Date.UTC(2024, 0, 15, 9),
        zoneOffset: '-05:00',
        durationSeconds: 3600,
        externalId: 'ecfc6a15-4661-442f-a9a4-f160dd7afae8',
        details: {
          heart_rate_avg: 123,
          heart_rate_max: 146,
          energy_burned: 375.082, // 1569.34 kJ x 0.239006
          distance: 1772.77,
          total_elevation_gain: 46.64,
        },
      },
    ]);
    expect(result.scores).toHaveLength(1);
    expect(result.scores[0]).toMatchObject({
      category: 'strain',
      value: 8.2463,
      recordedAt: Date.UTC(2024, 0, 15, 8),
      zoneOffset: '-05:00',
      components: {
        average_heart_rate: { value: 123 },
        max_heart_rate: { value: 146 },
        energy_kcal: { value: 375.082 },
        percent_recorded: { value: 100 },
        distance_meter: { value: 1772.77 },
        altitude_change_meter: { value: -0.78 },
        zone_zero_seconds: { value: 300 },
        zone_two_seconds: { value: 900 },
        zone_five_seconds: { value: 300 },
      },
    });
  });

  it('unscored workouts are left out and counted; malformed ones too', () => {
    for (const state of ['PENDING_SCORE', 'UNSCORABLE']) {
      const result = mapped((batch) =>
        mapWorkout({ ...WORKOUT, score_state: state, score: undefined }, batch),
      );
      expect(result.outcome).toBe('unscored');
      expect(result.events).toEqual([]);
    }
    for (const bad of [
      null,
      [],
      { ...WORKOUT, id: 93845 },
      { ...WORKOUT, id: 'not-a-uuid' },
      { ...WORKOUT, start: '2024-01-15T08:00:00' },
      { ...WORKOUT, end: '2024-01-15T07:00:00.000Z' },
    ])
      expect(mapped((batch) => mapWorkout(bad, batch)).outcome).toBe('malformed');
  });

  it('never stores NaN or negative garbage from a hostile score', () => {
    const result = mapped((batch) =>
      mapWorkout(
        {
          ...WORKOUT,
          score: {
            strain: -1,
            average_heart_rate: 'abc',
            max_heart_rate: -5,
            kilojoule: Number.NaN,
            distance_meter: -3,
            zone_durations: 'x',
          },
        },
        batch,
      ),
    );
    expect(result.events[0]!.details).toEqual({});
    expect(result.scores).toEqual([]);
  });
});

describe('whoop sport types', () => {
  it('reads documented display names and API slugs alike; unknown is other', () => {
    expect(whoopWorkoutType('running')).toBe('running');
    expect(whoopWorkoutType('hiking-rucking')).toBe('hiking');
    expect(whoopWorkoutType('Hiking/Rucking')).toBe('hiking');
    expect(whoopWorkoutType('track & field')).toBe('running');
    expect(whoopWorkoutType('stroller jogging')).toBe('running');
    expect(whoopWorkoutType('functional fitness')).toBe('cardio_training');
    expect(whoopWorkoutType('stairmaster')).toBe('stair_climbing');
    expect(whoopWorkoutType('kite boarding')).toBe('kitesurfing');
    expect(whoopWorkoutType('operations - water')).toBe('operations');
    expect(whoopWorkoutType('Hot Yoga')).toBe('yoga');
    expect(whoopWorkoutType("Barry's")).toBe('group_exercise');
    expect(whoopWorkoutType('underwater basket weaving')).toBe('other');
    expect(whoopWorkoutType(undefined)).toBe('other');
    expect(whoopWorkoutType(42)).toBe('other');
  });

  it('any name maps to a unified workout type', () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        expect(WORKOUT_TYPES).toContain(whoopWorkoutType(name));
        expect(sportSlug(name)).toMatch(/^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$/);
      }),
    );
  });
});

describe('whoop sleep', () => {
  it('a scored night: session with stage minutes, efficiency, the sleep score and respiratory rate', () => {
    const result = mapped((batch) => mapSleep(SLEEP, batch));
    const start = Date.parse('2024-01-15T02:25:44.774Z');
    expect(result.events).toEqual([
      expect.objectContaining({
        category: 'sleep',
        type: 'sleep_session',
        start,
        end: Date.parse('2024-01-15T10:25:44.774Z'),
        zoneOffset: '-05:00',
        durationSeconds: 28_800,
        externalId: 'ecfc6a15-4661-442f-a9a4-f160dd7afae9',
        details: {
          sleep_total_duration_minutes: 457, // (14905851 + 6630370 + 5879573) ms
          sleep_time_in_bed_minutes: 505,
          sleep_efficiency_score: 91.69533848,
          sleep_deep_minutes: 111,
          sleep_rem_minutes: 98,
          sleep_light_minutes: 248,
          sleep_awake_minutes: 23,
          is_nap: false,
          sleep_stages: null,
        },
      }),
    ]);
    expect(result.scores).toEqual([
      expect.objectContaining({
        category: 'sleep',
        value: 98,
        recordedAt: start,
        zoneOffset: '-05:00',
        components: {
          sleep_consistency_percentage: { value: 90 },
          sleep_efficiency_percentage: { value: 91.69533848 },
          respiratory_rate: { value: 16.11328125 },
        },
      }),
    ]);
    expect(seriesOf(result, 'respiratory_rate')).toEqual([
      { timestamp: start, value: 16.113, zoneOffset: '-05:00', isDailyTotal: null },
    ]);
  });

  it('a nap is flagged; an unscored sleep keeps its times without stages or score', () => {
    expect(mapped((batch) => mapSleep({ ...SLEEP, nap: true }, batch)).events[0]).toMatchObject({
      details: { is_nap: true },
    });
    const pending = mapped((batch) =>
      mapSleep({ ...SLEEP, score_state: 'PENDING_SCORE', score: undefined, timezone_offset: 'Z' }, batch),
    );
    expect(pending.outcome).toBe('mapped');
    expect(pending.events[0]).toMatchObject({
      zoneOffset: '+00:00',
      details: { sleep_total_duration_minutes: null, sleep_efficiency_score: null, is_nap: false },
    });
    expect(pending.scores).toEqual([]);
    expect(pending.series).toEqual([]);
  });
});

describe('whoop recovery and cycles', () => {
  it('recovery: the four readings as samples at created_at and the score with them as components', () => {
    const result = mapped((batch) => mapRecovery(RECOVERY, '-05:00', batch));
    const at = Date.parse('2024-01-15T11:25:44.774Z');
    const sample = (value: number) => [{ timestamp: at, value, zoneOffset: '-05:00', isDailyTotal: null }];
    expect(seriesOf(result, 'resting_heart_rate')).toEqual(sample(64));
    expect(seriesOf(result, 'heart_rate_variability_rmssd')).toEqual(sample(31.814));
    expect(seriesOf(result, 'oxygen_saturation')).toEqual(sample(95.688));
    expect(seriesOf(result, 'skin_temperature')).toEqual(sample(33.7));
    expect(result.scores).toEqual([
      expect.objectContaining({
        category: 'recovery',
        value: 44,
        recordedAt: at,
        zoneOffset: '-05:00',
        components: {
          resting_heart_rate: { value: 64 },
          hrv_rmssd_milli: { value: 31.813562 },
          spo2_percentage: { value: 95.6875 },
          skin_temp_celsius: { value: 33.7 },
        },
      }),
    ]);
    expect(result.handled).toEqual({ samples: 4, events: 0, scores: 1, skipped: 0 });
  });

  it('recovery: unscored is counted, impossible values are dropped', () => {
    expect(
      mapped((batch) => mapRecovery({ ...RECOVERY, score_state: 'PENDING_SCORE' }, null, batch)).outcome,
    ).toBe('unscored');
    expect(
      mapped((batch) =>
        mapRecovery({ ...RECOVERY, score: { ...RECOVERY.score, recovery_score: 140 } }, null, batch),
      ).outcome,
    ).toBe('malformed');
    const odd = mapped((batch) =>
      mapRecovery(
        { ...RECOVERY, score: { recovery_score: 0, spo2_percentage: 0, hrv_rmssd_milli: -2 } },
        null,
        batch,
      ),
    );
    expect(odd.series).toEqual([]);
    expect(odd.scores[0]).toMatchObject({ value: 0, components: null });
  });

  it('cycle: the day strain at the cycle start with kcal and heart rates', () => {
    const result = mapped((batch) => mapCycle(CYCLE, batch));
    expect(result.scores).toEqual([
      expect.objectContaining({
        category: 'strain',
        value: 5.2951527,
        recordedAt: Date.parse('2022-04-24T02:25:44.774Z'),
        zoneOffset: '-05:00',
        components: {
          energy_kcal: { value: 1980.953 }, // 8288.297 kJ
          average_heart_rate: { value: 68 },
          max_heart_rate: { value: 141 },
        },
      }),
    ]);
    const current = mapped((batch) => mapCycle({ ...CYCLE, end: undefined }, batch));
    expect(current.scores).toHaveLength(1);
    expect(mapped((batch) => mapCycle({ ...CYCLE, score_state: 'UNSCORABLE' }, batch)).outcome).toBe(
      'unscored',
    );
  });

  it('body: height m -> cm, weight kg', () => {
    const at = Date.UTC(2024, 0, 15);
    const result = mapped((batch) =>
      mapBody({ height_meter: 1.83, weight_kilogram: 82.1, max_heart_rate: 196 }, at, batch),
    );
    expect(seriesOf(result, 'height')).toEqual([
      { timestamp: at, value: 183, zoneOffset: null, isDailyTotal: null },
    ]);
    expect(seriesOf(result, 'weight')).toEqual([
      { timestamp: at, value: 82.1, zoneOffset: null, isDailyTotal: null },
    ]);
    expect(mapped((batch) => mapBody({}, at, batch)).outcome).toBe('malformed');
  });
});

describe('whoop time readers', () => {
  it('instants need Z or an offset; offsets are ±HH:MM within ±14 h', () => {
    expect(instantOf('2024-01-15T02:25:44.774Z')).toBe(Date.UTC(2024, 0, 15, 2, 25, 44, 774));
    expect(instantOf('2024-01-15T02:25:44-05:00')).toBe(Date.UTC(2024, 0, 15, 7, 25, 44));
    expect(instantOf('2024-01-15T02:25:44')).toBeNull();
    expect(instantOf(1705285544774)).toBeNull();
    expect(zoneOf('-05:00')).toBe('-05:00');
    expect(zoneOf('+0530')).toBe('+05:30');
    expect(zoneOf('Z')).toBe('+00:00');
    expect(zoneOf('+15:00')).toBeNull();
    expect(zoneOf('-05:75')).toBeNull();
    expect(zoneOf('EST')).toBeNull();
  });

  it('any text reads as a valid offset or null', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const zone = zoneOf(text);
        if (zone !== null) expect(zone).toMatch(/^[+-](?:0\d|1[0-4]):[0-5]\d$/);
      }),
    );
  });
});
