/**
 * Activity logs of the fake Fitbit (test/fakes/fitbit.ts): the `activities/list.json` answer and a deterministic
 * generator of realistic logs (providers.md 4.7).
 */

/** One Fitbit activity log as `activities/list.json` returns it (only the fields we read are typed). */
export interface FitbitActivity {
  logId: number;
  activityName: string;
  activityTypeId: number;
  logType: string;
  /** Local time with offset, e.g. `2024-01-15T07:30:00.000+01:00`. */
  startTime: string;
  originalStartTime?: string;
  /** Milliseconds. */
  duration: number;
  activeDuration?: number;
  calories?: number;
  distance?: number;
  distanceUnit?: string;
  steps?: number;
  averageHeartRate?: number;
  elevationGain?: number;
  source?: { id: string; name: string; type: string; url?: string; trackerFeatures?: string[] };
  [field: string]: unknown;
}

export const fitbitErrors = (errorType: string, message: string, fieldName?: string) => ({
  errors: [{ errorType, ...(fieldName ? { fieldName } : {}), message }],
  success: false,
});

export const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A `yyyy-MM-dd` that is a real date (Fitbit answers 400 for 2024-13-01). */
export const isDate = (text: string) => {
  const ms = DATE.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text);
};
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** `2024-01-15T07:30:00.000+01:00` -> `2024-01-15T07:30:00.000` (the local wall clock, sortable as text). */
const localStart = (activity: FitbitActivity) => activity.startTime.slice(0, 23);

/**
 * `activities/list.json`: exactly one of `afterDate`/`beforeDate` (`yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss`, compared
 * with the local start time; a date-only `afterDate` includes that day, a date-time one is exclusive), `sort` (`asc`
 * with afterDate, `desc` with beforeDate), `limit` 1..100, `offset`; an absolute `next` URL on `baseUrl` while more
 * entries exist.
 */
export function activityListAnswer(
  activities: readonly FitbitActivity[],
  url: URL,
  baseUrl: string,
): { status: number; body: unknown } {
  const q = url.searchParams;
  const invalid = (message: string, field: string) => ({
    status: 400,
    body: fitbitErrors('validation', message, field),
  });
  const after = q.get('afterDate');
  const before = q.get('beforeDate');
  const sort = q.get('sort');
  const limitText = q.get('limit');
  const offsetText = q.get('offset');
  if ((after === null) === (before === null))
    return invalid('Exactly one of afterDate or beforeDate must be specified', 'afterDate');
  const bound = (after ?? before)!;
  const boundField = after !== null ? 'afterDate' : 'beforeDate';
  if (!DATE.test(bound) && !DATE_TIME.test(bound)) return invalid(`Invalid date: ${bound}`, boundField);
  if (after !== null && sort !== 'asc') return invalid('sort must be asc when using afterDate', 'sort');
  if (before !== null && sort !== 'desc') return invalid('sort must be desc when using beforeDate', 'sort');
  const limit = Number(limitText);
  if (limitText === null || !Number.isInteger(limit) || limit < 1 || limit > 100)
    return invalid('limit must be an integer between 1 and 100', 'limit');
  const offset = Number(offsetText);
  if (offsetText === null || !Number.isInteger(offset) || offset < 0)
    return invalid('offset must be a non-negative integer', 'offset');

  const all = activities.filter((activity) => {
    const local = localStart(activity);
    if (after !== null) return DATE.test(after) ? local.slice(0, 10) >= after : local.slice(0, 19) > after;
    return DATE.test(bound) ? local.slice(0, 10) < bound : local.slice(0, 19) < bound;
  });
  all.sort((a, b) => localStart(a).localeCompare(localStart(b)) || a.logId - b.logId);
  if (sort === 'desc') all.reverse();
  const link = (at: number) => {
    const target = new URL(url.pathname, baseUrl);
    target.searchParams.set('offset', String(at));
    target.searchParams.set('limit', String(limit));
    target.searchParams.set('sort', sort!);
    target.searchParams.set(boundField, bound);
    return target.toString();
  };
  return {
    status: 200,
    body: {
      activities: all.slice(offset, offset + limit),
      pagination: {
        [boundField]: bound,
        limit,
        next: offset + limit < all.length ? link(offset + limit) : '',
        offset,
        previous: offset > 0 ? link(Math.max(0, offset - limit)) : '',
        sort,
      },
    },
  };
}

interface ActivityTemplate {
  name: string;
  typeId: number;
  /** Minutes, min..max. */
  minutes: [number, number];
  /** km/h for distance activities, null when Fitbit logs no distance. */
  speedKmh: [number, number] | null;
  /** Steps per minute for on-foot activities. */
  cadence: number | null;
  heartRate: [number, number];
  /** kcal per minute. */
  kcalPerMinute: [number, number];
  logTypes: string[];
  /** Weight in the random pick. */
  weight: number;
  /** Usual start hours (local). */
  hours: [number, number];
}

const TEMPLATES: ActivityTemplate[] = [
  {
    name: 'Run',
    typeId: 90009,
    minutes: [20, 75],
    speedKmh: [8.5, 13],
    cadence: 165,
    heartRate: [140, 170],
    kcalPerMinute: [9, 13],
    logTypes: ['mobile_run', 'auto_detected', 'tracker'],
    weight: 5,
    hours: [6, 19],
  },
  {
    name: 'Walk',
    typeId: 90013,
    minutes: [15, 70],
    speedKmh: [4, 6],
    cadence: 105,
    heartRate: [90, 115],
    kcalPerMinute: [3.5, 5.5],
    logTypes: ['auto_detected', 'auto_detected', 'tracker'],
    weight: 7,
    hours: [7, 20],
  },
  {
    name: 'Outdoor Bike',
    typeId: 1071,
    minutes: [30, 150],
    speedKmh: [16, 28],
    cadence: null,
    heartRate: [120, 155],
    kcalPerMinute: [7, 11],
    logTypes: ['auto_detected', 'tracker'],
    weight: 3,
    hours: [7, 18],
  },
  {
    name: 'Weights',
    typeId: 2131,
    minutes: [30, 75],
    speedKmh: null,
    cadence: null,
    heartRate: [100, 135],
    kcalPerMinute: [4, 7],
    logTypes: ['tracker', 'manual'],
    weight: 3,
    hours: [6, 20],
  },
  {
    name: 'Yoga',
    typeId: 52001,
    minutes: [20, 75],
    speedKmh: null,
    cadence: null,
    heartRate: [80, 105],
    kcalPerMinute: [2.5, 4],
    logTypes: ['tracker', 'manual'],
    weight: 2,
    hours: [6, 21],
  },
  {
    name: 'Swim',
    typeId: 90024,
    minutes: [20, 60],
    speedKmh: [2, 3.5],
    cadence: null,
    heartRate: [120, 150],
    kcalPerMinute: [7, 10],
    logTypes: ['tracker'],
    weight: 1,
    hours: [6, 20],
  },
  {
    name: 'Spinning',
    typeId: 55001,
    minutes: [30, 60],
    speedKmh: null,
    cadence: null,
    heartRate: [130, 160],
    kcalPerMinute: [8, 12],
    logTypes: ['tracker'],
    weight: 1,
    hours: [6, 19],
  },
  {
    name: 'Elliptical',
    typeId: 20047,
    minutes: [20, 50],
    speedKmh: [5, 8],
    cadence: 120,
    heartRate: [125, 150],
    kcalPerMinute: [7, 10],
    logTypes: ['auto_detected', 'tracker'],
    weight: 1,
    hours: [6, 20],
  },
  {
    name: 'Hike',
    typeId: 90012,
    minutes: [60, 240],
    speedKmh: [3, 5],
    cadence: 95,
    heartRate: [105, 135],
    kcalPerMinute: [5, 8],
    logTypes: ['tracker'],
    weight: 1,
    hours: [8, 13],
  },
  {
    name: 'Treadmill',
    typeId: 90019,
    minutes: [20, 50],
    speedKmh: [6, 11],
    cadence: 150,
    heartRate: [125, 160],
    kcalPerMinute: [8, 12],
    logTypes: ['tracker'],
    weight: 1,
    hours: [6, 20],
  },
  {
    name: 'Sport',
    typeId: 15000,
    minutes: [30, 90],
    speedKmh: null,
    cadence: 80,
    heartRate: [120, 155],
    kcalPerMinute: [6, 10],
    logTypes: ['auto_detected'],
    weight: 1,
    hours: [9, 20],
  },
  {
    name: 'Tennis',
    typeId: 15675,
    minutes: [45, 120],
    speedKmh: null,
    cadence: 70,
    heartRate: [115, 150],
    kcalPerMinute: [6, 9],
    logTypes: ['manual', 'tracker'],
    weight: 1,
    hours: [9, 20],
  },
];

const DEVICES = [
  {
    id: '310990433',
    name: 'Fitbit Charge 6',
    type: 'tracker',
    trackerFeatures: ['HEARTRATE', 'STEPS', 'DISTANCE', 'CALORIES', 'GPS'],
  },
  {
    id: '411238974',
    name: 'Pixel Watch 2',
    type: 'tracker',
    trackerFeatures: ['HEARTRATE', 'STEPS', 'DISTANCE', 'CALORIES', 'GPS'],
  },
  {
    id: '228763543',
    name: 'Fitbit Sense 2',
    type: 'tracker',
    trackerFeatures: ['HEARTRATE', 'STEPS', 'DISTANCE', 'CALORIES', 'ELEVATION'],
  },
];

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pad = (value: number) => String(value).padStart(2, '0');

/** Epoch ms -> `yyyy-MM-ddTHH:mm:ss.SSS±HH:MM` in the given offset (minutes east of UTC). */
export function fitbitLocalTime(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local.toISOString().slice(0, 23)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export interface GenerateActivitiesOptions {
  /** How many days, ending with the day of `end`. */
  days: number;
  /** Epoch ms; default now. */
  end?: number;
  /** Default 1. */
  seed?: number;
  /** Average activities per day. Default 1.3. */
  perDay?: number;
  /** The user's UTC offset in minutes. Default 0. */
  offsetMinutes?: number;
  /** First logId. Default 10_000_000_000 + seed * 1_000_000. */
  firstLogId?: number;
}

/**
 * Deterministic, realistic activity logs over `days` days: runs, walks, rides, weights, yoga, swims... with
 * plausible durations, distances (km), steps, heart rates and calories; tracker entries carry a `source`, manual
 * ones do not. Never in the future of `end`, sorted by start time.
 */
export function generateActivities(options: GenerateActivitiesOptions): FitbitActivity[] {
  const seed = options.seed ?? 1;
  const random = prng(seed);
  const between = ([low, high]: [number, number]) => low + (high - low) * random();
  const end = options.end ?? Date.now();
  const offset = options.offsetMinutes ?? 0;
  const perDay = options.perDay ?? 1.3;
  const totalWeight = TEMPLATES.reduce((sum, t) => sum + t.weight, 0);
  const pick = () => {
    let roll = random() * totalWeight;
    for (const template of TEMPLATES) {
      roll -= template.weight;
      if (roll <= 0) return template;
    }
    return TEMPLATES[0]!;
  };
  const device = DEVICES[seed % DEVICES.length]!;
  let logId = options.firstLogId ?? 10_000_000_000 + seed * 1_000_000;
  const activities: FitbitActivity[] = [];
  const DAY = 86_400_000;
  // Local midnight of the end's local day, then backwards.
  const endLocalDay = Math.floor((end + offset * 60_000) / DAY) * DAY - offset * 60_000;
  for (let day = options.days - 1; day >= 0; day--) {
    const midnight = endLocalDay - day * DAY;
    // About one rest day in seven; otherwise floor(a + U) activities, which averages `perDay` overall.
    const count = random() < 0.15 ? 0 : Math.floor(perDay / 0.85 + random());
    let cursor = midnight;
    for (let i = 0; i < count; i++) {
      const template = pick();
      const startHour = Math.max(between(template.hours), (cursor - midnight) / 3_600_000 + 0.5);
      if (startHour > 22.5) break;
      const start = midnight + Math.round(startHour * 3600) * 1000;
      const minutes = between(template.minutes);
      const duration = Math.round(minutes * 60) * 1000;
      if (start + duration > end) break;
      cursor = start + duration;
      const activeDuration = template.logTypes.includes('auto_detected')
        ? duration
        : Math.round((duration * (0.9 + random() * 0.1)) / 1000) * 1000;
      const logType = template.logTypes[Math.floor(random() * template.logTypes.length)]!;
      const manual = logType === 'manual';
      const activity: FitbitActivity = {
        logId: logId++,
        activityName: template.name,
        activityTypeId: template.typeId,
        logType,
        startTime: fitbitLocalTime(start, offset),
        originalStartTime: fitbitLocalTime(start, offset),
        duration,
        activeDuration,
        calories: Math.round(minutes * between(template.kcalPerMinute)),
        lastModified: new Date(Math.min(end, start + duration + 600_000)).toISOString(),
        hasActiveZoneMinutes: !manual,
        activityLevel: [
          { minutes: Math.round(minutes * 0.1), name: 'sedentary' },
          { minutes: Math.round(minutes * 0.2), name: 'lightly' },
          { minutes: Math.round(minutes * 0.3), name: 'fairly' },
          { minutes: Math.round(minutes * 0.4), name: 'very' },
        ],
      };
      if (template.speedKmh) {
        const km = Math.round(((between(template.speedKmh) * activeDuration) / 3_600_000) * 1000) / 1000;
        activity.distance = km;
        activity.distanceUnit = 'Kilometer';
        activity.speed = Math.round((km / (activeDuration / 3_600_000)) * 1000) / 1000;
        activity.pace = km > 0 ? Math.round(activeDuration / 1000 / km) : 0;
        if (template.name !== 'Swim' && template.name !== 'Treadmill' && template.name !== 'Elliptical')
          activity.elevationGain = Math.round(random() * 60 * 10) / 10;
      }
      if (template.cadence)
        activity.steps = Math.round((activeDuration / 60_000) * template.cadence * (0.85 + random() * 0.3));
      if (!manual) {
        const hr = Math.round(between(template.heartRate));
        activity.averageHeartRate = hr;
        activity.heartRateLink = `https://api.fitbit.com/1/user/-/activities/heart/date/${activity.startTime.slice(0, 10)}/1d/1sec/time/${activity.startTime.slice(11, 16)}.json`;
        activity.heartRateZones = [
          { name: 'Out of Range', min: 30, max: 98, minutes: Math.round(minutes * 0.2) },
          { name: 'Fat Burn', min: 98, max: 123, minutes: Math.round(minutes * 0.3) },
          { name: 'Cardio', min: 123, max: 151, minutes: Math.round(minutes * 0.4) },
          { name: 'Peak', min: 151, max: 220, minutes: Math.round(minutes * 0.1) },
        ];
        activity.source = {
          ...device,
          url: 'https://www.fitbit.com/',
        };
      } else {
        activity.manualValuesSpecified = {
          calories: false,
          distance: Boolean(template.speedKmh),
          steps: false,
        };
      }
      activities.push(activity);
    }
  }
  return activities;
}
