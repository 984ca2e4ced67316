/**
 * Google Health API data points for the fake (providers.md 4.9), in the list representation (`name`, `dataSource`
 * and the value under its camelCase key), and `generateGoogleHealthData`: days of a plausible user. The fake's
 * reconcile answers the same points without `name` and `dataSource`.
 */
import { randomTools, round } from '#test/fakes/random.js';

export type GooglePoint = { name: string; dataSource: Record<string, unknown> } & Record<string, unknown>;

/** Points by data type (kebab-case, as in paths). */
export type GoogleHealthDataset = Map<string, GooglePoint[]>;

export const WATCH_SOURCE = {
  platform: 'FITBIT',
  device: { displayName: 'Pixel Watch 3', formFactor: 'WATCH', manufacturer: 'Google' },
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const duration = (seconds: number) => `${seconds}s`;

let counter = 0;
/** `users/me/dataTypes/<type>/dataPoints/<id>`, unique in this process. */
export const pointName = (dataType: string, id?: string) =>
  `users/me/dataTypes/${dataType}/dataPoints/${id ?? `p${(++counter).toString(36)}${Date.now().toString(36)}`}`;

export function intervalOf(start: number, end: number, offsetSeconds: number) {
  return {
    startTime: iso(start),
    endTime: iso(end),
    startUtcOffset: duration(offsetSeconds),
    endUtcOffset: duration(offsetSeconds),
  };
}

export const sampleTimeOf = (at: number, offsetSeconds: number) => ({
  physicalTime: iso(at),
  utcOffset: duration(offsetSeconds),
});

export const dateOf = (ms: number) => {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
};

export function point(dataType: string, valueKey: string, value: unknown, id?: string): GooglePoint {
  return { name: pointName(dataType, id), dataSource: WATCH_SOURCE, [valueKey]: value };
}

/** A sleep session with a stage timeline and its summary (minutes per stage, asleep, in bed). */
export function sleepPoint(
  start: number,
  stages: Array<{ type: string; minutes: number }>,
  options: { offsetSeconds?: number; nap?: boolean; id?: string } = {},
): GooglePoint {
  const offset = options.offsetSeconds ?? 0;
  let at = start;
  const timeline = stages.map(({ type, minutes }) => {
    const segment = { type, startTime: iso(at), endTime: iso(at + minutes * MINUTE) };
    at += minutes * MINUTE;
    return segment;
  });
  const totals = new Map<string, number>();
  for (const { type, minutes } of stages) totals.set(type, (totals.get(type) ?? 0) + minutes);
  const inBed = stages.reduce((sum, s) => sum + s.minutes, 0);
  const awake = totals.get('AWAKE') ?? 0;
  return point(
    'sleep',
    'sleep',
    {
      interval: intervalOf(start, at, offset),
      type: 'STAGES',
      metadata: { nap: options.nap ?? false, stagesStatus: 'SUCCEEDED' },
      summary: {
        minutesInSleepPeriod: inBed,
        minutesAsleep: inBed - awake,
        minutesAwake: awake,
        stagesSummary: [...totals].map(([type, minutes]) => ({ type, minutes, count: 1 })),
      },
      stages: timeline,
    },
    options.id,
  );
}

export interface ExerciseInput {
  start: number;
  minutes: number;
  exerciseType?: string;
  offsetSeconds?: number;
  caloriesKcal?: number;
  distanceMeters?: number;
  steps?: number;
  averageHeartRate?: number;
  elevationGainMeters?: number;
  cadence?: number;
  id?: string;
}

export function exercisePoint(input: ExerciseInput): GooglePoint {
  const end = input.start + input.minutes * MINUTE;
  const seconds = input.minutes * 60;
  const distance = input.distanceMeters ?? 0;
  return point(
    'exercise',
    'exercise',
    {
      interval: intervalOf(input.start, end, input.offsetSeconds ?? 0),
      exerciseType: input.exerciseType ?? 'RUNNING',
      displayName: 'Workout',
      activeDuration: duration(Math.round(seconds * 0.95)),
      metricsSummary: {
        caloriesKcal: input.caloriesKcal ?? 300,
        distanceMillimeters: Math.round(distance * 1000),
        steps: String(input.steps ?? 0),
        averageSpeedMillimetersPerSecond: Math.round((distance * 1000) / seconds),
        averageHeartRateBeatsPerMinute: input.averageHeartRate ?? 140,
        elevationGainMillimeters: Math.round((input.elevationGainMeters ?? 0) * 1000),
        mobilityMetrics: { avgCadenceStepsPerMinute: input.cadence ?? 0 },
      },
    },
    input.id,
  );
}

export interface GenerateGoogleHealthOptions {
  /** Days of data ending at `end` (the last day is cut at `end`). */
  days: number;
  /** Epoch ms. Default now. */
  end?: number;
  seed?: string | number;
  /** Seconds east of UTC of the user's zone. Default 3600. */
  utcOffsetSeconds?: number;
  /** Heart-rate sample spacing. Default 300 (a reading every 5 minutes). */
  heartRateSampleSeconds?: number;
}

const EXERCISES = [
  { type: 'RUNNING', speed: 2.8, cadence: 168 },
  { type: 'TRAIL_RUN', speed: 2.4, cadence: 160 },
  { type: 'BIKING', speed: 6.5, cadence: 0 },
  { type: 'WALKING', speed: 1.4, cadence: 110 },
  { type: 'SWIMMING_POOL', speed: 0.8, cadence: 0 },
  { type: 'STRENGTH_TRAINING', speed: 0, cadence: 0 },
  { type: 'YOGA', speed: 0, cadence: 0 },
] as const;

/** Days of a user: every metric type, a night each day, a nap every fifth day, a workout every other day. */
export function generateGoogleHealthData(options: GenerateGoogleHealthOptions): GoogleHealthDataset {
  const end = options.end ?? Date.now();
  const offset = options.utcOffsetSeconds ?? 3600;
  const hrStep = (options.heartRateSampleSeconds ?? 300) * 1000;
  const r = randomTools(options.seed ?? 'google-health');
  const data: GoogleHealthDataset = new Map();
  const add = (p: GooglePoint) => {
    const type = p.name.split('/')[3]!;
    if (!data.has(type)) data.set(type, []);
    data.get(type)!.push(p);
  };
  const firstUtcDay = Math.floor((end - options.days * DAY) / DAY) * DAY;
  for (let utcDay = firstUtcDay; utcDay < end; utcDay += DAY) {
    // Local midnight of that date, as an instant.
    const day = utcDay - offset * 1000;
    const within = (at: number) => at >= end - options.days * DAY && at < end;
    for (let at = day; at < day + DAY; at += 15 * MINUTE) {
      if (!within(at + 15 * MINUTE)) continue;
      const hour = (at - day) / HOUR;
      const steps = hour >= 7 && hour < 22 ? r.int(0, 900) : r.int(0, 20);
      add(
        point('steps', 'steps', { interval: intervalOf(at, at + 15 * MINUTE, offset), count: String(steps) }),
      );
      add(
        point('distance', 'distance', {
          interval: intervalOf(at, at + 15 * MINUTE, offset),
          millimeters: steps * 760,
        }),
      );
    }
    for (let at = day; at < day + DAY; at += HOUR)
      if (within(at + HOUR))
        add(
          point('total-calories', 'totalCalories', {
            interval: intervalOf(at, at + HOUR, offset),
            kcal: round(r.between(60, 180), 1),
          }),
        );
    for (let at = day; at < day + DAY; at += hrStep)
      if (within(at))
        add(
          point('heart-rate', 'heartRate', {
            sampleTime: sampleTimeOf(at, offset),
            beatsPerMinute: r.int(52, 135),
          }),
        );
    const night = day + 2 * HOUR;
    for (let i = 0; i < 4; i++) {
      const at = night + i * HOUR;
      if (!within(at)) continue;
      const rmssd = round(r.between(25, 70), 1);
      add(
        point('heart-rate-variability', 'heartRateVariability', {
          sampleTime: sampleTimeOf(at, offset),
          rootMeanSquareOfSuccessiveDifferencesMilliseconds: rmssd,
          standardDeviationMilliseconds: round(rmssd * 1.3, 1),
        }),
      );
      if (i < 3)
        add(
          point('oxygen-saturation', 'oxygenSaturation', {
            sampleTime: sampleTimeOf(at, offset),
            percentage: round(r.between(94, 99), 1),
          }),
        );
    }
    if (within(day + 7 * HOUR)) {
      const date = dateOf(utcDay);
      add(
        point('daily-resting-heart-rate', 'dailyRestingHeartRate', { date, beatsPerMinute: r.int(50, 62) }),
      );
      add(
        point('daily-respiratory-rate', 'dailyRespiratoryRate', {
          date,
          breathsPerMinute: round(r.between(13, 17), 1),
        }),
      );
      add(
        point('core-body-temperature', 'coreBodyTemperature', {
          sampleTime: sampleTimeOf(day + 7 * HOUR, offset),
          celsius: round(r.between(36.4, 37.2), 2),
        }),
      );
      if (Math.round(utcDay / DAY) % 3 === 0) {
        const at = day + 7 * HOUR + 5 * MINUTE;
        add(
          point('weight', 'weight', {
            sampleTime: sampleTimeOf(at, offset),
            weightGrams: r.int(72_000, 76_000),
          }),
        );
        add(
          point('body-fat', 'bodyFat', {
            sampleTime: sampleTimeOf(at, offset),
            percentage: round(r.between(18, 22), 1),
          }),
        );
      }
    }
    for (const hour of [8, 13, 19]) {
      const at = day + hour * HOUR;
      if (within(at))
        add(
          point('blood-glucose', 'bloodGlucose', {
            sampleTime: sampleTimeOf(at, offset),
            bloodGlucoseMilligramsPerDeciliter: r.int(80, 140),
          }),
        );
    }
    for (const hour of [9, 12, 15, 18]) {
      const at = day + hour * HOUR;
      if (within(at + MINUTE))
        add(
          point('hydration-log', 'hydrationLog', {
            interval: intervalOf(at, at + MINUTE, offset),
            amountConsumed: { milliliters: r.pick([250, 330, 500]) },
          }),
        );
    }
    const bedtime = day - 90 * MINUTE + r.int(-30, 30) * MINUTE;
    const stages: Array<{ type: string; minutes: number }> = [];
    for (let cycle = 0; cycle < 5; cycle++)
      stages.push(
        { type: 'LIGHT', minutes: r.int(35, 55) },
        { type: 'DEEP', minutes: cycle < 3 ? r.int(15, 30) : r.int(0, 10) },
        { type: 'REM', minutes: r.int(10, 25) },
        { type: 'AWAKE', minutes: r.int(1, 6) },
      );
    const nightStages = stages.filter((s) => s.minutes > 0);
    const nightEnd = bedtime + nightStages.reduce((sum, s) => sum + s.minutes, 0) * MINUTE;
    if (bedtime >= end - options.days * DAY && nightEnd <= end)
      add(sleepPoint(bedtime, nightStages, { offsetSeconds: offset }));
    const napStart = day + 14 * HOUR;
    if (Math.round(utcDay / DAY) % 5 === 0 && within(napStart + 30 * MINUTE))
      add(
        sleepPoint(
          napStart,
          [
            { type: 'ASLEEP', minutes: 28 },
            { type: 'AWAKE', minutes: 2 },
          ],
          { offsetSeconds: offset, nap: true },
        ),
      );
    const exerciseStart = day + 17 * HOUR + r.int(0, 60) * MINUTE;
    if (Math.round(utcDay / DAY) % 2 === 0 && within(exerciseStart + 90 * MINUTE)) {
      const kind = r.pick(EXERCISES);
      const minutes = r.int(30, 90);
      const distanceMeters = round(kind.speed * minutes * 60 * 0.95, 0);
      add(
        exercisePoint({
          start: exerciseStart,
          minutes,
          exerciseType: kind.type,
          offsetSeconds: offset,
          caloriesKcal: round(minutes * r.between(7, 12), 1),
          distanceMeters,
          steps: kind.cadence * minutes,
          averageHeartRate: r.int(110, 160),
          elevationGainMeters: kind.speed > 0 ? r.int(0, 120) : 0,
          cadence: kind.cadence,
        }),
      );
      if (kind.type === 'RUNNING' || kind.type === 'TRAIL_RUN')
        add(
          point('run-vo2-max', 'runVo2Max', {
            sampleTime: sampleTimeOf(exerciseStart + minutes * MINUTE, offset),
            runVo2Max: round(r.between(45, 52), 1),
          }),
        );
    }
  }
  return data;
}
