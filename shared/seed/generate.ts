import { SDK_WORKOUT_TYPES } from '#shared/ingest/sdk-mappings.js';
import type { SeriesType } from '#shared/model/series.js';
import { isoAt } from '#shared/model/time.js';
import { type Channel, channelsFor } from '#shared/seed/channels.js';
import { type SeedProfile, stagesOf } from '#shared/seed/profiles.js';
import { Pushes, RECORDS_PER_PUSH, round, type SeededUser, windowOf } from '#shared/seed/pushes.js';
import { type Random, userRandom } from '#shared/seed/random.js';
import { sdkMetricType, sdkValue, shapeOf, WORKOUT_BOUND_SHAPES } from '#shared/seed/series-shapes.js';
import { sleepSession } from '#shared/seed/sleep.js';

/**
 * One synthetic user as SDK pushes (contract 6.2 `SyncRequest` bodies), deterministic for (seed, user index, today):
 * workouts, sleep sessions as stage segments, continuous series and the series bound to workouts, each from one
 * of the user's channels. Handed to the SDK ingest path, they are stored exactly as a phone's pushes would be.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
export const DEFAULT_WORKOUT_TYPES = [
  'running',
  'cycling',
  'walking',
  'swimming',
  'strength_training',
  'yoga',
  'hiking',
];
const FOOT_TYPES = new Set(['running', 'walking', 'hiking', 'soccer']);
const DISTANCE_TYPES = new Set(['running', 'walking', 'hiking', 'cycling', 'swimming', 'soccer']);
const FIRST_NAMES = [
  'Ava',
  'Ben',
  'Chloe',
  'Dan',
  'Ella',
  'Finn',
  'Grace',
  'Hugo',
  'Iris',
  'Jonas',
  'Kira',
  'Leo',
];
const LAST_NAMES = [
  'Novak',
  'Silva',
  'Berg',
  'Moreau',
  'Kowalski',
  'Tanaka',
  'Okafor',
  'Larsen',
  'Rossi',
  'Weber',
];

/** The SDK's name for a unified workout type: itself when the SDK has it, else a name that maps to it. */
const sdkWorkoutType = (type: string) =>
  SDK_WORKOUT_TYPES[type] === type
    ? type
    : (Object.keys(SDK_WORKOUT_TYPES).find((k) => SDK_WORKOUT_TYPES[k] === type) ?? type);

interface Span {
  type: string;
  start: number;
  end: number;
  channel: Channel;
}

function workouts(
  profile: SeedProfile,
  channels: Channel[],
  random: Random,
  pushes: Pushes,
  now: number,
): Span[] {
  const config = profile.workout_config;
  const { start, end } = windowOf(config, now);
  const types = config.workout_types?.length ? config.workout_types : DEFAULT_WORKOUT_TYPES;
  const starts = Array.from({ length: config.count }, () => {
    const day = start + Math.floor(random.next() * Math.max(1, (end - start) / DAY)) * DAY;
    return day + random.int(6, 19) * 60 * MINUTE + random.int(0, 3) * 15 * MINUTE;
  }).sort((a, b) => a - b);
  const spans: Span[] = [];
  let free = 0;
  starts.forEach((proposed, n) => {
    const begin = Math.max(proposed, free);
    const minutes = random.int(config.duration_min_minutes, config.duration_max_minutes);
    const finish = begin + minutes * MINUTE;
    if (finish > end) return;
    free = finish + 30 * MINUTE;
    const type = random.pick(types);
    const channel = channels[n % channels.length]!;
    const hrMin = random.int(...config.hr_min_range);
    const hrMax = Math.max(hrMin + 10, random.int(...config.hr_max_range));
    const values = [
      { type: 'duration', unit: 's', value: minutes * 60 },
      { type: 'activeEnergyBurned', unit: 'kcal', value: round(minutes * random.between(5, 12)) },
      { type: 'minHeartRate', unit: 'count/min', value: hrMin },
      { type: 'averageHeartRate', unit: 'count/min', value: Math.round((hrMin + hrMax) / 2) },
      { type: 'maxHeartRate', unit: 'count/min', value: hrMax },
      ...(FOOT_TYPES.has(type)
        ? [{ type: 'stepCount', unit: 'count', value: random.int(...config.steps_range) }]
        : []),
      ...(DISTANCE_TYPES.has(type)
        ? [{ type: 'distance', unit: 'm', value: round(minutes * random.between(60, 400)) }]
        : []),
    ];
    pushes.add(channel.provider, 'workouts', [
      {
        id: `seed-w-${n}`,
        type: sdkWorkoutType(type),
        startDate: isoAt(begin),
        endDate: isoAt(finish),
        zoneOffset: '+00:00',
        source: channel.source,
        values,
      },
    ]);
    spans.push({ type, start: begin, end: finish, channel });
  });
  return spans;
}

function sleeps(profile: SeedProfile, channel: Channel, random: Random, pushes: Pushes, now: number) {
  const config = profile.sleep_config;
  const { start, end } = windowOf(config, now);
  // Only nights over for 3 h: the ingest finalises such a session at once (contract 6.3.4).
  const lastNight = Math.floor((Math.min(end, now) - 12 * 60 * MINUTE) / DAY) * DAY;
  const nights = Math.max(0, Math.floor((lastNight - start) / DAY) + 1);
  const chosen = new Set<number>();
  const wanted = Math.min(config.count, nights);
  while (chosen.size < wanted) chosen.add(lastNight - random.int(0, nights - 1) * DAY);
  const distribution = stagesOf(config);
  for (const night of [...chosen].sort((a, b) => a - b)) {
    const weekend = [5, 6].includes(new Date(night).getUTCDay());
    const [lo, hi] =
      config.weekend_catchup && weekend
        ? [Math.min(config.duration_min_minutes + 240, 720), Math.min(config.duration_max_minutes + 240, 720)]
        : [config.duration_min_minutes, config.duration_max_minutes];
    const bedtime = night + (22 * 60 + random.int(-60, 150)) * MINUTE;
    const segments = sleepSession(bedtime, random.int(lo, hi), distribution, random);
    if (random.chance(config.nap_chance_pct)) {
      segments.push(
        ...sleepSession(
          night + DAY + (13 * 60 + random.int(0, 120)) * MINUTE,
          random.int(20, 90),
          distribution,
          random,
        ),
      );
    }
    const fitting = segments.filter((s) => s.end <= now - 3 * 60 * MINUTE);
    pushes.add(
      channel.provider,
      'sleep',
      fitting.map((s, i) => ({
        id: `seed-s-${night}-${i}`,
        stage: s.stage,
        startDate: isoAt(s.start),
        endDate: isoAt(s.end),
        zoneOffset: '+00:00',
        source: channel.source,
      })),
    );
  }
}

/** Samples of `series` over the window, from the first channel whose SDK carries it (none: the series is skipped). */
function series(
  type: SeriesType,
  channels: Channel[],
  window: { start: number; end: number },
  random: Random,
  pushes: Pushes,
) {
  const channel = channels.find((c) => sdkMetricType(type, c.provider));
  if (!channel) return;
  const metric = sdkMetricType(type, channel.provider)!;
  const shape = shapeOf(type);
  const records: object[] = [];
  for (let day = window.start, index = 0; day < window.end; day += DAY, index++) {
    if (index % (shape.everyDays ?? 1) !== 0) continue;
    for (const hour of shape.hours) {
      for (let minute = 0; minute < 60; minute += shape.everyMinutes) {
        const at = day + hour * 60 * MINUTE + minute * MINUTE;
        if (at >= window.end) continue;
        const { value, unit } = sdkValue(
          type,
          channel.provider,
          round(random.between(...shape.range), shape.integer),
        );
        const endAt = at + Math.min(shape.everyMinutes, 60) * MINUTE;
        records.push({
          id: null,
          type: metric,
          startDate: isoAt(at),
          endDate: isoAt(endAt),
          zoneOffset: '+00:00',
          source: channel.source,
          value,
          unit,
        });
      }
    }
  }
  for (let i = 0; i < records.length; i += RECORDS_PER_PUSH)
    pushes.add(channel.provider, 'records', records.slice(i, i + RECORDS_PER_PUSH));
}

/** Per-minute samples of the workout-bound series inside the workouts they belong to. */
function workoutBound(types: SeriesType[], spans: Span[], random: Random, pushes: Pushes) {
  for (const type of types) {
    const bound = WORKOUT_BOUND_SHAPES[type];
    if (!bound) continue;
    for (const span of spans.filter((s) => bound.types.includes(s.type))) {
      const metric = sdkMetricType(type, span.channel.provider) ?? sdkMetricType(type, 'apple');
      const provider = sdkMetricType(type, span.channel.provider) ? span.channel.provider : 'apple';
      const records: object[] = [];
      for (let at = span.start; at < span.end; at += MINUTE) {
        const { value, unit } = sdkValue(type, provider, round(random.between(...bound.range)));
        records.push({
          id: null,
          type: metric,
          startDate: isoAt(at),
          endDate: isoAt(at + MINUTE),
          zoneOffset: '+00:00',
          source: span.channel.source,
          value,
          unit,
        });
      }
      for (let i = 0; i < records.length; i += RECORDS_PER_PUSH)
        pushes.add(provider, 'records', records.slice(i, i + RECORDS_PER_PUSH));
    }
  }
}

export function seedUser(profile: SeedProfile, seed: number, userIndex: number, now: number): SeededUser {
  const random = userRandom(seed, userIndex);
  const channels = channelsFor(profile, random);
  const pushes = new Pushes(now);
  const spans = profile.generate_workouts ? workouts(profile, channels, random, pushes, now) : [];
  if (profile.generate_sleep) sleeps(profile, channels[0]!, random, pushes, now);
  const { enabled_types, include_blood_pressure } = profile.time_series_config;
  const bound = enabled_types.filter((t) => WORKOUT_BOUND_SHAPES[t]);
  if (profile.generate_time_series) {
    const window = windowOf(profile.time_series_config, now);
    const continuous = enabled_types.filter((t) => !WORKOUT_BOUND_SHAPES[t]);
    const pressure: SeriesType[] = include_blood_pressure
      ? ['blood_pressure_systolic', 'blood_pressure_diastolic']
      : [];
    for (const type of new Set([...continuous, ...pressure])) series(type, channels, window, random, pushes);
    workoutBound(bound, spans, random, pushes);
  }
  return { first_name: random.pick(FIRST_NAMES), last_name: random.pick(LAST_NAMES), pushes: pushes.all() };
}
