import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';

/**
 * The event catalogue (contract 8.1, `GET /api/v1/webhooks/event-types`): the reference's 111 names plus
 * `activity.created` (issue 10) and one granular event per series type our model adds (Withings' body
 * composition and age estimates, pulse wave velocity), each in the group its kind belongs to.
 */

const LIFECYCLE = {
  'connection.created': 'A user connected a provider (OAuth or the first mobile SDK push).',
  'connection.revoked':
    'A connection stopped being active: the user disconnected, the provider revoked or deregistered it, a ' +
    'token refresh failed or the provider API is gone (`reason`).',
  'sync.started': 'A sync run started (provider pull, webhook, backfill, SDK session).',
  'sync.completed': 'A sync run finished: its final status and the number of items it processed.',
  'sync.failed': 'A sync run failed; `error` says why.',
  'workout.created': 'A workout was stored (announced once: a later revision by its provider is not).',
  'sleep.created': 'A sleep session was stored, or an existing night was extended by later data (merge).',
  'menstrual_cycle.created': 'A menstrual cycle record was stored.',
  'activity.created':
    'Activity data (steps, energy, distances, active time...) arrived for one UTC date of one provider; ' +
    'fired once per (user, provider, date) per ingestion batch, naming the series types written.',
} as const;

const GROUPS = {
  'heart_rate.created': 'Heart rate samples (resting, walking, recovery, AFib burden...).',
  'heart_rate_variability.created': 'Heart rate variability samples (SDNN, RMSSD).',
  'steps.created': 'Step count samples.',
  'calories.created': 'Active and basal energy samples.',
  'spo2.created': 'Blood oxygen saturation and perfusion index samples.',
  'respiratory_rate.created': 'Respiratory rate, breathing disturbance and lung function samples.',
  'body_temperature.created': 'Body and skin temperature samples (and their deviations).',
  'stress.created': 'Stress level and electrodermal activity samples.',
  'blood_glucose.created': 'Blood glucose, blood alcohol and insulin delivery samples.',
  'blood_pressure.created': 'Systolic and diastolic blood pressure samples.',
  'body_composition.created': 'Height, weight, body fat, muscle, bone and water mass samples.',
  'fitness_metrics.created': 'VO2 max, walk test distance and fitness or cardiovascular age samples.',
  'recovery_score.created': 'Recovery score samples (Garmin body battery).',
  'activity_timeseries.created': 'Activity series samples (distances, active time, flights climbed...).',
  'workout_metrics.created': 'Workout metric samples (speed, power, cadence, running and walking form...).',
  'environmental.created': 'Environmental exposure samples (audio, daylight, UV, weather...).',
} as const;

export type GroupEvent = keyof typeof GROUPS;

/**
 * The group event of each series type (contract 5.2.1, last column); null: the reference emits nothing for it.
 * Exhaustive over the model, so a new series type cannot be added without deciding its group.
 */
const SERIES_GROUP: Record<SeriesType, GroupEvent | null> = {
  heart_rate: 'heart_rate.created',
  resting_heart_rate: 'heart_rate.created',
  heart_rate_variability_sdnn: 'heart_rate_variability.created',
  heart_rate_recovery_one_minute: 'heart_rate.created',
  walking_heart_rate_average: 'heart_rate.created',
  heart_rate_variability_rmssd: 'heart_rate_variability.created',
  pulse_wave_velocity: 'heart_rate.created',
  oxygen_saturation: 'spo2.created',
  blood_glucose: 'blood_glucose.created',
  blood_pressure_systolic: 'blood_pressure.created',
  blood_pressure_diastolic: 'blood_pressure.created',
  respiratory_rate: 'respiratory_rate.created',
  sleeping_breathing_disturbances: 'respiratory_rate.created',
  blood_alcohol_content: 'blood_glucose.created',
  peripheral_perfusion_index: 'spo2.created',
  forced_vital_capacity: 'respiratory_rate.created',
  forced_expiratory_volume_1: 'respiratory_rate.created',
  peak_expiratory_flow_rate: 'respiratory_rate.created',
  breathing_disturbance_index: 'respiratory_rate.created',
  height: 'body_composition.created',
  weight: 'body_composition.created',
  body_fat_percentage: 'body_composition.created',
  body_mass_index: 'body_composition.created',
  lean_body_mass: 'body_composition.created',
  body_temperature: 'body_temperature.created',
  skin_temperature: 'body_temperature.created',
  waist_circumference: 'body_composition.created',
  body_fat_mass: 'body_composition.created',
  skeletal_muscle_mass: 'body_composition.created',
  skin_temperature_deviation: 'body_temperature.created',
  skin_temperature_trend_deviation: 'body_temperature.created',
  muscle_mass: 'body_composition.created',
  bone_mass: 'body_composition.created',
  body_water_mass: 'body_composition.created',
  visceral_fat_index: 'body_composition.created',
  vo2_max: 'fitness_metrics.created',
  six_minute_walk_test_distance: 'fitness_metrics.created',
  cardiovascular_age: 'fitness_metrics.created',
  vascular_age: 'fitness_metrics.created',
  metabolic_age: 'fitness_metrics.created',
  steps: 'steps.created',
  energy: 'calories.created',
  basal_energy: 'calories.created',
  stand_time: 'activity_timeseries.created',
  exercise_time: 'activity_timeseries.created',
  physical_effort: 'activity_timeseries.created',
  flights_climbed: 'activity_timeseries.created',
  average_met: 'activity_timeseries.created',
  active_time: 'activity_timeseries.created',
  distance_walking_running: 'activity_timeseries.created',
  distance_cycling: 'activity_timeseries.created',
  distance_swimming: 'activity_timeseries.created',
  distance_downhill_snow_sports: 'activity_timeseries.created',
  distance_other: 'activity_timeseries.created',
  walking_step_length: 'workout_metrics.created',
  walking_speed: 'workout_metrics.created',
  walking_double_support_percentage: 'workout_metrics.created',
  walking_asymmetry_percentage: 'workout_metrics.created',
  walking_steadiness: 'workout_metrics.created',
  stair_descent_speed: 'workout_metrics.created',
  stair_ascent_speed: 'workout_metrics.created',
  running_power: 'workout_metrics.created',
  running_speed: 'workout_metrics.created',
  running_vertical_oscillation: 'workout_metrics.created',
  running_ground_contact_time: 'workout_metrics.created',
  running_stride_length: 'workout_metrics.created',
  running_vertical_ratio: null,
  running_stance_time_balance: null,
  swimming_stroke_count: 'workout_metrics.created',
  underwater_depth: 'workout_metrics.created',
  cadence: 'workout_metrics.created',
  power: 'workout_metrics.created',
  speed: 'workout_metrics.created',
  workout_effort_score: 'workout_metrics.created',
  estimated_workout_effort_score: 'workout_metrics.created',
  environmental_audio_exposure: 'environmental.created',
  headphone_audio_exposure: 'environmental.created',
  environmental_sound_reduction: 'environmental.created',
  time_in_daylight: 'environmental.created',
  water_temperature: 'environmental.created',
  uv_exposure: 'environmental.created',
  inhaler_usage: 'environmental.created',
  weather_temperature: 'environmental.created',
  weather_humidity: 'environmental.created',
  elevation: null,
  latitude: null,
  longitude: null,
  air_temperature: null,
  garmin_stress_level: 'stress.created',
  garmin_skin_temperature: 'body_temperature.created',
  garmin_fitness_age: 'fitness_metrics.created',
  garmin_body_battery: 'recovery_score.created',
  electrodermal_activity: 'stress.created',
  push_count: 'activity_timeseries.created',
  atrial_fibrillation_burden: 'heart_rate.created',
  insulin_delivery: 'blood_glucose.created',
  number_of_times_fallen: 'activity_timeseries.created',
  number_of_alcoholic_beverages: 'activity_timeseries.created',
  nike_fuel: 'activity_timeseries.created',
  hydration: 'activity_timeseries.created',
};

const SERIES_CODES = Object.keys(SERIES_TYPES) as SeriesType[];

/** The group event of a series type; null for the types the reference emits nothing for. */
export const seriesGroupOf = (series: SeriesType): GroupEvent | null => SERIES_GROUP[series];

/** The granular event of a series type (`series.<type>.created`); null when it has no group. */
export const seriesEventOf = (series: SeriesType): string | null =>
  SERIES_GROUP[series] ? `series.${series}.created` : null;

/** Series types whose samples make an `activity.created`: the model's two daily-activity categories. */
const ACTIVITY_CATEGORIES: readonly string[] = ['Activity - Basic', 'Activity - Distance'];
export const isActivitySeries = (series: SeriesType): boolean =>
  ACTIVITY_CATEGORIES.includes(SERIES_TYPES[series].category);

interface CatalogueEntry {
  name: string;
  description: string;
  child_events: string[] | null;
}

const seriesLabel = (series: SeriesType) => series.replaceAll('_', ' ');

const CATALOGUE: readonly CatalogueEntry[] = [
  ...Object.entries(LIFECYCLE).map(([name, description]) => ({ name, description, child_events: null })),
  ...(Object.entries(GROUPS) as [GroupEvent, string][]).map(([name, description]) => ({
    name,
    description,
    child_events: SERIES_CODES.filter((s) => SERIES_GROUP[s] === name).map((s) => `series.${s}.created`),
  })),
  ...SERIES_CODES.flatMap((series) => {
    const group = SERIES_GROUP[series];
    if (!group) return [];
    const { unit } = SERIES_TYPES[series];
    return [
      {
        name: `series.${series}.created`,
        description: `New ${seriesLabel(series)} samples (${unit}); also delivered within \`${group}\`.`,
        child_events: null,
      },
    ];
  }),
];

export const EVENT_TYPES: readonly string[] = CATALOGUE.map((e) => e.name);
const NAMES = new Set(EVENT_TYPES);

/** Every event type with its description; group events list their granular events (copies: callers may mutate). */
export const eventTypeCatalogue = (): CatalogueEntry[] =>
  CATALOGUE.map((e) => ({ ...e, child_events: e.child_events ? [...e.child_events] : null }));

export const isEventType = (name: string): boolean => NAMES.has(name);

const matches = (pattern: string, type: string) =>
  pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
const excluded = (entry: string) => entry.startsWith('!');

/**
 * Lists of event types (`EVENT_BUS_EVENT_TYPES`): catalogue names or prefixes ending in `*` (`sync.*`), each
 * `!`-prefixed to leave those types out (`!series.*`). The entries of `list` that name no event type (with or
 * without their `!`).
 */
export const unknownEventTypes = (list: readonly string[]): string[] =>
  list.filter((entry) => {
    const pattern = excluded(entry) ? entry.slice(1) : entry;
    return !EVENT_TYPES.some((type) => matches(pattern, type));
  });

/**
 * Whether an event of `type` is wanted by `list`: one its entries name and no `!` entry leaves out; a list of `!`
 * entries only wants every other type, and no list every type.
 */
export function wantsEventType(list: readonly string[] | undefined, type: string): boolean {
  if (list === undefined) return true;
  const kept = list.filter((entry) => !excluded(entry));
  return (
    (kept.length === 0 || kept.some((pattern) => matches(pattern, type))) &&
    !list.some((entry) => excluded(entry) && matches(entry.slice(1), type))
  );
}
