/**
 * Polar AccessLink v3 records for the fake (providers.md 4.2), in Polar's formats: exercises (with samples and
 * heart-rate zones), nights, Nightly Recharges, daily activities, continuous heart rate and the physical
 * information, and `generatePolarDays` for N days of them. Times are the user's local wall clock at `offsetMinutes`
 * east of UTC, as Polar writes them.
 */
import { randomTools, round } from '#test/fakes/random.js';

export type PolarRecord = Record<string, unknown>;

export interface PolarDataset {
  exercises: PolarRecord[];
  nights: PolarRecord[];
  recharges: PolarRecord[];
  activities: PolarRecord[];
  heartRates: PolarRecord[];
  physicalInfo: PolarRecord | null;
}

export const emptyDataset = (): PolarDataset => ({
  exercises: [],
  nights: [],
  recharges: [],
  activities: [],
  heartRates: [],
  physicalInfo: null,
});

const MINUTE = 60_000;
const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** Floating local ms -> `YYYY-MM-DDTHH:MM:SS`. */
export const localText = (local: number) => new Date(local).toISOString().slice(0, 19);
/** `HH:MM` (or `HH:MM:SS`) of floating local ms. */
const clock = (local: number, seconds = false) => localText(local).slice(11, seconds ? 19 : 16);
export const offsetText = (minutes: number) =>
  `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
/** Floating local ms + offset -> `2024-01-14T23:00:00+02:00`. */
const zoned = (local: number, offsetMinutes: number) => `${localText(local)}${offsetText(offsetMinutes)}`;
const utcText = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');

/** `PT1H2M3S` of seconds. */
export function isoDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return `PT${h}H${m}M${s}S`;
}

export const userUrl = (userId: string) => `https://www.polaraccesslink.com/v3/users/${userId}`;

export interface ExerciseInput {
  userId: string;
  id: string;
  /** Local wall clock as floating ms. */
  localStart: number;
  offsetMinutes: number;
  durationSeconds: number;
  sport?: string;
  detailedSport?: string;
  device?: string;
  /** Heart rate, speed (km/h), cadence and altitude every `sampleSeconds`; 0 = no samples. */
  sampleSeconds?: number;
  averageHeartRate?: number;
  seed?: string | number;
}

/** A full exercise as `GET /v3/exercises/{id}?samples=true&zones=true` returns it. */
export function polarExercise(input: ExerciseInput): PolarRecord {
  const r = randomTools(input.seed ?? input.id);
  const average = input.averageHeartRate ?? r.int(120, 155);
  const rate = input.sampleSeconds ?? 5;
  const count = rate > 0 ? Math.floor(input.durationSeconds / rate) : 0;
  const heartRates = Array.from({ length: count }, (_, i) =>
    Math.round(average + 12 * Math.sin(i / 40) + r.between(-3, 3)),
  );
  const speeds = heartRates.map(() => round(r.between(9, 12), 1));
  const startUtc = input.localStart - input.offsetMinutes * MINUTE;
  const distance = round(
    (speeds.reduce((a, b) => a + b, 0) / Math.max(1, count)) * (input.durationSeconds / 3.6),
    1,
  );
  const samples = (type: string, values: Array<number | null>) => ({
    'recording-rate': rate,
    'sample-type': type,
    data: values.map((v) => (v === null ? 'null' : String(v))).join(','),
  });
  return {
    id: input.id,
    upload_time: utcText(startUtc + (input.durationSeconds + 600) * 1000),
    polar_user: userUrl(input.userId),
    device: input.device ?? 'Polar Vantage V2',
    device_id: '1111AAAA',
    start_time: localText(input.localStart),
    start_time_utc_offset: input.offsetMinutes,
    duration: isoDuration(input.durationSeconds),
    calories: Math.round(input.durationSeconds * 0.18),
    distance,
    heart_rate: { average, maximum: Math.max(average, ...heartRates) },
    training_load: round(input.durationSeconds / 30, 1),
    sport: input.sport ?? 'RUNNING',
    detailed_sport_info: input.detailedSport ?? 'RUNNING_ROAD',
    has_route: false,
    heart_rate_zones: [1, 2, 3, 4, 5].map((index) => ({
      index,
      'lower-limit': 90 + index * 18,
      'upper-limit': 108 + index * 18,
      'in-zone': isoDuration(Math.round(input.durationSeconds / 5)),
    })),
    samples:
      count === 0
        ? []
        : [
            samples('0', heartRates),
            samples('1', speeds),
            samples(
              '2',
              heartRates.map(() => r.int(82, 92)),
            ),
            // A sensor drop-out: Polar writes null.
            samples(
              '3',
              heartRates.map((_, i) => (i === 1 ? null : round(40 + i * 0.01, 1))),
            ),
          ],
  };
}

/** A night ending on `date` (local), as `GET /v3/users/sleep/{date}` returns it. */
export function polarNight(
  userId: string,
  date: string,
  offsetMinutes: number,
  seed: string | number = date,
) {
  const r = randomTools(`night:${seed}`);
  const day = Date.parse(`${date}T00:00:00Z`);
  const start = day - r.int(30, 90) * MINUTE;
  const end = day + r.int(360, 450) * MINUTE;
  const hypnogram: Record<string, number> = {};
  const stages = [0, 2, 4, 2, 1, 3, 4, 1, 2, 1, 0];
  const step = (end - start) / stages.length;
  stages.forEach((stage, i) => {
    hypnogram[clock(start + Math.round((i * step) / MINUTE) * MINUTE)] = stage;
  });
  const heartRate: Record<string, number> = {};
  for (let t = start + 5 * MINUTE; t < end; t += 5 * MINUTE) heartRate[clock(t)] = r.int(48, 62);
  const seconds = (end - start) / 1000;
  const interruptions = r.int(600, 2400);
  const deep = Math.round((seconds - interruptions) * 0.2);
  const rem = Math.round((seconds - interruptions) * 0.22);
  return {
    polar_user: userUrl(userId),
    date,
    sleep_start_time: zoned(start, offsetMinutes),
    sleep_end_time: zoned(end, offsetMinutes),
    device_id: '1111AAAA',
    continuity: round(r.between(2, 4.5), 1),
    continuity_class: r.int(2, 5),
    light_sleep: seconds - interruptions - deep - rem,
    deep_sleep: deep,
    rem_sleep: rem,
    unrecognized_sleep_stage: 0,
    sleep_score: r.int(60, 95),
    total_interruption_duration: interruptions,
    sleep_charge: r.int(1, 5),
    sleep_goal: 28_800,
    sleep_rating: 0,
    short_interruption_duration: Math.round(interruptions / 2),
    long_interruption_duration: Math.round(interruptions / 2),
    sleep_cycles: r.int(3, 6),
    group_duration_score: round(r.between(50, 100), 1),
    group_solidity_score: round(r.between(50, 100), 1),
    group_regeneration_score: round(r.between(50, 100), 1),
    hypnogram,
    heart_rate_samples: heartRate,
  };
}

/** The Nightly Recharge of the night ending on `date`: 5-minute HRV and breathing samples from 00:30. */
export function polarRecharge(userId: string, date: string, seed: string | number = date) {
  const r = randomTools(`recharge:${seed}`);
  const hrv: Record<string, number> = {};
  const breathing: Record<string, number> = {};
  for (let minute = 30; minute < 270; minute += 5) {
    const key = `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
    hrv[key] = r.int(30, 70);
    breathing[key] = round(r.between(12.5, 16), 1);
  }
  const values = Object.values(hrv);
  return {
    polar_user: userUrl(userId),
    date,
    heart_rate_avg: r.int(48, 60),
    beat_to_beat_avg: r.int(1000, 1250),
    heart_rate_variability_avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length),
    breathing_rate_avg: round(r.between(13, 15.5), 1),
    nightly_recharge_status: r.int(1, 6),
    ans_charge: round(r.between(-10, 10), 1),
    ans_charge_status: r.int(1, 5),
    hrv_samples: hrv,
    breathing_samples: breathing,
  };
}

/** The daily activity of `date`, as `GET /v3/users/activities/{date}` returns it. */
export function polarActivity(date: string, seed: string | number = date) {
  const r = randomTools(`activity:${seed}`);
  const steps = r.int(3000, 15000);
  const active = r.int(150, 800);
  const activeSeconds = r.int(3600, 14400);
  return {
    start_time: `${date}T00:00:00`,
    end_time: `${date}T23:59:59`,
    active_duration: isoDuration(activeSeconds),
    inactive_duration: isoDuration(86_399 - activeSeconds),
    daily_activity: round(r.between(40, 130), 1),
    calories: active + r.int(1500, 1900),
    active_calories: active,
    steps,
    inactivity_alert_count: r.int(0, 3),
    distance_from_steps: round(steps * 0.75, 1),
  };
}

/** A day of continuous heart rate, one sample every `everyMinutes`. */
export function polarHeartRateDay(
  userId: string,
  date: string,
  everyMinutes = 5,
  seed: string | number = date,
) {
  const r = randomTools(`hr:${seed}`);
  const samples = [];
  for (let minute = 0; minute < 1440; minute += everyMinutes)
    samples.push({
      heart_rate: r.int(52, 95),
      sample_time: `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}:${pad(r.int(0, 59))}`,
    });
  return { polar_user: userUrl(userId), date, heart_rate_samples: samples };
}

export function polarPhysicalInfo(modified: number): PolarRecord {
  return {
    weight: 72.5,
    height: 178,
    created: utcText(modified - 300 * DAY),
    modified: utcText(modified),
    birthday: '1988-04-12',
    gender: 'MALE',
    maximum_heart_rate: 188,
    resting_heart_rate: 52,
    aerobic_threshold: 140,
    anaerobic_threshold: 168,
    vo2_max: 51,
    weight_source: 'SOURCE_USER',
    training_background: 'REGULAR',
    typical_day: 'MOSTLY_MOVING',
    sleep_goal: 'PT8H',
  };
}

export interface GeneratePolarOptions {
  userId: string;
  days: number;
  /** Epoch ms; the last full day generated is the local day before this. */
  end: number;
  offsetMinutes?: number;
  seed?: string | number;
  /** Exercise sample interval, seconds (0 = no samples). Default 5. */
  exerciseSampleSeconds?: number;
  /** Continuous heart rate interval, minutes. Default 5. */
  heartRateEveryMinutes?: number;
}

const SPORTS = [
  { sport: 'RUNNING', detailed: 'RUNNING_ROAD', weight: 4 },
  { sport: 'RUNNING', detailed: 'RUNNING_TRAIL', weight: 1 },
  { sport: 'CYCLING', detailed: 'CYCLING_ROAD', weight: 2 },
  { sport: 'OTHER', detailed: 'FITNESS_YOGA', weight: 1 },
  { sport: 'SWIMMING', detailed: 'SWIMMING_POOL', weight: 1 },
];

/** `days` local days ending the day before `end`: every day's night, recharge, activity and heart rate, an exercise every other day. */
export function generatePolarDays(options: GeneratePolarOptions): PolarDataset {
  const offset = options.offsetMinutes ?? 120;
  const r = randomTools(options.seed ?? 1);
  const today = Math.floor((options.end + offset * MINUTE) / DAY) * DAY;
  const data = emptyDataset();
  for (let i = options.days; i >= 1; i--) {
    const day = today - i * DAY;
    const date = localText(day).slice(0, 10);
    data.nights.push(polarNight(options.userId, date, offset, `${options.seed}:${date}`));
    data.recharges.push(polarRecharge(options.userId, date, `${options.seed}:${date}`));
    data.activities.push(polarActivity(date, `${options.seed}:${date}`));
    data.heartRates.push(
      polarHeartRateDay(options.userId, date, options.heartRateEveryMinutes ?? 5, `${options.seed}:${date}`),
    );
    if (i % 2 === 0) {
      const sport = r.weighted(SPORTS);
      data.exercises.push(
        polarExercise({
          userId: options.userId,
          id: `ex${date.replace(/-/g, '')}${r.int(100, 999)}`,
          localStart: day + r.int(7 * 60, 18 * 60) * MINUTE,
          offsetMinutes: offset,
          durationSeconds: r.int(1800, 5400),
          sport: sport.sport,
          detailedSport: sport.detailed,
          sampleSeconds: options.exerciseSampleSeconds ?? 5,
          seed: `${options.seed}:${date}`,
        }),
      );
    }
  }
  data.physicalInfo = polarPhysicalInfo(today - 10 * DAY);
  return data;
}
