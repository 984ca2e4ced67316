import { badRequest } from '#shared/http/errors.js';
import type { SeriesType } from '#shared/model/series.js';
import { DEFAULT_WORKOUT_TYPES } from '#shared/seed/generate.js';
import type { SeedDataRequest, SeedProfile } from '#shared/seed/profiles.js';
import { DAY, MAX_MONTHS_BACK, monthsBack, requestedWindow, windowOf } from '#shared/seed/pushes.js';
import { shapeOf, WORKOUT_BOUND_SHAPES } from '#shared/seed/series-shapes.js';

/**
 * What one `POST /settings/seed` may ask of the admin function (29 s, 1024 MB), which generates every user's data
 * before creating any of them, then uploads it: at most MAX_SEED_RECORDS records (workouts, sleep segments, samples)
 * over all users, by the estimate below. Measured on 2 cores: 10 users of the comprehensive preset (estimate 693 k,
 * 681 k records generated) take 1.0 s to generate and 0.7 s to serialise into 206 pushes (173 MB), hold 135 MB of
 * heap and peak at 289 MB RSS; the upload is those 173 MB, 8 objects at a time. The cap, ~1.5 times that, leaves the
 * function well over half its time and memory on AWS (a 1024 MB function has ~0.6 of a core), and lets every preset
 * run for 10 users. The reference's own field limits alone allow ~11 M records.
 */
export const MAX_SEED_RECORDS = 1_000_000;

const windowNames = ['workout_config', 'sleep_config', 'time_series_config'] as const;
const BLOOD_PRESSURE: SeriesType[] = ['blood_pressure_systolic', 'blood_pressure_diastolic'];
type Dated = SeedProfile[(typeof windowNames)[number]];
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Sleep segments of one night at most: the in-bed span and 5 per 90-minute cycle, and a nap's. */
const segmentsPerNight = (config: SeedProfile['sleep_config']) => {
  const longest = Math.min(config.duration_max_minutes + (config.weekend_catchup ? 240 : 0), 720);
  return 1 + 5 * Math.max(1, Math.round(longest / 90)) + (config.nap_chance_pct > 0 ? 6 : 0);
};

const seriesPerDay = (type: SeriesType) => {
  const shape = shapeOf(type);
  return (shape.hours.length * Math.ceil(60 / shape.everyMinutes)) / (shape.everyDays ?? 1);
};

/**
 * The records `seedUser` generates for one user of `profile`: an upper bound but for the workouts' random types
 * and lengths, counted at their mean (close to the draw for any count that matters).
 */
export function recordsPerUser(profile: SeedProfile, now: number): number {
  const days = (config: Dated) => {
    const { start, end } = windowOf(config, now);
    return Math.max(0, Math.ceil((end - start) / DAY));
  };
  const { workout_config: workout, sleep_config: sleep, time_series_config: series } = profile;
  const enabled = profile.generate_time_series ? series.enabled_types : [];
  const types = workout.workout_types?.length ? workout.workout_types : DEFAULT_WORKOUT_TYPES;
  // Per-minute series inside a workout, on average: its type is drawn uniformly, its length as well.
  const bound =
    types.reduce(
      (sum, type) => sum + enabled.filter((t) => WORKOUT_BOUND_SHAPES[t]?.types.includes(type)).length,
      0,
    ) / types.length;
  const minutes = (workout.duration_min_minutes + workout.duration_max_minutes) / 2;
  const continuous = new Set<SeriesType>([
    ...enabled.filter((t) => !WORKOUT_BOUND_SHAPES[t]),
    ...(profile.generate_time_series && series.include_blood_pressure ? BLOOD_PRESSURE : []),
  ]);
  let total = 0;
  if (profile.generate_workouts) total += Math.ceil(workout.count * (1 + bound * minutes));
  if (profile.generate_sleep) total += Math.min(sleep.count, days(sleep) + 1) * segmentsPerNight(sleep);
  for (const type of continuous) total += Math.ceil(days(series) * seriesPerDay(type));
  return total;
}

/**
 * 400 for a request the admin function could not carry out whole: a window reaching more than MAX_MONTHS_BACK
 * months back, or more than MAX_SEED_RECORDS records in all.
 */
export function assertSeedFits(request: SeedDataRequest, now: number): void {
  const earliest = monthsBack(now, MAX_MONTHS_BACK);
  for (const name of windowNames) {
    const { start } = requestedWindow(request.profile[name], now);
    if (start < earliest) {
      throw badRequest(
        `Value error, ${name}: the window starts ${isoDay(start)}, more than ${MAX_MONTHS_BACK} months back (the earliest start is ${isoDay(earliest)})`,
      );
    }
  }
  const records = request.num_users * recordsPerUser(request.profile, now);
  if (records > MAX_SEED_RECORDS) {
    throw badRequest(
      `Value error, this request would generate up to ${records} records, more than the ${MAX_SEED_RECORDS} one request may: lower num_users, the counts, the durations, the date ranges or the time series types`,
    );
  }
}
