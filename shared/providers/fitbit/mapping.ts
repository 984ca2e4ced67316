import type { HealthEvent, SourceRef, WorkoutDetails } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { WorkoutType } from '#shared/model/workout-types.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { nonNegative } from '#shared/providers/values.js';

/**
 * Fitbit Web API activity log (`GET /1/user/-/activities/list.json`, one entry of `activities[]`) -> a unified
 * workout event (providers.md 4.7), pure.
 *
 * Deliberate differences from the reference:
 * - the zone offset of `startTime` is kept on the event (the reference parses it and then drops it);
 * - `distance` is converted to metres from `distanceUnit` (Kilometer x 1000, as the reference code does; Mile and
 *   Meter are honoured too, an unknown unit drops the distance rather than storing a wrong number);
 * - `activeDuration` is kept as `moving_time_seconds`, `elevationGain` (metres: we never send `Accept-Language`,
 *   so Fitbit answers in metric units) as `total_elevation_gain`;
 * - the id map uses Fitbit's real activity-type ids. The reference's 14-entry map has ids that collide with
 *   different Fitbit activities (2131 is "Weights", not indoor running; 90024 is "Swim", not indoor cycling; 1071
 *   is "Outdoor Bike", not hiking; 90019 is "Treadmill", not other; 3000 is the generic "Workout") and ids Fitbit
 *   does not use (15, 16, 27, 82, 91); those are corrected or left out, and the name map covers the rest.
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }>;

export const DEFAULT_SOURCE_NAME = 'Fitbit';

/**
 * Fitbit activity-type ids (the ids of Fitbit's activity catalogue, `GET /1/activities.json`, which follow the
 * Compendium of Physical Activities codes; the 900xx ids are Fitbit's own exercise shortcuts).
 */
export const FITBIT_ACTIVITY_TYPE_IDS: Readonly<Record<number, WorkoutType>> = {
  90009: 'running', // Run
  90019: 'treadmill', // Treadmill
  90013: 'walking', // Walk
  90012: 'hiking', // Hike
  90001: 'cycling', // Bike
  1071: 'cycling', // Outdoor Bike
  55001: 'indoor_cycling', // Spinning
  90024: 'swimming', // Swim
  2131: 'strength_training', // Weights
  2040: 'cardio_training', // Circuit Training
  20057: 'cardio_training', // Interval Workout
  3001: 'aerobics', // Aerobic Workout
  20047: 'elliptical', // Elliptical
  52000: 'yoga', // Yoga
  52001: 'yoga', // Yoga
  3000: 'generic', // Workout
  15000: 'sport', // Sport
  15055: 'basketball', // Basketball
  15605: 'soccer', // Soccer
  15675: 'tennis', // Tennis
  15255: 'golf', // Golf
  15430: 'martial_arts', // Martial Arts
  15200: 'fencing', // Fencing
  15580: 'skateboarding', // Skateboarding
};

/** Lower-cased, trimmed `activityName` -> type, for ids not in the map above (custom and less common types). */
export const FITBIT_ACTIVITY_NAMES: Readonly<Record<string, WorkoutType>> = {
  // running
  run: 'running',
  running: 'running',
  jog: 'running',
  jogging: 'running',
  'outdoor run': 'running',
  'trail run': 'trail_running',
  'trail running': 'trail_running',
  treadmill: 'treadmill',
  'treadmill run': 'treadmill',
  'indoor run': 'treadmill',
  // walking and hiking
  walk: 'walking',
  walking: 'walking',
  'outdoor walk': 'walking',
  'power walk': 'walking_fitness',
  'treadmill walk': 'treadmill',
  hike: 'hiking',
  hiking: 'hiking',
  mountaineering: 'mountaineering',
  // cycling
  bike: 'cycling',
  biking: 'cycling',
  bicycling: 'cycling',
  cycling: 'cycling',
  'outdoor bike': 'cycling',
  'road bike': 'cycling',
  'mountain bike': 'mountain_biking',
  'mountain biking': 'mountain_biking',
  'e-bike': 'e_biking',
  ebike: 'e_biking',
  spinning: 'indoor_cycling',
  spin: 'indoor_cycling',
  'indoor bike': 'indoor_cycling',
  'indoor cycling': 'indoor_cycling',
  'stationary bike': 'indoor_cycling',
  // water
  swim: 'swimming',
  swimming: 'swimming',
  'pool swim': 'pool_swimming',
  'open water swim': 'open_water_swimming',
  'open water swimming': 'open_water_swimming',
  'water polo': 'water_polo',
  rowing: 'rowing',
  'rowing machine': 'rowing_machine',
  'indoor rowing': 'rowing_machine',
  rower: 'rowing_machine',
  kayaking: 'kayaking',
  kayak: 'kayaking',
  canoeing: 'canoeing',
  paddling: 'paddling',
  paddleboarding: 'stand_up_paddleboarding',
  'stand up paddleboarding': 'stand_up_paddleboarding',
  sup: 'stand_up_paddleboarding',
  surfing: 'surfing',
  kitesurfing: 'kitesurfing',
  windsurfing: 'windsurfing',
  sailing: 'sailing',
  // gym
  weights: 'strength_training',
  'weight lifting': 'strength_training',
  weightlifting: 'strength_training',
  'weight training': 'strength_training',
  'strength training': 'strength_training',
  strength: 'strength_training',
  'circuit training': 'cardio_training',
  'interval workout': 'cardio_training',
  hiit: 'cardio_training',
  crossfit: 'cardio_training',
  bootcamp: 'cardio_training',
  'aerobic workout': 'aerobics',
  aerobics: 'aerobics',
  elliptical: 'elliptical',
  'stair climbing': 'stair_climbing',
  stairclimber: 'stair_climbing',
  'stair climber': 'stair_climbing',
  stairs: 'stair_climbing',
  stairmaster: 'stair_climbing',
  workout: 'generic',
  'group exercise': 'group_exercise',
  // mind and body
  yoga: 'yoga',
  pilates: 'pilates',
  stretching: 'stretching',
  meditation: 'meditation',
  dance: 'dance',
  dancing: 'dance',
  zumba: 'dance',
  barre: 'group_exercise',
  // ball and racket sports
  sport: 'sport',
  sports: 'sport',
  soccer: 'soccer',
  football: 'football',
  'american football': 'american_football',
  basketball: 'basketball',
  baseball: 'baseball',
  softball: 'baseball',
  volleyball: 'volleyball',
  handball: 'handball',
  rugby: 'rugby',
  hockey: 'hockey',
  'ice hockey': 'hockey',
  'field hockey': 'hockey',
  lacrosse: 'lacrosse',
  cricket: 'cricket',
  tennis: 'tennis',
  badminton: 'badminton',
  squash: 'squash',
  'table tennis': 'table_tennis',
  'ping pong': 'table_tennis',
  racquetball: 'racquetball',
  pickleball: 'pickleball',
  padel: 'padel',
  golf: 'golf',
  bowling: 'bowling',
  frisbee: 'disc_sports',
  'disc golf': 'disc_sports',
  // combat
  'martial arts': 'martial_arts',
  kickboxing: 'martial_arts',
  karate: 'martial_arts',
  'tae kwon do': 'martial_arts',
  taekwondo: 'martial_arts',
  boxing: 'boxing',
  wrestling: 'wrestling',
  fencing: 'fencing',
  // climbing, skating, snow
  climbing: 'rock_climbing',
  'rock climbing': 'rock_climbing',
  'indoor climbing': 'indoor_climbing',
  bouldering: 'bouldering',
  skating: 'skating',
  'ice skating': 'ice_skating',
  'inline skating': 'inline_skating',
  'roller skating': 'inline_skating',
  skateboarding: 'skateboarding',
  skiing: 'alpine_skiing',
  'downhill skiing': 'downhill_skiing',
  'cross-country skiing': 'cross_country_skiing',
  'cross country skiing': 'cross_country_skiing',
  snowboarding: 'snowboarding',
  snowshoeing: 'snowshoeing',
  // other
  'horseback riding': 'horseback_riding',
  gymnastics: 'gymnastics',
  archery: 'archery',
  curling: 'curling',
  wheelchair: 'wheelchair',
  triathlon: 'triathlon',
};

/** The unified type: the id map, then the lower-cased name map, else `other`. */
export function fitbitWorkoutType(activityTypeId: unknown, activityName: unknown): WorkoutType {
  const id = numberOf(activityTypeId);
  if (id !== null && Object.hasOwn(FITBIT_ACTIVITY_TYPE_IDS, id)) return FITBIT_ACTIVITY_TYPE_IDS[id]!;
  const name = typeof activityName === 'string' ? activityName.trim().toLowerCase().replace(/\s+/g, ' ') : '';
  if (name && Object.hasOwn(FITBIT_ACTIVITY_NAMES, name)) return FITBIT_ACTIVITY_NAMES[name]!;
  return 'other';
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** `±HH:MM` from `Z`, `±HHMM` or `±HH:MM`; `-00:00` is `+00:00`. */
function normaliseOffset(raw: string): string {
  if (raw === 'Z') return '+00:00';
  const digits = raw.slice(1).replace(':', '');
  const offset = `${raw[0]}${digits.slice(0, 2)}:${digits.slice(2)}`;
  return offset === '-00:00' ? '+00:00' : offset;
}

/** `startTime` with a zone offset -> UTC epoch ms and the offset; null when the offset is missing or invalid. */
export function parseStartTime(value: unknown): { ms: number; zoneOffset: string } | null {
  if (typeof value !== 'string') return null;
  const match = ISO_WITH_OFFSET.exec(value.trim());
  if (!match) return null;
  const zoneOffset = normaliseOffset(match[8]!);
  const [hours, minutes] = zoneOffset.slice(1).split(':').map(Number) as [number, number];
  if (hours > 14 || minutes > 59) return null;
  const fraction = (match[7] ?? '').padEnd(3, '0').slice(0, 3);
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6] ?? '00'}.${fraction}${zoneOffset}`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? { ms, zoneOffset } : null;
}

const METRES_PER_UNIT: Readonly<Record<string, number>> = {
  kilometer: 1000,
  kilometers: 1000,
  km: 1000,
  mile: 1609.344,
  miles: 1609.344,
  meter: 1,
  meters: 1,
  m: 1,
};

/** `distance` in metres; Fitbit reports kilometres when no `Accept-Language` is sent (and `distanceUnit` says so). */
function distanceMetres(distance: unknown, unit: unknown): number | null {
  const value = numberOf(distance);
  if (value === null || value < 0) return null;
  const key = textOf(unit)?.toLowerCase() ?? 'kilometer';
  const factor = Object.hasOwn(METRES_PER_UNIT, key) ? METRES_PER_UNIT[key]! : null;
  return factor === null ? null : roundTo(value * factor, 3);
}

export function fitbitSource(activity: JsonObject): SourceRef {
  const source = isObject(activity.source) ? activity.source : {};
  const name = textOf(source.name);
  return {
    provider: 'fitbit',
    deviceModel: name ?? DEFAULT_SOURCE_NAME,
    sourceName: name ?? DEFAULT_SOURCE_NAME,
    softwareVersion: null,
    originalSourceName: name,
  };
}

/**
 * One activity log -> a workout, or null when it cannot be placed in time (no `startTime` with an offset, or no
 * `duration`). Start is `startTime` in UTC, end = start + `duration` ms.
 */
export function mapActivity(activity: unknown): WorkoutEvent | null {
  if (!isObject(activity)) return null;
  const start = parseStartTime(activity.startTime);
  const durationMs = nonNegative(activity.duration);
  if (!start || durationMs === null) return null;

  const details: WorkoutDetails = {};
  const heartRate = nonNegative(activity.averageHeartRate);
  if (heartRate !== null && heartRate > 0) details.heart_rate_avg = roundTo(heartRate, 2);
  const calories = nonNegative(activity.calories);
  if (calories !== null) details.energy_burned = roundTo(calories, 3);
  const distance = distanceMetres(activity.distance, activity.distanceUnit);
  if (distance !== null) details.distance = distance;
  const steps = nonNegative(activity.steps);
  if (steps !== null) details.steps_count = Math.round(steps);
  const activeMs = nonNegative(activity.activeDuration);
  if (activeMs !== null) details.moving_time_seconds = Math.round(activeMs / 1000);
  const elevation = nonNegative(activity.elevationGain);
  if (elevation !== null) details.total_elevation_gain = roundTo(elevation, 3);

  const logId = numberOf(activity.logId) ?? textOf(activity.logId);
  return {
    category: 'workout',
    type: fitbitWorkoutType(activity.activityTypeId, activity.activityName),
    source: fitbitSource(activity),
    start: start.ms,
    end: start.ms + Math.round(durationMs),
    zoneOffset: start.zoneOffset,
    durationSeconds: Math.round(durationMs / 1000),
    externalId: logId === null ? null : String(logId),
    details,
  };
}
