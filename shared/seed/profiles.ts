import * as z from 'zod/mini';
import { CAP, cappedString } from '#shared/http/validation.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';

/** `SeedDataRequest` (contract 10.4): every field, default, cap and validation text of the reference. */

const valueError = (message: string) => `Value error, ${message}`;
const isoDate = z.pipe(cappedString(CAP.datetime), z.iso.date());
const bounded = (min: number, max: number) => z.int().check(z.gte(min), z.lte(max));
const pair = (min: number, max: number) => z.tuple([bounded(min, max), bounded(min, max)]);
const dateRange = {
  date_range_months: z._default(bounded(1, 24), 6),
  date_from: z._default(z.nullish(isoDate), null),
  date_to: z._default(z.nullish(isoDate), null),
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
  return (value: T, ctx: z.core.$RefinementCtx<T>) => {
    if (!ok(value)) ctx.addIssue({ code: 'custom', message: message(value) });
  };
}

export const workoutConfig = z
  .object({
    count: z._default(bounded(0, 500), 80),
    workout_types: z._default(
      z.nullish(z.array(z.enum(WORKOUT_TYPES)).check(z.maxLength(WORKOUT_TYPES.length))),
      null,
    ),
    duration_min_minutes: z._default(bounded(5, 600), 15),
    duration_max_minutes: z._default(bounded(5, 600), 180),
    hr_min_range: z._default(pair(30, 250), [90, 120]),
    hr_max_range: z._default(pair(30, 250), [140, 180]),
    steps_range: z._default(pair(0, 200_000), [500, 20_000]),
    ...dateRange,
  })
  .check(
    z.superRefine(check(durationsInOrder, durationsMessage)),
    z.superRefine(check(datesInOrder, datesMessage)),
  );

const PERCENT_RANGES = ['deep_pct_range', 'rem_pct_range', 'awake_pct_range'] as const;

export const stageDistribution = z
  .object({
    deep_pct_range: z._default(pair(-1000, 1000), [15, 25]),
    rem_pct_range: z._default(pair(-1000, 1000), [20, 25]),
    awake_pct_range: z._default(pair(-1000, 1000), [2, 8]),
  })
  .check(
    z.superRefine((d, ctx) => {
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
    }),
  );
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
    count: z._default(bounded(0, 365), 20),
    duration_min_minutes: z._default(bounded(60, 720), 300),
    duration_max_minutes: z._default(bounded(60, 720), 600),
    nap_chance_pct: z._default(bounded(0, 100), 10),
    weekend_catchup: z._default(z.boolean(), false),
    ...dateRange,
    stage_profile: z._default(z.nullish(z.string().check(z.maxLength(64))), null),
    stage_distribution: z._default(stageDistribution, stageDistribution.parse({})),
  })
  .check(
    z.superRefine(check(durationsInOrder, durationsMessage)),
    z.superRefine(check(datesInOrder, datesMessage)),
    z.superRefine(
      check(
        (c) => c.stage_profile === null || isProfile(c.stage_profile),
        (c) =>
          valueError(`Unknown stage_profile '${c.stage_profile}'. Valid profiles: ${PROFILE_IDS.join(', ')}`),
      ),
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
    enabled_types: z._default(
      z.array(z.enum(SERIES_TYPE_CODES)).check(z.maxLength(SERIES_TYPE_CODES.length)),
      [],
    ),
    include_blood_pressure: z._default(z.boolean(), false),
    ...dateRange,
  })
  .check(z.superRefine(check(datesInOrder, datesMessage)));

export const seedProfile = z.object({
  preset: z._default(z.nullish(z.string().check(z.maxLength(64))), null),
  generate_workouts: z._default(z.boolean(), true),
  generate_sleep: z._default(z.boolean(), true),
  generate_time_series: z._default(z.boolean(), true),
  providers: z._default(z.nullish(z.array(z.enum(PROVIDERS)).check(z.maxLength(PROVIDERS.length))), null),
  num_connections: z._default(bounded(1, 5), 2),
  workout_config: z._default(workoutConfig, workoutConfig.parse({})),
  sleep_config: z._default(sleepConfig, sleepConfig.parse({})),
  time_series_config: z._default(timeSeriesConfig, timeSeriesConfig.parse({})),
});
export type SeedProfile = z.output<typeof seedProfile>;

export const seedDataRequest = z.object({
  num_users: z._default(bounded(1, 10), 1),
  profile: z._default(seedProfile, seedProfile.parse({})),
  random_seed: z._default(z.nullish(z.int()), null),
});
export type SeedDataRequest = z.output<typeof seedDataRequest>;
