import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commaList } from '#shared/config/env.js';
import {
  EVENT_TYPES,
  eventTypeCatalogue,
  isActivitySeries,
  isEventType,
  seriesEventOf,
  seriesGroupOf,
  unknownEventTypes,
  wantsEventType,
} from '#shared/delivery/catalogue.js';
import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';

/** Contract 5.2.1, last column: the series types of each group event (`none`: no event at all). */
const REFERENCE_GROUPS: Record<string, string> = {
  'heart_rate.created':
    'heart_rate resting_heart_rate heart_rate_recovery_one_minute walking_heart_rate_average atrial_fibrillation_burden',
  'heart_rate_variability.created': 'heart_rate_variability_sdnn heart_rate_variability_rmssd',
  'spo2.created': 'oxygen_saturation peripheral_perfusion_index',
  'blood_glucose.created': 'blood_glucose blood_alcohol_content insulin_delivery',
  'blood_pressure.created': 'blood_pressure_systolic blood_pressure_diastolic',
  'respiratory_rate.created':
    'respiratory_rate sleeping_breathing_disturbances forced_vital_capacity forced_expiratory_volume_1 peak_expiratory_flow_rate breathing_disturbance_index',
  'body_composition.created':
    'height weight body_fat_percentage body_mass_index lean_body_mass waist_circumference body_fat_mass skeletal_muscle_mass',
  'body_temperature.created':
    'body_temperature skin_temperature skin_temperature_deviation skin_temperature_trend_deviation garmin_skin_temperature',
  'fitness_metrics.created': 'vo2_max six_minute_walk_test_distance cardiovascular_age garmin_fitness_age',
  'steps.created': 'steps',
  'calories.created': 'energy basal_energy',
  'activity_timeseries.created':
    'stand_time exercise_time physical_effort flights_climbed average_met active_time distance_walking_running distance_cycling distance_swimming distance_downhill_snow_sports distance_other push_count number_of_times_fallen number_of_alcoholic_beverages nike_fuel hydration',
  'workout_metrics.created':
    'walking_step_length walking_speed walking_double_support_percentage walking_asymmetry_percentage walking_steadiness stair_descent_speed stair_ascent_speed running_power running_speed running_vertical_oscillation running_ground_contact_time running_stride_length swimming_stroke_count underwater_depth cadence power speed workout_effort_score estimated_workout_effort_score',
  none: 'running_vertical_ratio running_stance_time_balance elevation latitude longitude air_temperature',
  'environmental.created':
    'environmental_audio_exposure headphone_audio_exposure environmental_sound_reduction time_in_daylight water_temperature uv_exposure inhaler_usage weather_temperature weather_humidity',
  'stress.created': 'garmin_stress_level electrodermal_activity',
  'recovery_score.created': 'garmin_body_battery',
};

const REFERENCE_LIFECYCLE = [
  'connection.created',
  'connection.revoked',
  'sync.started',
  'sync.completed',
  'sync.failed',
  'workout.created',
  'sleep.created',
  'menstrual_cycle.created',
];

/** Series types of our model beyond the reference, and the group each joins. */
const EXTRA_SERIES: Record<string, string> = {
  pulse_wave_velocity: 'heart_rate.created',
  muscle_mass: 'body_composition.created',
  bone_mass: 'body_composition.created',
  body_water_mass: 'body_composition.created',
  visceral_fat_index: 'body_composition.created',
  vascular_age: 'fitness_metrics.created',
  metabolic_age: 'fitness_metrics.created',
};

const referenceSeries = (group: string) => REFERENCE_GROUPS[group]!.split(' ');
const REFERENCE_GROUP_NAMES = Object.keys(REFERENCE_GROUPS).filter((g) => g !== 'none');
const REFERENCE_GRANULAR = REFERENCE_GROUP_NAMES.flatMap(referenceSeries).map((s) => `series.${s}.created`);
const REFERENCE_NAMES = [...REFERENCE_LIFECYCLE, ...REFERENCE_GROUP_NAMES, ...REFERENCE_GRANULAR];

describe('event catalogue', () => {
  it("holds the reference's 111 names, activity.created and one granular event per extra series type", () => {
    expect(REFERENCE_NAMES).toHaveLength(111);
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(REFERENCE_NAMES));
    const extra = EVENT_TYPES.filter((name) => !REFERENCE_NAMES.includes(name)).sort();
    expect(extra).toEqual(
      ['activity.created', ...Object.keys(EXTRA_SERIES).map((s) => `series.${s}.created`)].sort(),
    );
    expect(EVENT_TYPES).toHaveLength(111 + 1 + Object.keys(EXTRA_SERIES).length);
  });

  it('maps every series type of the model to its reference group, extras to a sensible one', () => {
    for (const [group, series] of Object.entries(REFERENCE_GROUPS)) {
      for (const s of series.split(' ')) {
        expect(seriesGroupOf(s as SeriesType), s).toBe(group === 'none' ? null : group);
      }
    }
    for (const [series, group] of Object.entries(EXTRA_SERIES)) {
      expect(seriesGroupOf(series as SeriesType)).toBe(group);
    }
    const covered = [
      ...Object.values(REFERENCE_GROUPS).flatMap((s) => s.split(' ')),
      ...Object.keys(EXTRA_SERIES),
    ];
    expect(covered.sort()).toEqual([...SERIES_TYPE_CODES].sort());
  });

  it('emits nothing for the reference no-event series', () => {
    for (const series of referenceSeries('none')) {
      expect(seriesEventOf(series as SeriesType)).toBeNull();
      expect(isEventType(`series.${series}.created`)).toBe(false);
    }
    expect(seriesEventOf('steps')).toBe('series.steps.created');
  });

  it('lists the granular events of each group as its child_events, and null for every other type', () => {
    const catalogue = eventTypeCatalogue();
    expect(catalogue.map((e) => e.name)).toEqual(EVENT_TYPES);
    const byName = new Map(catalogue.map((e) => [e.name, e]));
    for (const group of REFERENCE_GROUP_NAMES) {
      const extras = Object.entries(EXTRA_SERIES)
        .filter(([, g]) => g === group)
        .map(([s]) => s);
      const expected = [...referenceSeries(group), ...extras].map((s) => `series.${s}.created`);
      expect(byName.get(group)!.child_events!.sort()).toEqual(expected.sort());
    }
    const children = catalogue.flatMap((e) => e.child_events ?? []);
    expect(children.sort()).toEqual(EVENT_TYPES.filter((n) => n.startsWith('series.')).sort());
    for (const entry of catalogue) {
      expect(entry.description.length, entry.name).toBeGreaterThan(10);
      if (!REFERENCE_GROUP_NAMES.includes(entry.name)) expect(entry.child_events, entry.name).toBeNull();
    }
  });

  it('hands out copies: a caller changing its catalogue changes no one else', () => {
    const group = (entries: ReturnType<typeof eventTypeCatalogue>) =>
      entries.find((e) => e.name === 'heart_rate.created')!;
    group(eventTypeCatalogue()).child_events!.push('x');
    expect(group(eventTypeCatalogue()).child_events).not.toContain('x');
  });

  it('knows its names and nothing else', () => {
    expect(isEventType('workout.created')).toBe(true);
    expect(isEventType('series.heart_rate.created')).toBe(true);
    expect(isEventType('activity.created')).toBe(true);
    for (const name of ['hrv.created', 'series.elevation.created', 'workout', '', 'toString']) {
      expect(isEventType(name), name).toBe(false);
    }
  });

  it('counts the daily-activity series as activity (steps, energy, distances), not heart rate or workout metrics', () => {
    expect(
      ['steps', 'energy', 'basal_energy', 'distance_cycling', 'active_time'].every((s) =>
        isActivitySeries(s as SeriesType),
      ),
    ).toBe(true);
    expect(['heart_rate', 'running_power', 'weight'].some((s) => isActivitySeries(s as SeriesType))).toBe(
      false,
    );
  });
});

describe('event type lists (EVENT_BUS_EVENT_TYPES)', () => {
  it('reads a comma-separated list, names or prefixes ending in *, and names what the catalogue lacks', () => {
    const list = commaList(' sync.*, workout.created,,series.nope*, workout.creatd ');
    expect(list).toEqual(['sync.*', 'workout.created', 'series.nope*', 'workout.creatd']);
    expect(unknownEventTypes(list)).toEqual(['series.nope*', 'workout.creatd']);
    expect(unknownEventTypes(['*', 'series.*', 'heart_rate.created', '!series.*', '!sync.failed'])).toEqual(
      [],
    );
    expect(unknownEventTypes(['!nope', '!', 'series.'])).toEqual(['!nope', '!', 'series.']);
  });

  it('leaves out what a ! entry names; a list of ! entries only keeps every other type', () => {
    expect(wantsEventType(['!series.*'], 'heart_rate.created')).toBe(true);
    expect(wantsEventType(['!series.*'], 'series.heart_rate.created')).toBe(false);
    expect(wantsEventType(['sync.*', '!sync.started'], 'sync.completed')).toBe(true);
    expect(wantsEventType(['sync.*', '!sync.started'], 'sync.started')).toBe(false);
    expect(wantsEventType(['sync.*', '!sync.started'], 'workout.created')).toBe(false);
  });

  it('wants a type exactly when a name equals it or a prefix starts it; no list wants every type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), fc.integer({ min: 1, max: 40 }), (type, cut) => {
        const prefix = type.slice(0, Math.min(cut, type.length));
        expect(wantsEventType(undefined, type)).toBe(true);
        expect(wantsEventType([type], type)).toBe(true);
        expect(wantsEventType([`${prefix}*`], type)).toBe(true);
        expect(wantsEventType([prefix], type)).toBe(prefix === type);
        expect(wantsEventType([`${type}x`, `x${prefix}*`], type)).toBe(false);
        expect(wantsEventType([`!${prefix}*`], type)).toBe(false);
        expect(wantsEventType(['*', `!${type}`], type)).toBe(false);
      }),
    );
  });
});
