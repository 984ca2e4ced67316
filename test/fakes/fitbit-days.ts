import { randomTools, round } from '#test/fakes/random.js';

/**
 * Day-level data of the fake Fitbit (test/fakes/fitbit.ts) in Fitbit's formats: the intraday heart rate
 * (`/1/user/-/activities/heart/date/{date}/1d/1min.json`), the daily activity summary
 * (`/1/user/-/activities/date/{date}.json`) and sleep logs (`/1.2/user/-/sleep/date/{from}/{to}.json`), plus a
 * deterministic generator of realistic days. Dates and times are the user's local ones, without an offset.
 */

export interface FitbitHeartPoint {
  /** `HH:mm:ss`, local. */
  time: string;
  value: number;
}

/** The `summary` of `activities/date/{date}.json` (the fields Fitbit sends; distances in km). */
export interface FitbitDailySummary {
  steps: number;
  distances: Array<{ activity: string; distance: number }>;
  activityCalories: number;
  caloriesBMR: number;
  caloriesOut: number;
  marginalCalories: number;
  sedentaryMinutes: number;
  lightlyActiveMinutes: number;
  fairlyActiveMinutes: number;
  veryActiveMinutes: number;
  floors?: number;
  elevation?: number;
  restingHeartRate?: number;
  activeScore: number;
}

export interface FitbitSleepLevel {
  /** Local, `yyyy-MM-ddTHH:mm:ss.SSS`. */
  dateTime: string;
  level: string;
  seconds: number;
}

export interface FitbitSleepLog {
  logId: number;
  /** The local date the sleep ended. */
  dateOfSleep: string;
  startTime: string;
  endTime: string;
  /** Milliseconds. */
  duration: number;
  efficiency: number;
  isMainSleep: boolean;
  type: 'stages' | 'classic';
  logType: string;
  minutesAsleep: number;
  minutesAwake: number;
  minutesAfterWakeup: number;
  minutesToFallAsleep: number;
  timeInBed: number;
  infoCode: number;
  levels: {
    data: FitbitSleepLevel[];
    shortData?: FitbitSleepLevel[];
    summary: Record<string, { count: number; minutes: number; thirtyDayAvgMinutes?: number }>;
  };
}

/** One local date of a user: `heart` empty and no summary when the device recorded nothing. */
export interface FitbitDay {
  date: string;
  restingHeartRate?: number;
  heart: FitbitHeartPoint[];
  summary?: FitbitDailySummary;
  /** The logs whose `dateOfSleep` is this date. */
  sleep: FitbitSleepLog[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const pad = (value: number) => String(value).padStart(2, '0');
/** Local epoch ms (as if UTC) -> `yyyy-MM-ddTHH:mm:ss.SSS`. */
export const localText = (ms: number) => new Date(ms).toISOString().slice(0, 23);
const clock = (minuteOfDay: number) => `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}:00`;

const ZONES = [
  { name: 'Out of Range', min: 30, max: 98 },
  { name: 'Fat Burn', min: 98, max: 123 },
  { name: 'Cardio', min: 123, max: 151 },
  { name: 'Peak', min: 151, max: 220 },
];

/** `activities/heart/date/{date}/1d/1min.json` for a day (or a day without data). */
export function heartAnswer(date: string, day: FitbitDay | undefined) {
  const heart = day?.heart ?? [];
  const zones = ZONES.map((zone) => {
    const minutes = heart.filter((p) => p.value >= zone.min && p.value < zone.max).length;
    return { ...zone, minutes, caloriesOut: round(minutes * (zone.min / 60), 5) };
  });
  return {
    'activities-heart': [
      {
        dateTime: date,
        value: {
          customHeartRateZones: [],
          heartRateZones: zones,
          ...(day?.restingHeartRate !== undefined ? { restingHeartRate: day.restingHeartRate } : {}),
        },
      },
    ],
    'activities-heart-intraday': { dataset: heart, datasetInterval: 1, datasetType: 'minute' },
  };
}

const BMR_PER_DAY = 1650;

/** `activities/date/{date}.json`: Fitbit fills a day without data with the estimated basal calories alone. */
export function summaryAnswer(day: FitbitDay | undefined) {
  const summary: FitbitDailySummary = day?.summary ?? {
    steps: 0,
    distances: [{ activity: 'total', distance: 0 }],
    activityCalories: 0,
    caloriesBMR: BMR_PER_DAY,
    caloriesOut: BMR_PER_DAY,
    marginalCalories: 0,
    sedentaryMinutes: 1440,
    lightlyActiveMinutes: 0,
    fairlyActiveMinutes: 0,
    veryActiveMinutes: 0,
    activeScore: -1,
  };
  return {
    activities: [],
    goals: { activeMinutes: 30, caloriesOut: 2600, distance: 8.05, floors: 10, steps: 10_000 },
    summary,
  };
}

export interface GenerateDaysOptions {
  /** How many local days, ending with the local day of `end` (which is cut at `end`). */
  days: number;
  /** Epoch ms; default now. */
  end?: number;
  /** Default 1. */
  seed?: number;
  /** The user's UTC offset in minutes (match the profile's timezone). Default 0. */
  offsetMinutes?: number;
  /** Share of days the device recorded nothing. Default 0.03. */
  offDays?: number;
}

/** A night or nap of `minutes` from local `start` as a Fitbit log: stages cycle, or classic asleep/restless/awake. */
function sleepLog(
  random: ReturnType<typeof randomTools>,
  logId: number,
  start: number,
  minutes: number,
  main: boolean,
): FitbitSleepLog {
  const type: 'stages' | 'classic' = main && random.chance(0.9) ? 'stages' : 'classic';
  const cycle =
    type === 'stages'
      ? ['wake', 'light', 'deep', 'light', 'rem', 'light', 'deep', 'light', 'rem', 'wake']
      : ['awake', 'asleep', 'restless', 'asleep', 'asleep', 'restless', 'asleep'];
  const data: FitbitSleepLevel[] = [];
  const total = minutes * 60;
  let at = 0;
  for (let i = 0; at < total; i++) {
    const level = cycle[i % cycle.length]!;
    const short = level === 'wake' || level === 'awake' || level === 'restless';
    const seconds = Math.min(total - at, 30 * random.int(short ? 2 : 20, short ? 16 : 70));
    data.push({ dateTime: localText(start + at * 1000), level, seconds });
    at += seconds;
  }
  const summary: FitbitSleepLog['levels']['summary'] = {};
  for (const entry of data) {
    const current = summary[entry.level] ?? { count: 0, minutes: 0 };
    summary[entry.level] = { count: current.count + 1, minutes: current.minutes + entry.seconds / 60 };
  }
  for (const entry of Object.values(summary)) entry.minutes = Math.round(entry.minutes);
  const awake = ['wake', 'awake', 'restless'].reduce((sum, level) => sum + (summary[level]?.minutes ?? 0), 0);
  const end = start + minutes * MINUTE_MS;
  return {
    logId,
    dateOfSleep: localText(end).slice(0, 10),
    startTime: localText(start),
    endTime: localText(end),
    duration: minutes * MINUTE_MS,
    efficiency: Math.round(((minutes - awake) / minutes) * 100),
    isMainSleep: main,
    type,
    logType: 'auto_detected',
    minutesAsleep: minutes - awake,
    minutesAwake: awake,
    minutesAfterWakeup: 0,
    minutesToFallAsleep: 0,
    timeInBed: minutes,
    infoCode: 0,
    levels: { data, summary },
  };
}

/**
 * Deterministic, realistic days: a night of 6-8.5 h ending each morning (stages, now and then classic), an
 * afternoon nap on some days, one heart-rate reading a minute (lower while asleep), a resting heart rate, and a
 * summary of 3,000-15,000 steps with its distance (km), calories, active minutes and floors. A few days the device
 * recorded nothing. Nothing after `end`; today is cut at `end`'s local time.
 */
export function generateFitbitDays(options: GenerateDaysOptions): FitbitDay[] {
  const seed = options.seed ?? 1;
  const random = randomTools(`fitbit-days-${seed}`);
  const offset = (options.offsetMinutes ?? 0) * MINUTE_MS;
  const localEnd = (options.end ?? Date.now()) + offset;
  const today = Math.floor(localEnd / DAY_MS) * DAY_MS;
  let logId = 30_000_000_000 + seed * 1_000_000;
  const days: FitbitDay[] = [];
  for (let i = options.days - 1; i >= 0; i--) {
    const midnight = today - i * DAY_MS;
    const date = localText(midnight).slice(0, 10);
    if (random.chance(options.offDays ?? 0.03)) {
      days.push({ date, heart: [], sleep: [] });
      continue;
    }
    const sleep: FitbitSleepLog[] = [];
    const night = midnight - random.int(15, 90) * MINUTE_MS;
    const nightMinutes = random.int(360, 510);
    if (night + nightMinutes * MINUTE_MS <= localEnd)
      sleep.push(sleepLog(random, logId++, night, nightMinutes, true));
    const napStart = midnight + random.int(13 * 60, 15 * 60) * MINUTE_MS;
    const napMinutes = random.int(20, 90);
    if (random.chance(0.15) && napStart + napMinutes * MINUTE_MS <= localEnd)
      sleep.push(sleepLog(random, logId++, napStart, napMinutes, false));

    const resting = random.int(52, 66);
    const wake = night + nightMinutes * MINUTE_MS - midnight;
    const minutesToday = Math.min(1440, Math.floor((localEnd - midnight) / MINUTE_MS));
    const heart: FitbitHeartPoint[] = [];
    for (let minute = 0; minute < minutesToday; minute++) {
      if (random.chance(0.03)) continue;
      const asleep = minute * MINUTE_MS < wake;
      const value = asleep
        ? resting + random.int(-4, 6)
        : resting + random.int(8, 40) + (random.chance(0.02) ? 50 : 0);
      heart.push({ time: clock(minute), value });
    }
    const share = minutesToday / 1440;
    const steps = Math.round(random.int(3000, 15_000) * share);
    const activityCalories = Math.round(steps * random.between(0.04, 0.06) + 200 * share);
    const caloriesBMR = Math.round(BMR_PER_DAY * share);
    const fairly = Math.round(random.int(0, 40) * share);
    const very = Math.round(random.int(0, 45) * share);
    const lightly = Math.round(random.int(120, 280) * share);
    const floors = random.int(0, 20);
    const km = round(steps * 0.000_75, 2);
    days.push({
      date,
      restingHeartRate: resting,
      heart,
      sleep,
      summary: {
        steps,
        distances: [
          { activity: 'total', distance: km },
          { activity: 'tracker', distance: km },
          { activity: 'loggedActivities', distance: 0 },
        ],
        activityCalories,
        caloriesBMR,
        caloriesOut: caloriesBMR + activityCalories,
        marginalCalories: Math.round(activityCalories * 0.6),
        sedentaryMinutes: Math.max(0, minutesToday - fairly - very - lightly),
        lightlyActiveMinutes: lightly,
        fairlyActiveMinutes: fairly,
        veryActiveMinutes: very,
        floors,
        elevation: round(floors * 3.048, 2),
        restingHeartRate: resting,
        activeScore: -1,
      },
    });
  }
  return days;
}
