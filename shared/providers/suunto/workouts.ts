import type { HealthEvent, SourceRef, WorkoutDetails } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { detailsOf, type PullOutput } from '#shared/providers/output.js';
import { DEFAULT_SOURCE_NAME } from '#shared/providers/suunto/common.js';
import { suuntoWorkoutType } from '#shared/providers/suunto/workout-types.js';
import { idText, nonNegative, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * A Suunto workout (an item of `GET /v3/workouts/`, or the payload of `GET /v3/workouts/{key}`) -> a workout
 * event keyed by `workoutKey` (providers.md 4.3), and its recorded samples -> series. Pure.
 *
 * Deliberate differences from the reference: speeds stay in m/s, the model's unit (the reference multiplied them
 * by 3.6, discrepancy 10); `startTime` is the UTC instant it is and the zone is `timeOffsetInMinutes` (the
 * reference turned it into a naive server-local time); the id is `workoutKey`, the one the API and the webhooks
 * name a workout by (a numeric `workoutId` alone is not enough to fetch or match it).
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }> & { externalId: string };

/** Suunto keys are 24 hex digits; numeric ids and other word characters are accepted, nothing that changes a path. */
const WORKOUT_KEY = /^[A-Za-z0-9_-]{1,64}$/;

export function workoutKeyOf(value: unknown): string | null {
  const key = idText(value);
  return key !== null && WORKOUT_KEY.test(key) ? key : null;
}

/** `gear.name` is the model ("Suunto 9 Peak"), `gear.displayName` what the user sees; no gear: "Suunto". */
function workoutSource(workout: JsonObject): SourceRef {
  const gear = isObject(workout.gear) ? workout.gear : {};
  const model = textOf(gear.name);
  const shown = textOf(gear.displayName) ?? model;
  return {
    provider: 'suunto',
    deviceModel: model,
    sourceName: shown ?? DEFAULT_SOURCE_NAME,
    softwareVersion: textOf(gear.swVersion),
    originalSourceName: shown,
  };
}

/**
 * `hrdata.hrmax` is the workout's maximum; `hrdata.max` / `userMaxHR` are the user's configured maximum, never
 * read. Decimal places follow the reference's workout_details columns.
 */
function workoutDetails(workout: JsonObject): WorkoutDetails {
  const hr = isObject(workout.hrdata) ? workout.hrdata : {};
  return detailsOf([
    ['heart_rate_avg', positive(hr.avg) ?? positive(hr.workoutAvgHR), 2],
    ['heart_rate_max', positive(hr.hrmax) ?? positive(hr.workoutMaxHR), 0],
    ['heart_rate_min', positive(hr.min), 0],
    ['steps_count', nonNegative(workout.stepCount), 0],
    ['energy_burned', nonNegative(workout.energyConsumption)],
    ['distance', nonNegative(workout.totalDistance)],
    ['average_speed', nonNegative(workout.avgSpeed), 2],
    ['max_speed', nonNegative(workout.maxSpeed), 2],
    ['average_watts', nonNegative(workout.avgPower)],
    ['max_watts', nonNegative(workout.maxPower)],
    ['average_cadence', positive(workout.cadence), 2],
    ['moving_time_seconds', nonNegative(workout.totalTime), 0],
    ['total_elevation_gain', nonNegative(workout.totalAscent)],
    // Altitudes may be below sea level.
    ['elev_high', numberOf(workout.maxAltitude)],
    ['elev_low', numberOf(workout.minAltitude)],
  ]);
}

/**
 * One workout, or null when it has no usable `workoutKey`, `startTime` (epoch ms) or end. The end is `stopTime`,
 * else start + `totalTime` seconds (a workout announced by a webhook may not have its stop time yet).
 */
export function mapWorkout(workout: unknown): WorkoutEvent | null {
  if (!isObject(workout)) return null;
  const externalId = workoutKeyOf(workout.workoutKey);
  const start = positive(workout.startTime);
  if (externalId === null || start === null) return null;
  const totalTime = nonNegative(workout.totalTime);
  const stop = positive(workout.stopTime);
  const end =
    stop !== null && stop >= start ? stop : totalTime !== null ? start + Math.round(totalTime * 1000) : null;
  if (end === null) return null;
  const minutes = numberOf(workout.timeOffsetInMinutes);
  return {
    category: 'workout',
    type: suuntoWorkoutType(workout.activityId),
    source: workoutSource(workout),
    start: Math.round(start),
    end: Math.round(end),
    zoneOffset: minutes === null ? null : zoneOffsetOf(minutes * 60),
    durationSeconds: Math.round(totalTime ?? (end - start) / 1000),
    externalId,
    details: workoutDetails(workout),
  };
}

/** A recorded sample's fields -> series in the model's units (m/s, rpm, W, m). */
const SAMPLE_FIELDS: ReadonlyArray<[SeriesType, (sample: JsonObject) => number | null]> = [
  ['heart_rate', (s) => positive(s.heartRate)],
  ['speed', (s) => nonNegative(s.speed)],
  ['cadence', (s) => nonNegative(s.cadence)],
  ['power', (s) => nonNegative(s.power)],
  ['elevation', (s) => numberOf(s.altitude)],
];

/**
 * A workout's samples (`timestamp` epoch ms, `heartRate`, `speed`, `cadence`, `power`, `altitude`) as series of
 * the workout's device, in its zone. A sample outside the workout, or without any usable field, is skipped.
 */
export function mapWorkoutSamples(out: PullOutput, workout: WorkoutEvent, samples: readonly unknown[]) {
  for (const sample of samples) {
    const at = isObject(sample) ? positive(sample.timestamp) : null;
    let mapped = false;
    if (isObject(sample) && at !== null && at >= workout.start && at <= workout.end) {
      for (const [series, read] of SAMPLE_FIELDS)
        if (out.sample(workout.source, series, Math.round(at), read(sample), workout.zoneOffset))
          mapped = true;
    }
    if (!mapped) out.skip();
  }
}
