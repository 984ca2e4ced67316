/**
 * Garmin Activity API summaries for the fake (providers.md 4.1): `activities` items and their `activityDetails`
 * (the same summary nested under `summary`, plus `samples` and `laps`), in the push format.
 */
import { type RandomTools, randomTools, round } from '#test/fakes/random.js';

export type GarminSummary = Record<string, unknown>;

interface ActivityTemplate {
  type: string;
  label: string;
  weight: number;
  minutes: [number, number];
  /** m/s, null for activities without distance. */
  speed: [number, number] | null;
  cadence: { kind: 'run' | 'bike' | 'swim'; range: [number, number] } | null;
  power: [number, number] | null;
  heartRate: [number, number];
  kcalPerMinute: [number, number];
  /** Outdoors: GPS track, elevation, air temperature. */
  outdoor: boolean;
  /** Total climb in metres for outdoor activities. */
  climb: [number, number];
  /** Usual local start hours. */
  hours: [number, number];
}

const TEMPLATES: ActivityTemplate[] = [
  {
    type: 'RUNNING',
    label: 'Run',
    weight: 5,
    minutes: [25, 75],
    speed: [2.6, 3.6],
    cadence: { kind: 'run', range: [160, 182] },
    power: null,
    heartRate: [138, 165],
    kcalPerMinute: [10, 14],
    outdoor: true,
    climb: [10, 120],
    hours: [6, 19],
  },
  {
    type: 'TRAIL_RUNNING',
    label: 'Trail Run',
    weight: 1,
    minutes: [40, 120],
    speed: [2, 2.9],
    cadence: { kind: 'run', range: [150, 172] },
    power: null,
    heartRate: [140, 168],
    kcalPerMinute: [10, 14],
    outdoor: true,
    climb: [150, 700],
    hours: [7, 16],
  },
  {
    type: 'CYCLING',
    label: 'Ride',
    weight: 3,
    minutes: [45, 180],
    speed: [6, 9],
    cadence: { kind: 'bike', range: [78, 95] },
    power: [140, 230],
    heartRate: [125, 155],
    kcalPerMinute: [8, 12],
    outdoor: true,
    climb: [100, 900],
    hours: [7, 17],
  },
  {
    type: 'INDOOR_CYCLING',
    label: 'Indoor Cycling',
    weight: 1,
    minutes: [30, 75],
    speed: null,
    cadence: { kind: 'bike', range: [80, 95] },
    power: [150, 240],
    heartRate: [130, 160],
    kcalPerMinute: [9, 13],
    outdoor: false,
    climb: [0, 0],
    hours: [6, 20],
  },
  {
    type: 'WALKING',
    label: 'Walk',
    weight: 4,
    minutes: [20, 70],
    speed: [1.2, 1.6],
    cadence: { kind: 'run', range: [100, 118] },
    power: null,
    heartRate: [90, 115],
    kcalPerMinute: [3.5, 5.5],
    outdoor: true,
    climb: [5, 60],
    hours: [8, 20],
  },
  {
    type: 'HIKING',
    label: 'Hike',
    weight: 1,
    minutes: [90, 240],
    speed: [0.9, 1.4],
    cadence: { kind: 'run', range: [90, 110] },
    power: null,
    heartRate: [105, 135],
    kcalPerMinute: [6, 9],
    outdoor: true,
    climb: [200, 1000],
    hours: [8, 12],
  },
  {
    type: 'LAP_SWIMMING',
    label: 'Pool Swim',
    weight: 1,
    minutes: [25, 60],
    speed: [0.6, 1],
    cadence: { kind: 'swim', range: [24, 34] },
    power: null,
    heartRate: [120, 150],
    kcalPerMinute: [8, 11],
    outdoor: false,
    climb: [0, 0],
    hours: [6, 20],
  },
  {
    type: 'STRENGTH_TRAINING',
    label: 'Strength',
    weight: 2,
    minutes: [30, 70],
    speed: null,
    cadence: null,
    power: null,
    heartRate: [95, 130],
    kcalPerMinute: [4, 7],
    outdoor: false,
    climb: [0, 0],
    hours: [6, 20],
  },
  {
    type: 'YOGA',
    label: 'Yoga',
    weight: 1,
    minutes: [30, 75],
    speed: null,
    cadence: null,
    power: null,
    heartRate: [75, 100],
    kcalPerMinute: [2.5, 4],
    outdoor: false,
    climb: [0, 0],
    hours: [6, 21],
  },
];

export const GARMIN_ACTIVITY_TYPES = TEMPLATES.map((t) => t.type);

/** A stable 32-bit number from a string (ids, home coordinates). */
export function hashOf(text: string): number {
  let state = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 0x01000193);
  return state >>> 0;
}

const partOfDay = (localHour: number) =>
  localHour < 12 ? 'Morning' : localHour < 17 ? 'Afternoon' : localHour < 21 ? 'Evening' : 'Night';

export interface GarminActivityOptions {
  userId: string;
  /** Epoch seconds. */
  start: number;
  /** Garmin activity type (RUNNING, CYCLING, WALKING, ...); default a weighted random pick. */
  activityType?: string;
  durationInSeconds?: number;
  offsetSeconds?: number;
  deviceName?: string;
  /** Default derived from the user and the start time. */
  activityId?: number;
  seed?: number | string;
}

export const pickActivityTemplate = (rng: RandomTools) => rng.weighted(TEMPLATES);

/** A usual local start hour for a random activity type (the day generator places activities with it). */
export function activityHours(activityType: string): [number, number] {
  return (TEMPLATES.find((t) => t.type === activityType) ?? TEMPLATES[0]!).hours;
}

export function activityMinutes(activityType: string): [number, number] {
  return (TEMPLATES.find((t) => t.type === activityType) ?? TEMPLATES[0]!).minutes;
}

/** One `activities` item as Garmin pushes it. */
export function garminActivity(options: GarminActivityOptions): GarminSummary {
  const rng = randomTools(`${options.seed ?? 1}|${options.userId}|activity|${options.start}`);
  const template = options.activityType
    ? (TEMPLATES.find((t) => t.type === options.activityType) ?? {
        ...TEMPLATES[0]!,
        type: options.activityType,
      })
    : pickActivityTemplate(rng);
  const offset = options.offsetSeconds ?? 3600;
  const duration = options.durationInSeconds ?? Math.round(rng.between(...template.minutes) * 60);
  const minutes = duration / 60;
  const localHour = ((((options.start + offset) % 86_400) + 86_400) % 86_400) / 3600;
  const activityId =
    options.activityId ??
    100_000_000_000 + (options.start - 1_500_000_000) * 4096 + (hashOf(options.userId) % 4096);
  const hrAvg = Math.round(rng.between(...template.heartRate));
  const activity: GarminSummary = {
    userId: options.userId,
    summaryId: String(activityId),
    activityId,
    activityName: `${partOfDay(localHour)} ${template.label}`,
    activityType: template.type,
    deviceName: options.deviceName ?? 'Forerunner 965',
    startTimeInSeconds: options.start,
    startTimeOffsetInSeconds: offset,
    durationInSeconds: duration,
    averageHeartRateInBeatsPerMinute: hrAvg,
    maxHeartRateInBeatsPerMinute: Math.min(200, hrAvg + rng.int(12, 28)),
    activeKilocalories: Math.round(minutes * rng.between(...template.kcalPerMinute)),
  };
  if (template.speed) {
    const speed = round(rng.between(...template.speed), 2);
    const distance = round(speed * duration * rng.between(0.94, 0.99), 1);
    Object.assign(activity, {
      distanceInMeters: distance,
      averageSpeedInMetersPerSecond: round(distance / duration, 2),
      maxSpeedInMetersPerSecond: round(speed * rng.between(1.25, 1.6), 2),
      averagePaceInMinutesPerKilometer: round(duration / 60 / (distance / 1000), 2),
    });
  }
  if (template.cadence) {
    const cadence = round(rng.between(...template.cadence.range), 1);
    const max = round(cadence * rng.between(1.08, 1.2), 1);
    if (template.cadence.kind === 'run') {
      activity.averageRunCadenceInStepsPerMinute = cadence;
      activity.maxRunCadenceInStepsPerMinute = max;
      activity.steps = Math.round(cadence * minutes * rng.between(0.93, 0.99));
    } else if (template.cadence.kind === 'bike') {
      activity.averageBikeCadenceInRoundsPerMinute = cadence;
      activity.maxBikeCadenceInRoundsPerMinute = max;
    } else {
      activity.averageSwimCadenceInStrokesPerMinute = cadence;
      activity.numberOfActiveLengths = Math.round(((activity.distanceInMeters as number) ?? 0) / 25);
    }
  }
  if (template.power) {
    const power = Math.round(rng.between(...template.power));
    activity.averagePowerInWatts = power;
    activity.maxPowerInWatts = Math.round(power * rng.between(2, 3.2));
  }
  if (template.outdoor) {
    const home = hashOf(options.userId);
    const climb = Math.round(rng.between(...template.climb));
    Object.assign(activity, {
      startingLatitudeInDegree: round(52.2297 + ((home % 1000) - 500) / 20_000, 6),
      startingLongitudeInDegree: round(21.0122 + (((home >>> 10) % 1000) - 500) / 20_000, 6),
      totalElevationGainInMeters: climb,
      totalElevationLossInMeters: Math.max(0, climb + rng.int(-15, 15)),
    });
  }
  activity.manual = false;
  return activity;
}

/**
 * The `activityDetails` item of an activity: `summary` (the activity without its ids), a sample every
 * `sampleSeconds` (heart rate, speed, distance, cadence or power, GPS and elevation outdoors) and laps (every
 * kilometre, or every 10 minutes without distance). The summary's max heart rate and speed are raised to agree with
 * the samples (`activity` itself is left alone: `syncMaxima` copies them back).
 */
export function garminActivityDetails(activity: GarminSummary, sampleSeconds = 10): GarminSummary {
  const rng = randomTools(`details|${String(activity.summaryId)}`);
  const num = (field: string) =>
    typeof activity[field] === 'number' ? (activity[field] as number) : undefined;
  const start = num('startTimeInSeconds') ?? 0;
  const duration = num('durationInSeconds') ?? 0;
  const hrAvg = num('averageHeartRateInBeatsPerMinute') ?? 120;
  const speed = num('averageSpeedInMetersPerSecond');
  const startLat = num('startingLatitudeInDegree');
  const startLon = num('startingLongitudeInDegree');
  const climb = num('totalElevationGainInMeters') ?? 0;
  const distanceTotal = num('distanceInMeters') ?? 0;
  const runCadence = num('averageRunCadenceInStepsPerMinute');
  const bikeCadence = num('averageBikeCadenceInRoundsPerMinute');
  const swimCadence = num('averageSwimCadenceInStrokesPerMinute');
  const power = num('averagePowerInWatts');
  // A closed loop: the track returns to the start.
  const loopRadius = distanceTotal / (2 * Math.PI);
  const baseElevation = 80 + (hashOf(String(activity.userId)) % 200);

  const samples: GarminSummary[] = [];
  const laps: GarminSummary[] = [{ startTimeInSeconds: start }];
  let distance = 0;
  let maxHr = 0;
  let maxSpeed = 0;
  let nextLap = distanceTotal > 0 ? 1000 : 600;
  for (let t = 0; t <= duration; t += sampleSeconds) {
    const warmup = Math.min(1, t / 420);
    const heartRate = Math.round(hrAvg * (0.78 + 0.24 * warmup) + rng.between(-4, 4));
    const sample: GarminSummary = {
      startTimeInSeconds: start + t,
      heartRate,
      timerDurationInSeconds: t,
      clockDurationInSeconds: t,
      movingDurationInSeconds: t,
    };
    maxHr = Math.max(maxHr, heartRate);
    if (speed !== undefined) {
      const now = round(Math.max(0, speed * (0.9 + 0.1 * warmup) + rng.between(-0.25, 0.25)), 2);
      maxSpeed = Math.max(maxSpeed, now);
      distance = Math.min(distanceTotal, distance + now * sampleSeconds);
      sample.speedMetersPerSecond = now;
      sample.totalDistanceInMeters = round(distance, 1);
    }
    if (runCadence !== undefined) sample.stepsPerMinute = round(runCadence + rng.between(-4, 4), 1);
    if (bikeCadence !== undefined) sample.bikeCadenceInRPM = Math.round(bikeCadence + rng.between(-6, 6));
    if (swimCadence !== undefined)
      sample.swimCadenceInStrokesPerMinute = Math.round(swimCadence + rng.between(-2, 2));
    if (power !== undefined) sample.powerInWatts = Math.max(0, Math.round(power + rng.between(-40, 40)));
    if (startLat !== undefined && startLon !== undefined && loopRadius > 0) {
      const angle = distance / loopRadius;
      const north = loopRadius * Math.sin(angle);
      const east = loopRadius * (1 - Math.cos(angle));
      sample.latitudeInDegree = round(startLat + north / 111_320, 7);
      sample.longitudeInDegree = round(startLon + east / (111_320 * Math.cos((startLat * Math.PI) / 180)), 7);
      sample.elevationInMeters = round(baseElevation + (climb / 2) * Math.sin(angle / 2), 1);
      sample.airTemperatureCelcius = round(14 + rng.between(-0.5, 0.5), 1);
    }
    samples.push(sample);
    const lapMark = distanceTotal > 0 ? distance : t;
    if (lapMark >= nextLap && t < duration) {
      laps.push({ startTimeInSeconds: start + t });
      nextLap += distanceTotal > 0 ? 1000 : 600;
    }
  }
  const { userId, summaryId, activityId, ...summary } = activity;
  summary.maxHeartRateInBeatsPerMinute = Math.max(maxHr, num('maxHeartRateInBeatsPerMinute') ?? 0);
  if (speed !== undefined)
    summary.maxSpeedInMetersPerSecond = Math.max(maxSpeed, num('maxSpeedInMetersPerSecond') ?? 0);
  return { userId, summaryId: `${String(summaryId)}-detail`, activityId, summary, samples, laps };
}

/** Copies the maxima `garminActivityDetails` derived from its samples onto the activity, so both pushes agree. */
export function syncMaxima(activity: GarminSummary, details: GarminSummary): void {
  const summary = details.summary as GarminSummary;
  for (const field of ['maxHeartRateInBeatsPerMinute', 'maxSpeedInMetersPerSecond'])
    if (summary[field] !== undefined) activity[field] = summary[field];
}
