/**
 * Generated Oura API v2 documents for the fake (providers.md 4.5): one wearer's days of sleep periods (with the
 * 5-minute hypnogram, heart rate and HRV), daily sleep / readiness / activity (with the 1-minute MET series and the
 * 5-minute activity classes), SpO2, cardiovascular age, VO2max, workouts and 5-minute heart rate, in Oura's field
 * names and formats (times in the wearer's local time with its offset). Deterministic per seed.
 */
import { createHash } from 'node:crypto';
import { type RandomTools, randomTools, round } from '#test/fakes/random.js';

export type OuraDocument = Record<string, unknown> & { id: string; day: string };
export interface OuraHeartRate {
  bpm: number;
  source: string;
  timestamp: string;
}

/** The day-range collections, by their path names. */
export const OURA_COLLECTIONS = [
  'workout',
  'sleep',
  'daily_sleep',
  'daily_readiness',
  'daily_activity',
  'daily_spo2',
  'daily_cardiovascular_age',
  'vO2_max',
] as const;
export type OuraCollection = (typeof OURA_COLLECTIONS)[number];

export const isOuraCollection = (value: string): value is OuraCollection =>
  (OURA_COLLECTIONS as readonly string[]).includes(value);

export interface OuraUserData {
  documents: Record<OuraCollection, OuraDocument[]>;
  heartrate: OuraHeartRate[];
}

export const emptyOuraData = (): OuraUserData => ({
  documents: Object.fromEntries(OURA_COLLECTIONS.map((c) => [c, []])) as unknown as OuraUserData['documents'],
  heartrate: [],
});

export const DEFAULT_OURA_USER = '8a7b6c5d-0e1f-4a2b-9c3d-4e5f6a7b8c9d';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A UUID-shaped id derived from its parts (the same seed gives the same ids). */
export const ouraId = (...parts: unknown[]) => {
  const hex = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** `+01:00` -> minutes east of UTC. */
export const offsetMinutes = (offset: string) => {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) throw new Error(`not an offset: ${offset}`);
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
};

/** Epoch ms as Oura writes it: local time with the offset, `2024-01-15T07:00:00+01:00` (`.000` with `millis`). */
export function localTime(ms: number, offset: string, millis = false): string {
  const local = new Date(ms + offsetMinutes(offset) * MINUTE).toISOString();
  return `${local.slice(0, millis ? 23 : 19)}${offset}`;
}

/** The UTC epoch ms of `HH:MM` local time on `day`. */
const atLocal = (day: string, minutes: number, offset: string) =>
  Date.parse(`${day}T00:00:00Z`) + (minutes - offsetMinutes(offset)) * MINUTE;

const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** Per-epoch series `{interval, items, timestamp}` as in Oura's sleep and activity documents. */
const sampled = (interval: number, items: Array<number | null>, start: number, offset: string) => ({
  interval,
  items,
  timestamp: localTime(start, offset, true),
});

/** The hypnogram of a night: mostly light, deep early, REM late, a few awakenings. */
function hypnogram(r: RandomTools, epochs: number): string {
  let phases = '4';
  while (phases.length < epochs) {
    const progress = phases.length / epochs;
    const stage = r.weighted([
      { weight: progress < 0.4 ? 3 : 0.5, stage: '1' },
      { weight: 5, stage: '2' },
      { weight: progress > 0.5 ? 3 : 1, stage: '3' },
      { weight: 0.4, stage: '4' },
    ]).stage;
    phases += stage.repeat(Math.min(r.int(2, 6), epochs - phases.length));
  }
  return phases;
}

export interface OuraSleepOptions {
  day: string;
  start: number;
  minutes: number;
  offset: string;
  type?: string;
  seed?: string | number;
}

/** A sleep period with durations, efficiency and series consistent with its hypnogram. */
export function ouraSleep(options: OuraSleepOptions): OuraDocument {
  const r = randomTools(`sleep|${options.seed ?? 0}|${options.start}`);
  const epochs = Math.max(1, Math.round(options.minutes / 5));
  const phases = hypnogram(r, epochs);
  const seconds = (stage: string) => [...phases].filter((c) => c === stage).length * 300;
  const end = options.start + epochs * 300_000;
  const heartRate = [...phases].map((c, i) =>
    i === 0 ? null : round(c === '1' ? r.between(46, 52) : r.between(50, 62)),
  );
  const hrv = heartRate.map((bpm) => (bpm === null ? null : round(r.between(30, 80))));
  const asleep = seconds('1') + seconds('2') + seconds('3');
  const rates = heartRate.filter((v): v is number => v !== null);
  return {
    id: ouraId('sleep', options.seed ?? 0, options.start),
    day: options.day,
    type: options.type ?? 'long_sleep',
    period: 0,
    bedtime_start: localTime(options.start, options.offset),
    bedtime_end: localTime(end, options.offset),
    time_in_bed: epochs * 300,
    total_sleep_duration: asleep,
    deep_sleep_duration: seconds('1'),
    light_sleep_duration: seconds('2'),
    rem_sleep_duration: seconds('3'),
    awake_time: seconds('4'),
    efficiency: Math.round((asleep / (epochs * 300)) * 100),
    latency: 300,
    lowest_heart_rate: rates.length > 0 ? Math.min(...rates) : null,
    average_heart_rate: rates.length > 0 ? round(rates.reduce((a, b) => a + b, 0) / rates.length, 3) : null,
    average_hrv: round(r.between(35, 60)),
    average_breath: round(r.between(13, 17), 3),
    restless_periods: r.int(0, 12),
    low_battery_alert: false,
    sleep_phase_5_min: phases,
    heart_rate: sampled(300, heartRate, options.start, options.offset),
    hrv: sampled(300, hrv, options.start, options.offset),
  };
}

const ACTIVITIES = ['running', 'walking', 'cycling', 'strength_training', 'yoga', 'hiking', 'swimming'];

export interface OuraWorkoutOptions {
  day: string;
  start: number;
  minutes: number;
  offset: string;
  activity?: string;
  seed?: string | number;
}

export function ouraWorkout(options: OuraWorkoutOptions): OuraDocument {
  const r = randomTools(`workout|${options.seed ?? 0}|${options.start}`);
  const activity = options.activity ?? r.pick(ACTIVITIES);
  const moving = ['running', 'walking', 'cycling', 'hiking', 'swimming'].includes(activity);
  return {
    id: ouraId('workout', options.seed ?? 0, options.start),
    activity,
    calories: round(options.minutes * r.between(5, 11), 1),
    day: options.day,
    distance: moving ? round(options.minutes * r.between(80, 250), 1) : null,
    start_datetime: localTime(options.start, options.offset),
    end_datetime: localTime(options.start + options.minutes * MINUTE, options.offset),
    intensity: r.pick(['easy', 'moderate', 'hard']),
    label: null,
    source: r.pick(['manual', 'autodetected', 'confirmed']),
  };
}

const contributors = (r: RandomTools, names: string[]) =>
  Object.fromEntries(names.map((name) => [name, r.int(40, 100)]));

/** Activity classes of one day (288 epochs from 04:00): rest at night, mostly low/inactive by day. */
function activityClasses(r: RandomTools): string {
  let classes = '';
  for (let i = 0; i < 288; i++) {
    const hour = (4 + i / 12) % 24;
    if (hour >= 23 || hour < 7) classes += '1';
    else
      classes += r.weighted([
        { weight: 5, c: '2' },
        { weight: 3, c: '3' },
        { weight: 0.8, c: '4' },
        { weight: 0.3, c: '5' },
      ]).c;
  }
  return classes;
}

function dailyActivity(r: RandomTools, day: string, offset: string, seed: unknown): OuraDocument {
  const start = atLocal(day, 4 * 60, offset);
  const classes = activityClasses(r);
  const count = (c: string) => [...classes].filter((x) => x === c).length * 300;
  const met = Array.from({ length: 1440 }, (_, i) => {
    const c = classes[Math.floor(i / 5)]!;
    return round(c === '1' ? 0.9 : c === '2' ? r.between(1, 1.5) : r.between(1.5, 2 + Number(c)), 1);
  });
  const steps = r.int(3_000, 15_000);
  const active = r.int(150, 900);
  return {
    id: ouraId('daily_activity', seed, day),
    day,
    timestamp: localTime(start, offset, true),
    score: r.int(55, 98),
    active_calories: active,
    total_calories: active + r.int(1_500, 1_900),
    steps,
    equivalent_walking_distance: Math.round(steps * 0.76),
    high_activity_time: count('5'),
    medium_activity_time: count('4'),
    low_activity_time: count('3'),
    sedentary_time: count('2'),
    resting_time: count('1'),
    non_wear_time: 0,
    class_5_min: classes,
    met: sampled(60, met, start, offset),
    contributors: contributors(r, [
      'meet_daily_targets',
      'move_every_hour',
      'recovery_time',
      'stay_active',
      'training_frequency',
      'training_volume',
    ]),
  };
}

export interface GenerateOuraOptions {
  days: number;
  /** Epoch ms; the last day generated is the one containing it. Default now. */
  end?: number;
  seed?: string | number;
  /** The wearer's offset. Default `+01:00`. */
  offset?: string;
  /** Heart rate samples while awake every this many seconds. Default 300 (Oura's). */
  heartRateSeconds?: number;
}

/** `days` days of one wearer, ending with the local day that contains `end`. */
export function generateOuraDays(options: GenerateOuraOptions): OuraUserData {
  const offset = options.offset ?? '+01:00';
  const seed = options.seed ?? 1;
  const end = options.end ?? Date.now();
  const r = randomTools(`oura|${seed}`);
  const data = emptyOuraData();
  const lastDay = localTime(end, offset).slice(0, 10);
  for (let d = options.days - 1; d >= 0; d--) {
    const day = addDays(lastDay, -d);
    const bedtime = atLocal(day, -60 + r.int(-45, 45), offset);
    const night = ouraSleep({ day, start: bedtime, minutes: r.int(400, 520), offset, seed });
    if (Date.parse(night.bedtime_end as string) <= end) data.documents.sleep.push(night);
    if (r.chance(0.15))
      data.documents.sleep.push(
        ouraSleep({ day, start: atLocal(day, 14 * 60, offset), minutes: 30, offset, type: 'late_nap', seed }),
      );
    if (r.chance(0.05))
      data.documents.sleep.push(
        ouraSleep({ day, start: atLocal(day, 16 * 60, offset), minutes: 20, offset, type: 'rest', seed }),
      );
    const midnight = localTime(atLocal(day, 0, offset), offset, true);
    data.documents.daily_sleep.push({
      id: ouraId('daily_sleep', seed, day),
      day,
      timestamp: midnight,
      score: r.int(55, 95),
      contributors: contributors(r, [
        'deep_sleep',
        'efficiency',
        'latency',
        'rem_sleep',
        'restfulness',
        'timing',
        'total_sleep',
      ]),
    });
    data.documents.daily_readiness.push({
      id: ouraId('daily_readiness', seed, day),
      day,
      timestamp: midnight,
      score: r.int(50, 95),
      temperature_deviation: round(r.between(-0.6, 0.6), 2),
      temperature_trend_deviation: round(r.between(-0.3, 0.3), 2),
      contributors: contributors(r, [
        'activity_balance',
        'body_temperature',
        'hrv_balance',
        'previous_day_activity',
        'previous_night',
        'recovery_index',
        'resting_heart_rate',
        'sleep_balance',
      ]),
    });
    data.documents.daily_activity.push(dailyActivity(r, day, offset, seed));
    data.documents.daily_spo2.push({
      id: ouraId('daily_spo2', seed, day),
      day,
      spo2_percentage: { average: round(r.between(95, 99), 3) },
      breathing_disturbance_index: r.int(0, 12),
    });
    data.documents.daily_cardiovascular_age.push({
      id: ouraId('daily_cardiovascular_age', seed, day),
      day,
      vascular_age: r.int(28, 40),
    });
    if (d % 7 === 0)
      data.documents.vO2_max.push({
        id: ouraId('vO2_max', seed, day),
        day,
        timestamp: midnight,
        vo2_max: round(r.between(38, 48), 1),
      });
    if (r.chance(0.4)) {
      const start = atLocal(day, r.pick([7 * 60, 12 * 60, 18 * 60]) + r.int(0, 45), offset);
      if (start < end)
        data.documents.workout.push(ouraWorkout({ day, start, minutes: r.int(25, 90), offset, seed }));
    }
    const step = (options.heartRateSeconds ?? 300) * 1000;
    for (let at = atLocal(day, 8 * 60, offset); at < atLocal(day, 22 * 60, offset) && at < end; at += step)
      data.heartrate.push({ bpm: r.int(58, 105), source: 'awake', timestamp: localTime(at, '+00:00') });
  }
  return data;
}
