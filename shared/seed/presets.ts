import type * as z from 'zod/mini';
import type { SeriesType } from '#shared/model/series.js';
import { seedProfile } from '#shared/seed/profiles.js';

/** The reference's nine seed presets (`GET /settings/seed/presets`), with the series lists they share. */

const ACTIVITY_CORE: SeriesType[] = [
  'heart_rate',
  'steps',
  'energy',
  'basal_energy',
  'distance_walking_running',
  'flights_climbed',
];
const SLEEP_RECOVERY: SeriesType[] = [
  'resting_heart_rate',
  'heart_rate_variability_sdnn',
  'oxygen_saturation',
  'skin_temperature',
  'respiratory_rate',
];
const BODY_COMPOSITION: SeriesType[] = ['weight', 'body_fat_percentage', 'vo2_max'];
/** Emitted minute by minute inside the workouts they belong to (running, cycling, swimming). */
export const WORKOUT_BOUND: SeriesType[] = [
  'running_power',
  'running_speed',
  'cadence',
  'power',
  'swimming_stroke_count',
];
const ALL_CONTINUOUS = [
  ...new Set<SeriesType>([
    ...ACTIVITY_CORE,
    ...SLEEP_RECOVERY,
    ...BODY_COMPOSITION,
    'body_temperature',
    'blood_glucose',
    'stand_time',
    'exercise_time',
    'time_in_daylight',
    'environmental_audio_exposure',
    'headphone_audio_exposure',
  ]),
];

/** A preset's profile: the given fields over the defaults, parsed as a request's would be. */
const preset = (label: string, description: string, profile: z.input<typeof seedProfile>) => ({
  label,
  description,
  profile: seedProfile.parse(profile),
});

/** The nine presets (`GET /settings/seed/presets`), as the reference defines them. */
export const SEED_PRESETS = {
  active_athlete: preset(
    'Active Athlete',
    'High-volume training across running, cycling, swimming, and strength.',
    {
      preset: 'active_athlete',
      workout_config: {
        count: 120,
        workout_types: ['running', 'cycling', 'swimming', 'strength_training'],
        duration_min_minutes: 30,
        duration_max_minutes: 180,
        hr_min_range: [80, 110],
        hr_max_range: [160, 195],
        steps_range: [2000, 25_000],
      },
      sleep_config: { count: 30, stage_profile: 'athlete_recovery' },
      time_series_config: {
        enabled_types: [...ACTIVITY_CORE, ...SLEEP_RECOVERY, ...BODY_COMPOSITION, ...WORKOUT_BOUND],
      },
    },
  ),
  boxer_footballer: preset(
    'Boxer + Footballer',
    'Combat and team sport focus - boxing, soccer, running. No sleep data.',
    {
      preset: 'boxer_footballer',
      generate_sleep: false,
      workout_config: {
        count: 100,
        workout_types: ['boxing', 'soccer', 'running', 'strength_training'],
        duration_min_minutes: 30,
        duration_max_minutes: 120,
        hr_min_range: [85, 115],
        hr_max_range: [155, 190],
      },
      time_series_config: { enabled_types: [...ACTIVITY_CORE, 'running_power', 'running_speed', 'cadence'] },
    },
  ),
  sleep_deprived: preset('Short Sleeper', 'Consistently short sleep (4-6h), minimal workouts.', {
    preset: 'sleep_deprived',
    workout_config: { count: 10 },
    sleep_config: {
      count: 60,
      duration_min_minutes: 240,
      duration_max_minutes: 360,
      nap_chance_pct: 5,
      stage_profile: 'deep_deficit',
    },
    time_series_config: {
      enabled_types: ['heart_rate', 'steps', 'energy', ...SLEEP_RECOVERY],
      include_blood_pressure: true,
    },
  }),
  weekend_catchup: preset('Weekend Catch-Up', 'Short weekday sleep (4-6h), long weekend sleep (8-10h).', {
    preset: 'weekend_catchup',
    workout_config: { count: 10 },
    sleep_config: { count: 60, duration_min_minutes: 240, duration_max_minutes: 360, weekend_catchup: true },
    time_series_config: { enabled_types: [...ACTIVITY_CORE, ...SLEEP_RECOVERY] },
  }),
  irregular_sleeper: preset(
    'Irregular Sleeper',
    'Highly variable sleep times and durations - no consistent pattern.',
    {
      preset: 'irregular_sleeper',
      workout_config: { count: 5 },
      sleep_config: {
        count: 90,
        duration_min_minutes: 180,
        duration_max_minutes: 660,
        nap_chance_pct: 20,
        stage_profile: 'restless',
      },
      time_series_config: { enabled_types: ['heart_rate', ...SLEEP_RECOVERY] },
    },
  ),
  activity_only: preset('Activity Only', 'Workouts and time series only - no sleep records.', {
    preset: 'activity_only',
    generate_sleep: false,
    workout_config: { count: 80 },
    time_series_config: { enabled_types: [...ACTIVITY_CORE, ...WORKOUT_BOUND] },
  }),
  sleep_only: preset('Sleep Only', 'Sleep records only - no workout data.', {
    preset: 'sleep_only',
    generate_workouts: false,
    generate_time_series: false,
    sleep_config: { count: 40, stage_profile: 'optimal' },
  }),
  minimal: preset(
    'Minimal (Quick)',
    'Small dataset for quick testing - 5 workouts, 5 sleeps, no time series.',
    {
      preset: 'minimal',
      generate_time_series: false,
      workout_config: { count: 5 },
      sleep_config: { count: 5 },
    },
  ),
  comprehensive: preset(
    'Comprehensive',
    'Large, rich dataset - 150 workouts, 60 sleeps, 5 providers, full time series.',
    {
      preset: 'comprehensive',
      num_connections: 5,
      workout_config: { count: 150, duration_min_minutes: 10, duration_max_minutes: 240 },
      sleep_config: { count: 60 },
      time_series_config: {
        enabled_types: [...ALL_CONTINUOUS, ...WORKOUT_BOUND],
        include_blood_pressure: true,
      },
    },
  ),
};
