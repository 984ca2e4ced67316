import { roundTo } from '#shared/model/numbers.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import { componentsOf, detailsOf, type PullOutput } from '#shared/providers/output.js';
import { nonNegative, percentOf, positive } from '#shared/providers/values.js';
import { kcalOf, type Outcome, recordSpan, scoreOf, WHOOP_SCORE } from '#shared/providers/whoop/common.js';
import { whoopWorkoutType } from '#shared/providers/whoop/sport-types.js';

/**
 * A workout (`GET /v2/activity/workout`, `/v2/activity/workout/{id}`) -> a workout event identified by WHOOP's
 * workout id, typed by `sport_name`, with average / maximum heart rate, energy (kJ -> kcal), distance (m) and
 * elevation gain (m); and its strain as a `strain` score at the workout's start, with the heart-rate zone
 * durations (seconds), heart rates, energy, distance, altitude and `percent_recorded` as components. Only scored
 * workouts are kept (a `PENDING_SCORE` one comes back scored through a later pull or `workout.updated`).
 */

const ZONES = ['zero', 'one', 'two', 'three', 'four', 'five'] as const;

const seconds = (ms: number | null) => (ms === null ? null : roundTo(ms / 1000, 3));

const workoutDetails = (score: JsonObject) =>
  detailsOf([
    ['heart_rate_avg', positive(score.average_heart_rate), 2],
    ['heart_rate_max', positive(score.max_heart_rate), 0],
    ['energy_burned', kcalOf(nonNegative(score.kilojoule))],
    ['distance', nonNegative(score.distance_meter)],
    ['total_elevation_gain', nonNegative(score.altitude_gain_meter)],
  ]);

function zoneComponents(score: JsonObject): Record<string, number | null> {
  const zones = isObject(score.zone_durations) ? score.zone_durations : {};
  return Object.fromEntries(
    ZONES.map((zone) => [`zone_${zone}_seconds`, seconds(nonNegative(zones[`zone_${zone}_milli`]))]),
  );
}

export function mapWorkout(record: unknown, out: PullOutput): Outcome {
  if (!isObject(record)) return 'malformed';
  const span = recordSpan(record);
  if (!span) return 'malformed';
  const score = scoreOf(record);
  if (!score) return 'unscored';
  const { start, zoneOffset } = span;
  out.event({
    category: 'workout',
    type: whoopWorkoutType(record.sport_name),
    ...span,
    details: workoutDetails(score),
  });
  const strain = nonNegative(score.strain);
  if (strain !== null)
    out.score({
      ...WHOOP_SCORE,
      category: 'strain',
      value: strain,
      recordedAt: start,
      zoneOffset,
      components: componentsOf({
        average_heart_rate: positive(score.average_heart_rate),
        max_heart_rate: positive(score.max_heart_rate),
        energy_kcal: kcalOf(nonNegative(score.kilojoule)),
        percent_recorded: percentOf(score.percent_recorded),
        distance_meter: nonNegative(score.distance_meter),
        altitude_gain_meter: nonNegative(score.altitude_gain_meter),
        // May be negative: the workout ended lower than it started.
        altitude_change_meter: numberOf(score.altitude_change_meter),
        ...zoneComponents(score),
      }),
    });
  return 'mapped';
}
