/**
 * Generated Suunto data for the fake (providers.md 4.3): workouts as `/v3/workouts/` items (epoch ms times, m/s
 * speeds, kcal, `timeOffsetInMinutes`) with their recorded samples, and 24/7 items `{timestamp, entryData}` of
 * sleep (one night a day, a nap now and then), activity (heart rate, steps, energy in joules, SpO2 and HRV at
 * night) and recovery (`Balance` 0-1, `StressState` 1-4), timestamps ISO-8601 with the user's offset.
 */
import { randomTools, round } from '#test/fakes/random.js';

export const DEFAULT_SUUNTO_USER = 'runner42';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type SuuntoWorkout = Record<string, unknown> & {
  workoutId: number;
  workoutKey: string;
  activityId: number;
  startTime: number;
  stopTime: number;
  totalTime: number;
  timeOffsetInMinutes: number;
};

export interface SuuntoWorkoutSample {
  timestamp: number;
  heartRate?: number;
  speed?: number;
  cadence?: number;
  power?: number;
  altitude?: number;
}

/** A workout as stored by the fake: what the API answers, its samples, and when it was last modified (epoch ms). */
export interface SuuntoRecordedWorkout {
  workout: SuuntoWorkout;
  samples: SuuntoWorkoutSample[];
  modified: number;
}

export interface Suunto247Item {
  timestamp: string;
  entryData: Record<string, unknown>;
}

export interface SuuntoDataset {
  workouts: SuuntoRecordedWorkout[];
  sleep: Suunto247Item[];
  activity: Suunto247Item[];
  recovery: Suunto247Item[];
}

const pad = (value: number) => String(Math.abs(value)).padStart(2, '0');

/** `2026-05-17T02:13:00.000+02:00`: the wall time at `offsetMinutes` east of UTC, with that offset. */
export function isoAt(ms: number, offsetMinutes: number): string {
  const wall = new Date(ms + offsetMinutes * MINUTE_MS).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  return `${wall}${sign}${pad(Math.trunc(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
}

/** Local midnight (as an instant) of the local day containing `ms`. */
export const localMidnight = (ms: number, offsetMinutes: number) =>
  Math.floor((ms + offsetMinutes * MINUTE_MS) / DAY_MS) * DAY_MS - offsetMinutes * MINUTE_MS;

const SPORTS = [
  { activityId: 1, weight: 35, speed: [2.6, 3.6], cadence: 84, power: 0 },
  { activityId: 2, weight: 20, speed: [6, 9], cadence: 88, power: 190 },
  { activityId: 22, weight: 15, speed: [2, 3], cadence: 80, power: 0 },
  { activityId: 11, weight: 10, speed: [1.1, 1.5], cadence: 55, power: 0 },
  { activityId: 23, weight: 10, speed: [0, 0], cadence: 0, power: 0 },
  { activityId: 21, weight: 10, speed: [0.7, 1], cadence: 30, power: 0 },
] as const;

export interface SuuntoWorkoutOptions {
  start: number;
  /** Default a running workout. */
  activityId?: number;
  durationSeconds?: number;
  offsetMinutes?: number;
  /** Default derived from `start`. */
  workoutKey?: string;
  /** Seconds between samples; 0 for none. Default 10. */
  sampleSeconds?: number;
  seed?: number | string;
  /** Last modification; default 10 minutes after the stop. */
  modified?: number;
}

/** One workout with its samples, generated around the sport's typical values. */
export function suuntoWorkout(options: SuuntoWorkoutOptions): SuuntoRecordedWorkout {
  const r = randomTools(options.seed ?? options.start);
  const sport = SPORTS.find((s) => s.activityId === (options.activityId ?? 1)) ?? SPORTS[0];
  const totalTime = options.durationSeconds ?? r.int(30, 100) * 60;
  const stopTime = options.start + totalTime * 1000;
  const avgSpeed = round(r.between(sport.speed[0], sport.speed[1]), 2);
  const avgHr = r.int(120, 155);
  const maxHr = avgHr + r.int(12, 30);
  const baseAltitude = r.int(20, 400);
  const samples: SuuntoWorkoutSample[] = [];
  const every = options.sampleSeconds ?? 10;
  let altitude = baseAltitude;
  let highest = altitude;
  let lowest = altitude;
  let ascent = 0;
  for (let t = 0; every > 0 && t <= totalTime; t += every) {
    const step = round(r.between(-1.2, 1.3), 1);
    altitude = round(altitude + step, 1);
    if (step > 0) ascent += step;
    highest = Math.max(highest, altitude);
    lowest = Math.min(lowest, altitude);
    samples.push({
      timestamp: options.start + t * 1000,
      heartRate: Math.min(maxHr, Math.round(avgHr + r.between(-12, 12))),
      speed: round(avgSpeed * r.between(0.85, 1.15), 2),
      ...(sport.cadence > 0 ? { cadence: Math.round(sport.cadence + r.between(-4, 4)) } : {}),
      ...(sport.power > 0 ? { power: Math.round(sport.power + r.between(-40, 60)) } : {}),
      altitude,
    });
  }
  const key = options.workoutKey ?? `${Math.floor(options.start / 1000).toString(16)}e4b0a1b2c3d4e5f6`;
  const workout: SuuntoWorkout = {
    workoutId: Math.floor(options.start / 1000),
    workoutKey: key.padStart(24, '0').slice(-24),
    activityId: sport.activityId,
    startTime: options.start,
    stopTime,
    totalTime,
    timeOffsetInMinutes: options.offsetMinutes ?? 120,
    totalDistance: round(avgSpeed * totalTime, 1),
    stepCount: sport.activityId === 1 || sport.activityId === 22 ? Math.round((totalTime / 60) * 165) : 0,
    energyConsumption: Math.round((totalTime / 60) * r.between(8, 12)),
    avgSpeed,
    maxSpeed: round(avgSpeed * 1.35, 2),
    ...(sport.power > 0 ? { avgPower: sport.power, maxPower: sport.power + 250 } : {}),
    ...(sport.cadence > 0 ? { cadence: sport.cadence } : {}),
    totalAscent: round(ascent, 1),
    totalDescent: round(ascent * 0.95, 1),
    maxAltitude: highest,
    minAltitude: lowest,
    hrdata: {
      workoutAvgHR: avgHr,
      workoutMaxHR: maxHr,
      userMaxHR: 196,
      avg: avgHr,
      hrmax: maxHr,
      max: 196,
      min: 92,
    },
    gear: {
      manufacturer: 'Suunto',
      name: 'Suunto 9 Peak',
      displayName: 'Suunto 9 Peak Pro',
      serialNumber: '012345678901',
      swVersion: '2.25.20',
    },
  };
  return { workout, samples, modified: options.modified ?? stopTime + 10 * MINUTE_MS };
}

export interface GenerateSuuntoDaysOptions {
  days: number;
  /** End of the generated period, epoch ms (usually now); nothing is generated after it. */
  end: number;
  seed?: number | string;
  /** The user's zone, minutes east of UTC. Default 120. */
  offsetMinutes?: number;
  /** Default 10 (Suunto's 24/7 heart-rate interval). */
  activityEveryMinutes?: number;
  /** Default 120. */
  recoveryEveryMinutes?: number;
  /** Seconds between workout samples. Default 10. */
  workoutSampleSeconds?: number;
  /** Chance of a workout per day. Default 0.6. */
  workoutChance?: number;
  /** Chance of a nap per day. Default 0.15. */
  napChance?: number;
}

const localHour = (ms: number, offsetMinutes: number) =>
  new Date(ms + offsetMinutes * MINUTE_MS).getUTCHours();

function nightOf(r: ReturnType<typeof randomTools>, bedtime: number, offsetMinutes: number): Suunto247Item {
  const duration = r.int(390, 510) * 60;
  const deep = Math.round(duration * r.between(0.15, 0.22));
  const rem = Math.round(duration * r.between(0.15, 0.22));
  const awake = Math.round(duration * r.between(0.03, 0.08));
  const hrMin = r.int(44, 55);
  return {
    timestamp: isoAt(bedtime, offsetMinutes),
    entryData: {
      BedtimeStart: isoAt(bedtime, offsetMinutes),
      BedtimeEnd: isoAt(bedtime + duration * 1000, offsetMinutes),
      Duration: duration,
      DeepSleepDuration: deep,
      LightSleepDuration: duration - deep - rem - awake,
      REMSleepDuration: rem,
      HRAvg: hrMin + r.int(8, 15),
      HRMin: hrMin,
      AvgHRV: r.int(30, 65),
      MaxSpo2: round(r.between(0.96, 0.99), 2),
      SleepQualityScore: r.int(55, 95),
      IsNap: false,
      SleepId: Math.floor(bedtime / 1000),
    },
  };
}

function napOf(r: ReturnType<typeof randomTools>, start: number, offsetMinutes: number): Suunto247Item {
  const duration = r.int(20, 40) * 60;
  return {
    timestamp: isoAt(start, offsetMinutes),
    entryData: {
      BedtimeStart: isoAt(start, offsetMinutes),
      BedtimeEnd: isoAt(start + duration * 1000, offsetMinutes),
      Duration: duration,
      DeepSleepDuration: 0,
      LightSleepDuration: duration,
      REMSleepDuration: 0,
      HRMin: r.int(50, 58),
      IsNap: true,
      SleepId: Math.floor(start / 1000),
    },
  };
}

/** `days` days of data ending at `end`, the same for the same options. */
export function generateSuuntoDays(options: GenerateSuuntoDaysOptions): SuuntoDataset {
  const r = randomTools(options.seed ?? 'suunto');
  const offset = options.offsetMinutes ?? 120;
  const start = options.end - options.days * DAY_MS;
  const data: SuuntoDataset = { workouts: [], sleep: [], activity: [], recovery: [] };
  const asleep = (ms: number) => {
    const hour = localHour(ms, offset);
    return hour >= 23 || hour < 7;
  };
  for (let day = localMidnight(start, offset); day < options.end; day += DAY_MS) {
    const bedtime = day + 23 * HOUR_MS + r.int(-45, 60) * MINUTE_MS;
    const night = nightOf(r, bedtime, offset);
    const wake = bedtime + (night.entryData.Duration as number) * 1000;
    if (bedtime >= start && wake <= options.end) data.sleep.push(night);
    const napStart = day + 14 * HOUR_MS + r.int(0, 60) * MINUTE_MS;
    if (r.chance(options.napChance ?? 0.15) && napStart >= start && napStart + HOUR_MS <= options.end)
      data.sleep.push(napOf(r, napStart, offset));
    const workoutStart = day + r.pick([7, 12, 18]) * HOUR_MS + r.int(0, 50) * MINUTE_MS;
    if (r.chance(options.workoutChance ?? 0.6)) {
      const sport = r.weighted(SPORTS);
      const recorded = suuntoWorkout({
        start: workoutStart,
        activityId: sport.activityId,
        offsetMinutes: offset,
        sampleSeconds: options.workoutSampleSeconds ?? 10,
        seed: `${String(options.seed)}:${day}`,
      });
      recorded.modified = Math.min(recorded.modified, options.end);
      if (workoutStart >= start && recorded.workout.stopTime <= options.end) data.workouts.push(recorded);
    }
  }
  const activityEvery = (options.activityEveryMinutes ?? 10) * MINUTE_MS;
  for (let at = Math.ceil(start / activityEvery) * activityEvery; at < options.end; at += activityEvery) {
    const sleeping = asleep(at);
    const steps = sleeping ? 0 : r.chance(0.3) ? r.int(200, 1400) : r.int(0, 120);
    const restingKcal = (activityEvery / MINUTE_MS) * 1.1;
    const nightly = sleeping && localHour(at, offset) !== localHour(at - activityEvery, offset);
    data.activity.push({
      timestamp: isoAt(at, offset),
      entryData: {
        HR: sleeping ? r.int(46, 60) : r.int(58, 105),
        StepCount: steps,
        EnergyConsumption: Math.round((restingKcal + steps * 0.04) * 4184),
        ...(nightly ? { SpO2: round(r.between(0.94, 0.99), 2), HRV: r.int(28, 70) } : {}),
      },
    });
  }
  const recoveryEvery = (options.recoveryEveryMinutes ?? 120) * MINUTE_MS;
  let balance = 0.6;
  for (let at = Math.ceil(start / recoveryEvery) * recoveryEvery; at < options.end; at += recoveryEvery) {
    const sleeping = asleep(at);
    balance = Math.min(1, Math.max(0, balance + (sleeping ? r.between(0.05, 0.12) : r.between(-0.1, 0.02))));
    data.recovery.push({
      timestamp: isoAt(at, offset),
      entryData: {
        Balance: round(balance, 2),
        StressState: sleeping
          ? 1
          : r.weighted([
              { state: 2, weight: 5 },
              { state: 3, weight: 3 },
              { state: 4, weight: 2 },
            ]).state,
      },
    });
  }
  return data;
}
