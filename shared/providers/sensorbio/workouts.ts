import type { HealthEvent, WorkoutDetails } from '#shared/model/health-data.js';
import type { WorkoutType } from '#shared/model/workout-types.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import { detailsOf } from '#shared/providers/output.js';
import { SENSORBIO_SOURCE } from '#shared/providers/sensorbio/common.js';
import { epochMs } from '#shared/providers/time.js';
import { idText, nonNegative, positive } from '#shared/providers/values.js';

/**
 * `/v1/activities` records (WorkoutStats: `timestamp`, `name`, `activities[]`) -> workout events (providers.md
 * 4.10), pure. Each nested activity is one workout, identified by its `id` (eventIdentity `external`).
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }> & { externalId: string };

/** Activity names as SensorBio writes them (`likely_name`, else the record's `name`), lower-cased. */
const WORKOUT_NAMES: Record<string, WorkoutType> = {
  run: 'running',
  running: 'running',
  jog: 'running',
  jogging: 'running',
  'outdoor run': 'running',
  'trail run': 'trail_running',
  treadmill: 'treadmill',
  'treadmill run': 'treadmill',
  walk: 'walking',
  walking: 'walking',
  hike: 'hiking',
  hiking: 'hiking',
  ride: 'cycling',
  bike: 'cycling',
  'bike ride': 'cycling',
  biking: 'cycling',
  cycling: 'cycling',
  'mountain biking': 'mountain_biking',
  'indoor cycling': 'indoor_cycling',
  spinning: 'indoor_cycling',
  'stationary bike': 'indoor_cycling',
  swim: 'swimming',
  swimming: 'swimming',
  rowing: 'rowing',
  'rowing machine': 'rowing_machine',
  elliptical: 'elliptical',
  'stair climbing': 'stair_climbing',
  stairs: 'stair_climbing',
  strength: 'strength_training',
  'strength training': 'strength_training',
  'weight training': 'strength_training',
  weightlifting: 'strength_training',
  hiit: 'cardio_training',
  cardio: 'cardio_training',
  crossfit: 'cardio_training',
  yoga: 'yoga',
  pilates: 'pilates',
  stretching: 'stretching',
  meditation: 'meditation',
  dance: 'dance',
  boxing: 'boxing',
  tennis: 'tennis',
  basketball: 'basketball',
  soccer: 'soccer',
  golf: 'golf',
  workout: 'other',
};

const normalName = (value: unknown) =>
  textOf(value)?.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ') ?? null;

/** The activity's `likely_name`, else its record's `name`, through the table; anything unknown is `other`. */
export function sensorbioWorkoutType(likelyName: unknown, recordName: unknown): WorkoutType {
  for (const name of [normalName(likelyName), normalName(recordName)]) {
    if (name !== null && Object.hasOwn(WORKOUT_NAMES, name)) return WORKOUT_NAMES[name]!;
  }
  return 'other';
}

/** Seconds that fit in the workout's span (a millisecond value leaking into a seconds field does not). */
function secondsWithin(value: unknown, spanSeconds: number): number | null {
  const seconds = nonNegative(value);
  return seconds !== null && seconds <= spanSeconds + 60 ? Math.round(seconds) : null;
}

function workoutDetails(activity: JsonObject, spanSeconds: number): WorkoutDetails {
  const cardio = isObject(activity.cardio_metrics) ? activity.cardio_metrics : {};
  return detailsOf([
    ['heart_rate_avg', positive(cardio.avg_bpm), 2],
    ['heart_rate_max', positive(cardio.max_bpm), 0],
    ['heart_rate_min', positive(cardio.min_bpm), 0],
    ['energy_burned', nonNegative(activity.calories)],
    // Meters: the API states no unit here, and its values (5000 for a 30-minute run) are meters, not the km of
    // the daily step details.
    ['distance', nonNegative(activity.distance)],
    ['moving_time_seconds', secondsWithin(activity.active_time, spanSeconds), 0],
  ]);
}

/**
 * One nested activity -> a workout, or null without an `id` or a valid `start_time` < `end_time` (epoch ms).
 * Duration is `duration` (seconds) when it fits the span, else the span.
 */
export function mapActivity(activity: unknown, recordName: unknown): WorkoutEvent | null {
  if (!isObject(activity)) return null;
  const externalId = idText(activity.id);
  const start = epochMs(activity.start_time);
  const end = epochMs(activity.end_time);
  if (externalId === null || start === null || end === null || end <= start) return null;
  const spanSeconds = (end - start) / 1000;
  return {
    category: 'workout',
    type: sensorbioWorkoutType(activity.likely_name, recordName),
    source: SENSORBIO_SOURCE,
    start,
    end,
    zoneOffset: null,
    durationSeconds: secondsWithin(activity.duration, spanSeconds) ?? Math.round(spanSeconds),
    externalId,
    details: workoutDetails(activity, spanSeconds),
  };
}

/** Every usable workout of the records, one per activity id (a later copy replaces an earlier one). */
export function workoutsOf(records: JsonObject[]): WorkoutEvent[] {
  const byId = new Map<string, WorkoutEvent>();
  for (const record of records) {
    if (!Array.isArray(record.activities)) continue;
    for (const activity of record.activities) {
      const workout = mapActivity(activity, record.name);
      if (workout) byId.set(workout.externalId, workout);
    }
  }
  return [...byId.values()].sort((a, b) => a.start - b.start);
}
