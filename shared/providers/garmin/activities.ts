import type { HealthEvent, WorkoutDetails } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { garminSource, startOf } from '#shared/providers/garmin/common.js';
import { garminWorkoutType } from '#shared/providers/garmin/workout-types.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import { detailsOf, outputOf } from '#shared/providers/output.js';
import { epochSecondsMs } from '#shared/providers/time.js';
import type { PullResult } from '#shared/providers/types.js';
import { idText, nonNegative, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * `activities`, `activityDetails` and `moveIQActivities` -> workouts (providers.md 4.1).
 *
 * Deliberate differences from the reference:
 * - an `activities` summary and the `summary` of its `activityDetails` are mapped by the same function, both
 *   keyed by `activityId`, so the two are one workout (the reference stored a second record with the raw type
 *   lower-cased, which only its (source, start, end) key hid);
 * - times are UTC (the reference read `activities` start times as naive server-local times);
 * - Garmin's own field names are read next to the ones providers.md gives
 *   (`averageBikeCadenceInRoundsPerMinute`, `totalElevationGainInMeters`);
 * - `activityDetails` samples are always mapped (the reference needed `INGEST_WORKOUT_SAMPLES`);
 * - the unified model has no `activity` event category, so Move IQ auto-detected moves are workouts whose
 *   source is "Garmin Move IQ" (the reference's source name): kept, and told apart from recorded activities by
 *   source.
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }>;

const MOVE_IQ_SOURCE_NAME = 'Garmin Move IQ';

const CADENCE_FIELDS = [
  'averageRunCadenceInStepsPerMinute',
  'averageBikeCadenceInRoundsPerMinute',
  'averageBikingCadenceInRevPerMinute',
  'averageSwimCadenceInStrokesPerMinute',
  'averagePushCadenceInPushesPerMinute',
] as const;

const firstOf = (summary: JsonObject, fields: readonly string[]): number | null => {
  for (const field of fields) {
    const value = positive(summary[field]);
    if (value !== null) return value;
  }
  return null;
};

const workoutDetails = (summary: JsonObject): WorkoutDetails =>
  detailsOf([
    ['heart_rate_avg', positive(summary.averageHeartRateInBeatsPerMinute), 2],
    ['heart_rate_max', positive(summary.maxHeartRateInBeatsPerMinute), 2],
    ['energy_burned', nonNegative(summary.activeKilocalories)],
    ['distance', nonNegative(summary.distanceInMeters)],
    ['steps_count', nonNegative(summary.steps), 0],
    ['average_speed', nonNegative(summary.averageSpeedInMetersPerSecond)],
    ['max_speed', nonNegative(summary.maxSpeedInMetersPerSecond)],
    ['average_cadence', firstOf(summary, CADENCE_FIELDS), 2],
    [
      'total_elevation_gain',
      nonNegative(summary.totalElevationGainInMeters) ?? nonNegative(summary.elevationGainInMeters),
    ],
  ]);

/** An activity summary -> a workout keyed by `activityId`; null without a start time and a duration. */
export function mapActivity(item: unknown): WorkoutEvent | null {
  if (!isObject(item)) return null;
  const start = startOf(item);
  const duration = nonNegative(item.durationInSeconds);
  if (!start || duration === null) return null;
  return {
    category: 'workout',
    type: garminWorkoutType(item.activityType),
    source: garminSource(item.deviceName),
    start: start.start,
    end: start.start + Math.round(duration * 1000),
    zoneOffset: start.zoneOffset,
    durationSeconds: Math.round(duration),
    externalId: idText(item.activityId) ?? idText(item.summaryId),
    details: workoutDetails(item),
  };
}

/** `samples[]` field -> series (all averaged, so the intraday flag is null). */
const SAMPLE_FIELDS: ReadonlyArray<[SeriesType, (sample: JsonObject) => number | null]> = [
  ['heart_rate', (s) => positive(s.heartRate)],
  ['speed', (s) => nonNegative(s.speedMetersPerSecond)],
  [
    'cadence',
    (s) =>
      nonNegative(s.stepsPerMinute) ??
      nonNegative(s.bikeCadenceInRPM) ??
      nonNegative(s.swimCadenceInStrokesPerMinute),
  ],
  ['power', (s) => nonNegative(s.powerInWatts)],
  ['elevation', (s) => numberOf(s.elevationInMeters)],
  ['latitude', (s) => inRange(numberOf(s.latitudeInDegree), 90)],
  ['longitude', (s) => inRange(numberOf(s.longitudeInDegree), 180)],
  // Garmin spells it "Celcius".
  ['air_temperature', (s) => numberOf(s.airTemperatureCelcius) ?? numberOf(s.airTemperatureCelsius)],
];

function inRange(value: number | null, bound: number): number | null {
  return value !== null && Math.abs(value) <= bound ? value : null;
}

/**
 * An `activityDetails` item: the workout from its `summary` (ids from the item, where Garmin puts them) plus its
 * per-second `samples[]` as series of the workout's device.
 */
export function mapActivityDetails(item: unknown): PullResult | null {
  if (!isObject(item) || !isObject(item.summary)) return null;
  const summaryId = idText(item.summaryId) ?? idText(item.summary.summaryId);
  const workout = mapActivity({
    ...item.summary,
    activityId: item.activityId ?? item.summary.activityId,
    summaryId: summaryId?.replace(/-detail$/, ''),
    deviceName: item.summary.deviceName ?? item.deviceName,
  });
  if (!workout) return null;
  return outputOf((out) => {
    out.event(workout);
    if (!Array.isArray(item.samples)) return;
    for (const sample of item.samples) {
      if (!isObject(sample)) continue;
      const at = epochSecondsMs(sample.startTimeInSeconds);
      for (const [series, read] of SAMPLE_FIELDS)
        out.sample(workout.source, series, at, read(sample), workout.zoneOffset);
    }
  });
}

/**
 * A Move IQ auto-detected move -> a workout of the "Garmin Move IQ" source, keyed by `summaryId`; typed by its
 * sub-type when that is a known activity type ("Speed Walking"), else by its type ("Walking").
 */
export function mapMoveIq(item: unknown): WorkoutEvent | null {
  if (!isObject(item)) return null;
  const start = epochSecondsMs(item.startTimeInSeconds);
  const duration = nonNegative(item.durationInSeconds);
  if (start === null || duration === null) return null;
  const subType = garminWorkoutType(item.activitySubType ?? item.subActivityType);
  return {
    category: 'workout',
    type: subType === 'other' ? garminWorkoutType(item.activityType) : subType,
    source: garminSource(item.deviceName, MOVE_IQ_SOURCE_NAME),
    start,
    end: start + Math.round(duration * 1000),
    zoneOffset: zoneOffsetOf(item.offsetInSeconds ?? item.startTimeOffsetInSeconds),
    durationSeconds: Math.round(duration),
    externalId: idText(item.summaryId),
    details: {},
  };
}
