/**
 * Withings records for the fake, in the shapes of Withings' API reference: measure groups (`getmeas`), daily
 * activities (`getactivity`), workouts (`getworkouts`) and sleep summaries (`getsummary`) are generated per day
 * and stored; the high-frequency data (`getintradayactivity` samples, a night's `get` segments) is derived on
 * request from the day or the summary, deterministically, so 200 users x 90 days cost little memory.
 */
import { type RandomTools, randomTools, round } from '#test/fakes/random.js';

export type WithingsRecord = Record<string, unknown>;

export interface WithingsMeasure {
  value: number;
  type: number;
  unit: number;
  algo: number;
  fm: number;
}

export interface WithingsDataset {
  measureGroups: WithingsRecord[];
  activities: WithingsRecord[];
  workouts: WithingsRecord[];
  sleeps: WithingsRecord[];
  /** Days (`YYYY-MM-DD`, UTC) with intraday samples. */
  intradayDays: string[];
}

export interface GenerateWithingsOptions {
  days: number;
  /** The last day is the UTC day of `end`. Default now. */
  end?: number;
  seed?: string | number;
  timezone?: string;
  /** Spacing of intraday samples, seconds. Default 900. */
  intradayStepSeconds?: number;
}

export const DAY_MS = 86_400_000;
const HOUR = 3600;
export const DEFAULT_TIMEZONE = 'Europe/Paris';
export const DEFAULT_INTRADAY_STEP_SECONDS = 900;

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStartSeconds = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/** A measure as Withings sends it: an integer mantissa and a power of ten. */
export const measure = (type: number, value: number, unit: number): WithingsMeasure => ({
  value: Math.round(value / 10 ** unit),
  type,
  unit,
  algo: 0,
  fm: 3,
});

/** Generated records take ids from their day's random sequence; records added later count up from 9e9. */
let nextId = 9_000_000_000;
const newId = () => nextId++;
const idOf = (r: RandomTools) => r.int(1_000_000_000, 8_999_999_999);

export function measureGroup(
  date: number,
  measures: WithingsMeasure[],
  device: { model: string; model_id: number } = { model: 'Body Cardio', model_id: 6 },
  fields: WithingsRecord = {},
): WithingsRecord {
  return {
    grpid: newId(),
    attrib: 0,
    date,
    created: date + 60,
    modified: date + 60,
    category: 1,
    deviceid: `dev-${device.model_id}`,
    hash_deviceid: `dev-${device.model_id}`,
    measures,
    ...device,
    comment: null,
    ...fields,
  };
}

function weighIn(r: RandomTools, at: number): WithingsRecord {
  const weight = r.between(70, 78);
  const fatRatio = r.between(18, 24);
  const fatMass = (weight * fatRatio) / 100;
  const grpid = idOf(r);
  return measureGroup(
    at,
    [
      measure(1, weight, -3),
      measure(6, fatRatio, -3),
      measure(8, fatMass, -3),
      measure(5, weight - fatMass, -3),
      measure(76, (weight - fatMass) * 0.94, -2),
      measure(77, weight * 0.55, -2),
      measure(88, r.between(2.8, 3.2), -2),
      measure(91, r.between(6, 9), -3),
      measure(170, r.int(5, 9), 0),
      measure(155, r.int(30, 45), 0),
      measure(227, r.int(30, 45), 0),
    ],
    undefined,
    { grpid },
  );
}

const bloodPressure = (r: RandomTools, at: number) =>
  measureGroup(
    at,
    [measure(10, r.int(110, 135), 0), measure(9, r.int(70, 88), 0), measure(11, r.int(55, 80), 0)],
    { model: 'BPM Connect', model_id: 45 },
    { grpid: idOf(r) },
  );

const vitals = (r: RandomTools, at: number) =>
  measureGroup(
    at,
    [measure(54, r.int(95, 99), 0), measure(71, r.between(36.4, 37.2), -2)],
    { model: 'BeamO', model_id: 71 },
    { grpid: idOf(r) },
  );

function dailyActivity(r: RandomTools, date: string, timezone: string): WithingsRecord {
  const steps = r.int(3000, 15000);
  const moderate = r.int(600, 2400);
  const intense = r.int(0, 1800);
  const calories = round(steps * 0.04 + r.between(50, 150), 2);
  return {
    date,
    timezone,
    deviceid: 'dev-93',
    hash_deviceid: 'dev-93',
    brand: 1,
    is_tracker: true,
    modified: dayStartSeconds(date) + 86_000,
    model: 'ScanWatch',
    modelid: 93,
    steps,
    distance: round(steps * 0.74, 1),
    elevation: r.int(0, 20),
    soft: r.int(1800, 7200),
    moderate,
    intense,
    active: moderate + intense,
    calories,
    totalcalories: round(calories + 1650, 2),
    hr_average: r.int(65, 80),
    hr_min: r.int(48, 58),
    hr_max: r.int(130, 170),
  };
}

const WORKOUT_CATEGORIES = [1, 2, 6, 7, 16, 28, 187, 308];

export function workoutRecord(
  r: RandomTools,
  start: number,
  timezone: string,
  fields: WithingsRecord = {},
): WithingsRecord {
  const minutes = r.int(25, 90);
  const end = start + minutes * 60;
  return {
    id: idOf(r),
    category: r.pick(WORKOUT_CATEGORIES),
    timezone,
    model: 93,
    attrib: 7,
    startdate: start,
    enddate: end,
    date: isoDate(start * 1000),
    modified: end + 300,
    deviceid: 'dev-93',
    data: {
      calories: r.int(150, 800),
      intensity: 0,
      manual_distance: 0,
      manual_calories: 0,
      hr_average: r.int(110, 150),
      hr_min: r.int(70, 100),
      hr_max: r.int(150, 185),
      pause_duration: 0,
      steps: r.int(2000, 9000),
      distance: r.int(3000, 15000),
      elevation: r.int(0, 10),
    },
    ...fields,
  };
}

/** A night ending on `date` (its wake-up day): durations add up to the time in bed. */
export function sleepSummary(r: RandomTools, date: string, timezone: string): WithingsRecord {
  const start = dayStartSeconds(date) - r.int(1, 2) * HOUR - r.int(0, 59) * 60;
  const end = dayStartSeconds(date) + r.int(5, 7) * HOUR + r.int(0, 59) * 60;
  const inBed = end - start;
  const awake = r.int(10, 40) * 60;
  const deep = Math.round((inBed - awake) * r.between(0.15, 0.25));
  const rem = Math.round((inBed - awake) * r.between(0.18, 0.25));
  const light = inBed - awake - deep - rem;
  return {
    id: idOf(r),
    timezone,
    model: 32,
    model_id: 63,
    hash_deviceid: 'dev-63',
    startdate: start,
    enddate: end,
    date,
    created: end + 600,
    modified: end + 600,
    completed: true,
    data: {
      total_timeinbed: inBed,
      total_sleep_time: inBed - awake,
      lightsleepduration: light,
      deepsleepduration: deep,
      remsleepduration: rem,
      wakeupduration: awake,
      sleep_efficiency: round((inBed - awake) / inBed, 2),
      sleep_latency: r.int(300, 1200),
      hr_average: r.int(50, 62),
      hr_min: r.int(42, 50),
      hr_max: r.int(70, 90),
      rr_average: r.int(12, 16),
      sleep_score: r.int(55, 95),
    },
  };
}

/** `days` days of data ending on the UTC day of `end`, the same for the same options. */
export function generateWithingsDays(options: GenerateWithingsOptions): WithingsDataset {
  const end = options.end ?? Date.now();
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  const data: WithingsDataset = {
    measureGroups: [],
    activities: [],
    workouts: [],
    sleeps: [],
    intradayDays: [],
  };
  for (let d = options.days - 1; d >= 0; d--) {
    const date = isoDate(end - d * DAY_MS);
    const r = randomTools(`${options.seed ?? 1}:${date}`);
    const midnight = dayStartSeconds(date);
    data.measureGroups.push(weighIn(r, midnight + 6 * HOUR + r.int(0, 3599)));
    if (r.chance(0.5)) data.measureGroups.push(bloodPressure(r, midnight + 19 * HOUR + r.int(0, 3599)));
    if (r.chance(0.3)) data.measureGroups.push(vitals(r, midnight + 8 * HOUR + r.int(0, 3599)));
    data.activities.push(dailyActivity(r, date, timezone));
    if (r.chance(0.4)) data.workouts.push(workoutRecord(r, midnight + 17 * HOUR + r.int(0, 3599), timezone));
    data.sleeps.push(sleepSummary(r, date, timezone));
    data.intradayDays.push(date);
  }
  // Only what happened by `end`: today's records later than now do not exist yet.
  const until = Math.floor(end / 1000);
  data.measureGroups = data.measureGroups.filter((g) => (g.date as number) <= until);
  data.workouts = data.workouts.filter((w) => (w.enddate as number) <= until);
  data.sleeps = data.sleeps.filter((s) => (s.enddate as number) <= until);
  return data;
}

/** Intraday samples of one timestamp (epoch seconds) of a seeded day: waking hours only, derived from the time. */
export function intradayEntry(seed: string, at: number): WithingsRecord | null {
  const hour = Math.floor((at % 86_400) / HOUR);
  if (hour < 7 || hour >= 22) return null;
  const r = randomTools(`${seed}:${at}`);
  const steps = r.int(0, 400);
  const entry: WithingsRecord = {
    deviceid: 'dev-93',
    model: 'ScanWatch',
    model_id: 93,
    steps,
    elevation: r.chance(0.1) ? 1 : 0,
    calories: round(steps * 0.04, 2),
    distance: round(steps * 0.74, 1),
    duration: 900,
    heart_rate: r.int(60, 110),
  };
  if (r.chance(0.2)) entry.spo2_auto = r.int(94, 99);
  return entry;
}

const STAGE_CYCLE = [1, 2, 1, 3, 1, 0];

/** A night's `get` segments (stage, span, and per-minute-ish hr / rr / hrv maps), derived from its summary. */
export function sleepSegments(summary: WithingsRecord): WithingsRecord[] {
  const r = randomTools(`sleep:${summary.id}`);
  const end = summary.enddate as number;
  const segments: WithingsRecord[] = [];
  for (let start = summary.startdate as number, i = 0; start < end; i++) {
    const stop = Math.min(end, start + r.int(10, 40) * 60);
    const state = STAGE_CYCLE[i % STAGE_CYCLE.length]!;
    const hr: Record<string, number> = {};
    const rr: Record<string, number> = {};
    const sdnn: Record<string, number> = {};
    const rmssd: Record<string, number> = {};
    for (let at = start; at < stop; at += 600) {
      hr[at] = r.int(45, 65);
      rr[at] = r.int(11, 17);
      sdnn[at] = r.int(30, 80);
      rmssd[at] = r.int(25, 70);
    }
    segments.push({
      startdate: start,
      enddate: stop,
      state,
      model: 'Aura Sensor V2',
      model_id: 63,
      hash_deviceid: 'dev-63',
      hr,
      rr,
      snoring: {},
      sdnn_1: sdnn,
      rmssd,
    });
    start = stop;
  }
  return segments;
}
