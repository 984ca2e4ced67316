import * as z from 'zod';
import { CAP, cappedString } from '#shared/http/validation.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';

/** `SeedDataRequest` (contract 10.4): every field, default, cap and validation text of the reference. */

const valueError = (message: string) => `Value error, ${message}`;
const isoDate = cappedString(CAP.datetime).pipe(z.iso.date());
const pair = (min: number, max: number) => z.tuple([z.int().min(min).max(max), z.int().min(min).max(max)]);
const dateRange = {
  date_range_months: z.int().min(1).max(24).default(6),
  date_from: isoDate.nullish().default(null),
  date_to: isoDate.nullish().default(null),
};

type Dated = { date_from: string | null; date_to: string | null };
const datesInOrder = (c: Dated) => !c.date_from || !c.date_to || c.date_from <= c.date_to;
const datesMessage = (c: Dated) => valueError(`date_from (${c.date_from}) must be <= date_to (${c.date_to})`);

type Durations = { duration_min_minutes: number; duration_max_minutes: number };
const durationsInOrder = (c: Durations) => c.duration_min_minutes <= c.duration_max_minutes;
const durationsMessage = (c: Durations) =>
  valueError(
    `duration_min_minutes (${c.duration_min_minutes}) must be <= duration_max_minutes (${c.duration_max_minutes})`,
  );

function check<T>(ok: (value: T) => boolean, message: (value: T) => string) {
  return (value: T, ctx: z.RefinementCtx) => {
    if (!ok(value)) ctx.addIssue({ code: 'custom', message: message(value) });
  };
}

export const workoutConfig = z
  .object({
    count: z.int().min(0).max(500).default(80),
    workout_types: z.array(z.enum(WORKOUT_TYPES)).max(WORKOUT_TYPES.length).nullish().default(null),
    duration_min_minutes: z.int().min(5).max(600).default(15),
    duration_max_minutes: z.int().min(5).max(600).default(180),
    hr_min_range: pair(30, 250).default([90, 120]),
    hr_max_range: pair(30, 250).default([140, 180]),
    steps_range: pair(0, 200_000).default([500, 20_000]),
    ...dateRange,
  })
  .superRefine(check(durationsInOrder, durationsMessage))
  .superRefine(check(datesInOrder, datesMessage));

const PERCENT_RANGES = ['deep_pct_range', 'rem_pct_range', 'awake_pct_range'] as const;

export const stageDistribution = z
  .object({
    deep_pct_range: pair(-1000, 1000).default([15, 25]),
    rem_pct_range: pair(-1000, 1000).default([20, 25]),
    awake_pct_range: pair(-1000, 1000).default([2, 8]),
  })
  .superRefine((d, ctx) => {
    for (const name of PERCENT_RANGES) {
      const [lo, hi] = d[name];
      if (!(lo >= 0 && lo <= hi && hi <= 100)) {
        ctx.addIssue({
          code: 'custom',
          message: valueError(`${name}: need 0 <= min (${lo}) <= max (${hi}) <= 100`),
        });
        return;
      }
    }
    const maxSum = d.deep_pct_range[1] + d.rem_pct_range[1] + d.awake_pct_range[1];
    if (maxSum > 95) {
      ctx.addIssue({
        code: 'custom',
        message: valueError(
          `Sum of max percentages (${maxSum}%) exceeds 95% - not enough room for light sleep`,
        ),
      });
    }
  });
export type StageDistribution = z.output<typeof stageDistribution>;

const distribution = (deep: [number, number], rem: [number, number], awake: [number, number]) => ({
  deep_pct_range: deep,
  rem_pct_range: rem,
  awake_pct_range: awake,
});

/** The five named stage profiles (`GET /settings/seed/sleep-profiles`). */
export const SLEEP_STAGE_PROFILES = {
  optimal: {
    label: 'Optimal Sleeper',
    description: 'Balanced stages - good sleep scores',
    distribution: distribution([18, 25], [20, 25], [2, 5]),
  },
  deep_deficit: {
    label: 'Deep Sleep Deficit',
    description: 'Low deep sleep - poor physical recovery',
    distribution: distribution([5, 10], [20, 25], [5, 10]),
  },
  rem_deprived: {
    label: 'REM Deprived',
    description: 'Low REM sleep - poor cognitive recovery',
    distribution: distribution([15, 22], [8, 13], [5, 10]),
  },
  restless: {
    label: 'Restless Sleeper',
    description: 'Excessive wake time - fragmented sleep',
    distribution: distribution([10, 15], [15, 20], [15, 25]),
  },
  athlete_recovery: {
    label: 'Athlete Recovery',
    description: 'Heavy deep sleep - optimal physical recovery',
    distribution: distribution([25, 35], [20, 25], [2, 5]),
  },
} satisfies Record<string, { label: string; description: string; distribution: StageDistribution }>;
const PROFILE_IDS = Object.keys(SLEEP_STAGE_PROFILES);
const isProfile = (id: string): id is keyof typeof SLEEP_STAGE_PROFILES => PROFILE_IDS.includes(id);

export const sleepConfig = z
  .object({
    count: z.int().min(0).max(365).default(20),
    duration_min_minutes: z.int().min(60).max(720).default(300),
    duration_max_minutes: z.int().min(60).max(720).default(600),
    nap_chance_pct: z.int().min(0).max(100).default(10),
    weekend_catchup: z.boolean().default(false),
    ...dateRange,
    stage_profile: z.string().max(64).nullish().default(null),
    stage_distribution: stageDistribution.default(stageDistribution.parse({})),
  })
  .superRefine(check(durationsInOrder, durationsMessage))
  .superRefine(check(datesInOrder, datesMessage))
  .superRefine(
    check(
      (c) => c.stage_profile === null || isProfile(c.stage_profile),
      (c) =>
        valueError(`Unknown stage_profile '${c.stage_profile}'. Valid profiles: ${PROFILE_IDS.join(', ')}`),
    ),
  );
export type SleepConfig = z.output<typeof sleepConfig>;

/** The distribution a sleep config asks for: its named profile's, else its own. */
export const stagesOf = (config: SleepConfig): StageDistribution =>
  config.stage_profile && isProfile(config.stage_profile)
    ? SLEEP_STAGE_PROFILES[config.stage_profile].distribution
    : config.stage_distribution;

export const timeSeriesConfig = z
  .object({
    enabled_types: z.array(z.enum(SERIES_TYPE_CODES)).max(SERIES_TYPE_CODES.length).default([]),
    include_blood_pressure: z.boolean().default(false),
    ...dateRange,
  })
  .superRefine(check(datesInOrder, datesMessage));

export const seedProfile = z.object({
  preset: z.string().max(64).nullish().default(null),
  generate_workouts: z.boolean().default(true),
  generate_sleep: z.boolean().default(true),
  generate_time_series: z.boolean().default(true),
  providers: z.array(z.enum(PROVIDERS)).max(PROVIDERS.length).nullish().default(null),
  num_connections: z.int().min(1).max(5).default(2),
  workout_config: workoutConfig.default(workoutConfig.parse({})),
  sleep_config: sleepConfig.default(sleepConfig.parse({})),
  time_series_config: timeSeriesConfig.default(timeSeriesConfig.parse({})),
});
export type SeedProfile = z.output<typeof seedProfile>;

export const seedDataRequest = z.object({
  num_users: z.int().min(1).max(10).default(1),
  profile: seedProfile.default(seedProfile.parse({})),
  random_seed: z.int().nullish().default(null),
});
export type SeedDataRequest = z.output<typeof seedDataRequest>;
