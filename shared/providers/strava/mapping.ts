import type { HealthEvent, SourceRef, WorkoutDetails } from '#shared/model/health-data.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import { detailsOf, deviceSource } from '#shared/providers/output.js';
import { stravaWorkoutType } from '#shared/providers/strava/sport-types.js';
import { isoMs } from '#shared/providers/time.js';
import { idText, nonNegative, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * A Strava activity (a `SummaryActivity` of `GET /athlete/activities` or the `DetailedActivity` of
 * `GET /activities/{id}`) -> a unified workout event (providers.md 4.6), pure. The event is Strava's record: its
 * `id` is the external id, which the store keys Strava workouts by (eventIdentity `external`).
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }> & { externalId: string };

export const DEFAULT_SOURCE_NAME = 'Strava';

/** kJ -> kcal. */
const KCAL_PER_KJ = 0.239006;

/** `start_date` (ISO-8601 in UTC, or with an explicit offset) -> epoch ms; null for anything else. */
export const instantOf = (value: unknown) => isoMs(value, { naive: 'reject' });

/** A Strava id (activity, athlete): a safe non-negative integer or a string of digits. */
export function numericId(value: unknown): string | null {
  const text = idText(value);
  return text !== null && /^\d+$/.test(text) ? text : null;
}

/**
 * The recording device (`device_name`) as source name and device model (providers.md 4.6). Without one the source
 * name defaults to "Strava" and there is no device model: "Strava" is the app, not a device. The reference writes
 * `""` there; our model says "none" with null (SourceRef, UNKNOWN_SOURCE), which is the same data source (its
 * identity is `coalesce(device_model, '')`, providers.md 3.3) and infers no device type from the app's name. The
 * data-source listing shows `device_model: null` where the reference showed `""`.
 */
const stravaSource = (activity: JsonObject): SourceRef =>
  deviceSource('strava', activity.device_name, DEFAULT_SOURCE_NAME);

/** `calories` when Strava computed them (the detail only, and 0 when it could not), else `kilojoules` in kcal. */
function energyOf(activity: JsonObject): number | null {
  const calories = positive(activity.calories);
  if (calories !== null) return calories;
  const kilojoules = positive(activity.kilojoules);
  return kilojoules === null ? null : kilojoules * KCAL_PER_KJ;
}

/** Decimal places follow the reference's workout_details columns (heart_rate_max int, avg and speeds 2, else 3). */
const workoutDetails = (activity: JsonObject): WorkoutDetails =>
  detailsOf([
    ['heart_rate_avg', positive(activity.average_heartrate), 2],
    ['heart_rate_max', positive(activity.max_heartrate), 0],
    ['energy_burned', energyOf(activity)],
    ['distance', nonNegative(activity.distance)],
    ['average_speed', nonNegative(activity.average_speed), 2],
    ['max_speed', nonNegative(activity.max_speed), 2],
    ['average_watts', nonNegative(activity.average_watts)],
    ['max_watts', nonNegative(activity.max_watts)],
    ['moving_time_seconds', nonNegative(activity.moving_time), 0],
    ['total_elevation_gain', nonNegative(activity.total_elevation_gain)],
    // Elevations may be below sea level.
    ['elev_high', numberOf(activity.elev_high)],
    ['elev_low', numberOf(activity.elev_low)],
  ]);

/**
 * One activity -> a workout, or null when it is malformed: no usable `id`, `start_date` or `elapsed_time`.
 * Start is `start_date`, end = start + `elapsed_time` seconds (pauses included, as the wall-clock span).
 */
export function mapActivity(activity: unknown): WorkoutEvent | null {
  if (!isObject(activity)) return null;
  const externalId = numericId(activity.id);
  const start = instantOf(activity.start_date);
  const elapsed = nonNegative(activity.elapsed_time);
  if (externalId === null || start === null || elapsed === null) return null;
  return {
    category: 'workout',
    type: stravaWorkoutType(activity.sport_type, activity.type),
    source: stravaSource(activity),
    start,
    end: start + Math.round(elapsed * 1000),
    zoneOffset: zoneOffsetOf(activity.utc_offset),
    durationSeconds: Math.round(elapsed),
    externalId,
    details: workoutDetails(activity),
  };
}
