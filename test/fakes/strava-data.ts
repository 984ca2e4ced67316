/**
 * Strava API v3 activities for the fake (providers.md 4.6): the detailed representation the fake stores, its summary
 * (resource_state 2) as list endpoints return it, streams, and `generateStravaActivities`.
 */
import { randomTools, round } from '#test/fakes/random.js';

/** Strava's error body. */
export const stravaError = (message: string, resource: string, field: string, code: string) => ({
  message,
  errors: [{ resource, field, code }],
});

/** A DetailedActivity (resource_state 3); only the fields we use are typed. */
export interface StravaActivity {
  id: number;
  resource_state?: number;
  athlete: { id: number; resource_state: number };
  name: string;
  type: string;
  sport_type: string;
  /** UTC, `2024-01-15T08:00:00Z`. */
  start_date: string;
  /** Local wall clock with a `Z` (Strava's quirk). */
  start_date_local: string;
  timezone: string;
  /** Seconds east of UTC, a float. */
  utc_offset: number;
  elapsed_time: number;
  moving_time: number;
  distance: number;
  manual: boolean;
  private: boolean;
  [field: string]: unknown;
}

export interface StravaAthlete {
  id: number;
  username: string | null;
  firstname?: string;
  lastname?: string;
  city?: string;
  country?: string;
  sex?: 'M' | 'F' | null;
  weight?: number;
}

/** Fields only the detailed representation (GET /activities/{id}) has. */
const DETAIL_ONLY = [
  'calories',
  'description',
  'gear',
  'photos',
  'segment_efforts',
  'splits_metric',
  'laps',
  'embed_token',
];

/** The SummaryActivity (resource_state 2) of a stored activity. */
export function summaryOf(activity: StravaActivity): Record<string, unknown> {
  const summary: Record<string, unknown> = { resource_state: 2 };
  for (const [key, value] of Object.entries(activity)) if (!DETAIL_ONLY.includes(key)) summary[key] = value;
  summary.resource_state = 2;
  return summary;
}

export const detailOf = (activity: StravaActivity): Record<string, unknown> => ({
  ...activity,
  resource_state: 3,
});

/** The athlete as the token response and `GET /athlete` show it. */
export function athleteOf(athlete: StravaAthlete, resourceState = 2): Record<string, unknown> {
  return {
    id: athlete.id,
    username: athlete.username,
    resource_state: resourceState,
    firstname: athlete.firstname ?? 'Demo',
    lastname: athlete.lastname ?? 'Athlete',
    bio: '',
    city: athlete.city ?? 'Warsaw',
    state: 'Masovia',
    country: athlete.country ?? 'Poland',
    sex: athlete.sex === undefined ? 'F' : athlete.sex,
    premium: true,
    summit: true,
    created_at: '2019-04-11T18:32:15Z',
    updated_at: '2024-01-10T07:12:44Z',
    badge_type_id: 1,
    weight: athlete.weight ?? 61.4,
    profile_medium: 'https://dgalywyr863hv.cloudfront.net/pictures/athletes/medium.jpg',
    profile: 'https://dgalywyr863hv.cloudfront.net/pictures/athletes/large.jpg',
    friend: null,
    follower: null,
  };
}

interface Template {
  sport: string;
  /** The legacy `type` for sport types that have none of their own. */
  type: string;
  label: string;
  weight: number;
  minutes: [number, number];
  speed: [number, number] | null;
  heartRate: [number, number];
  watts: [number, number] | null;
  cadence: [number, number] | null;
  climb: [number, number];
  trainer: boolean;
}

const TEMPLATES: Template[] = [
  {
    sport: 'Run',
    type: 'Run',
    label: 'Run',
    weight: 6,
    minutes: [25, 80],
    speed: [2.6, 3.7],
    heartRate: [138, 165],
    watts: null,
    cadence: [80, 90],
    climb: [10, 150],
    trainer: false,
  },
  {
    sport: 'TrailRun',
    type: 'Run',
    label: 'Trail Run',
    weight: 1,
    minutes: [45, 150],
    speed: [2, 2.9],
    heartRate: [140, 168],
    watts: null,
    cadence: [76, 86],
    climb: [150, 900],
    trainer: false,
  },
  {
    sport: 'Ride',
    type: 'Ride',
    label: 'Ride',
    weight: 4,
    minutes: [45, 210],
    speed: [6, 9],
    heartRate: [125, 155],
    watts: [140, 240],
    cadence: [78, 95],
    climb: [100, 1200],
    trainer: false,
  },
  {
    sport: 'GravelRide',
    type: 'Ride',
    label: 'Gravel Ride',
    weight: 1,
    minutes: [60, 180],
    speed: [5.5, 7.5],
    heartRate: [125, 155],
    watts: [140, 220],
    cadence: [75, 90],
    climb: [150, 900],
    trainer: false,
  },
  {
    sport: 'VirtualRide',
    type: 'VirtualRide',
    label: 'Zwift Ride',
    weight: 1,
    minutes: [30, 90],
    speed: [8, 10.5],
    heartRate: [135, 162],
    watts: [170, 260],
    cadence: [85, 98],
    climb: [50, 600],
    trainer: true,
  },
  {
    sport: 'Walk',
    type: 'Walk',
    label: 'Walk',
    weight: 3,
    minutes: [20, 80],
    speed: [1.2, 1.6],
    heartRate: [90, 115],
    watts: null,
    cadence: [52, 58],
    climb: [5, 60],
    trainer: false,
  },
  {
    sport: 'Hike',
    type: 'Hike',
    label: 'Hike',
    weight: 1,
    minutes: [90, 300],
    speed: [0.9, 1.4],
    heartRate: [105, 135],
    watts: null,
    cadence: [46, 54],
    climb: [250, 1200],
    trainer: false,
  },
  {
    sport: 'Swim',
    type: 'Swim',
    label: 'Swim',
    weight: 1,
    minutes: [25, 60],
    speed: [0.6, 1],
    heartRate: [120, 150],
    watts: null,
    cadence: null,
    climb: [0, 0],
    trainer: false,
  },
  {
    sport: 'WeightTraining',
    type: 'WeightTraining',
    label: 'Weight Training',
    weight: 2,
    minutes: [30, 75],
    speed: null,
    heartRate: [95, 130],
    watts: null,
    cadence: null,
    climb: [0, 0],
    trainer: true,
  },
  {
    sport: 'Yoga',
    type: 'Yoga',
    label: 'Yoga',
    weight: 1,
    minutes: [30, 75],
    speed: null,
    heartRate: [75, 100],
    watts: null,
    cadence: null,
    climb: [0, 0],
    trainer: true,
  },
];

const partOfDay = (hour: number) =>
  hour < 5
    ? 'Night'
    : hour < 12
      ? 'Morning'
      : hour < 14
        ? 'Lunch'
        : hour < 18
          ? 'Afternoon'
          : hour < 21
            ? 'Evening'
            : 'Night';

const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export interface StravaActivityOptions {
  id: number;
  athleteId: number;
  /** Epoch ms. */
  start: number;
  sportType?: string;
  elapsedSeconds?: number;
  /** Seconds east of UTC. Default 3600. */
  utcOffset?: number;
  /** Default `(GMT+01:00) Europe/Warsaw`. */
  timezone?: string;
  seed?: number | string;
  /** Overrides merged last. */
  fields?: Partial<StravaActivity>;
}

/** One realistic DetailedActivity. */
export function stravaActivity(options: StravaActivityOptions): StravaActivity {
  const rng = randomTools(`${options.seed ?? 1}|strava|${options.id}`);
  const template = options.sportType
    ? (TEMPLATES.find((t) => t.sport === options.sportType) ?? {
        ...TEMPLATES[0]!,
        sport: options.sportType,
        type: options.sportType,
      })
    : rng.weighted(TEMPLATES);
  const offset = options.utcOffset ?? 3600;
  const elapsed = options.elapsedSeconds ?? Math.round(rng.between(...template.minutes) * 60);
  const moving = template.speed ? Math.round(elapsed * rng.between(0.9, 0.99)) : elapsed;
  const localHour = new Date(options.start + offset * 1000).getUTCHours();
  const hr = round(rng.between(...template.heartRate), 1);
  const activity: StravaActivity = {
    resource_state: 3,
    athlete: { id: options.athleteId, resource_state: 1 },
    id: options.id,
    name: `${partOfDay(localHour)} ${template.label}`,
    distance: 0,
    moving_time: moving,
    elapsed_time: elapsed,
    total_elevation_gain: 0,
    type: template.type,
    sport_type: template.sport,
    workout_type: template.sport === 'Run' ? 0 : null,
    start_date: isoSeconds(options.start),
    start_date_local: isoSeconds(options.start + offset * 1000),
    timezone: options.timezone ?? '(GMT+01:00) Europe/Warsaw',
    utc_offset: offset,
    location_city: null,
    location_state: null,
    location_country: 'Poland',
    achievement_count: rng.int(0, 6),
    kudos_count: rng.int(0, 25),
    comment_count: rng.int(0, 3),
    athlete_count: 1,
    photo_count: 0,
    trainer: template.trainer,
    commute: false,
    manual: false,
    private: rng.chance(0.05),
    visibility: 'everyone',
    flagged: false,
    gear_id: template.speed
      ? template.type === 'Ride' || template.type === 'VirtualRide'
        ? 'b9876543'
        : 'g12345'
      : null,
    has_heartrate: true,
    average_heartrate: hr,
    max_heartrate: round(Math.min(200, hr + rng.between(12, 28)), 1),
    heartrate_opt_out: false,
    display_hide_heartrate_option: true,
    upload_id: options.id * 2 + 1,
    external_id: `garmin_ping_${options.id}`,
    from_accepted_tag: false,
    pr_count: rng.int(0, 2),
    total_photo_count: 0,
    has_kudoed: false,
    suffer_score: Math.round((elapsed / 60) * (hr / 150) ** 3 * 0.8),
    description: rng.chance(0.3) ? 'Felt good today.' : '',
    calories: 0,
    device_name: 'Garmin Forerunner 965',
    embed_token: `${options.id.toString(16)}e7c1d2`,
    photos: { primary: null, count: 0 },
    segment_efforts: [],
  };
  if (template.speed) {
    const speed = rng.between(...template.speed);
    const distance = round(speed * moving, 1);
    const climb = Math.round(rng.between(...template.climb) * 10) / 10;
    Object.assign(activity, {
      distance,
      total_elevation_gain: climb,
      average_speed: round(distance / moving, 3),
      max_speed: round(speed * rng.between(1.3, 1.8), 3),
      elev_high: round(120 + climb * 0.6, 1),
      elev_low: round(100 + rng.between(0, 20), 1),
      start_latlng: template.trainer ? [] : [52.2297, 21.0122],
      end_latlng: template.trainer ? [] : [52.2301, 21.0118],
      map: {
        id: `a${options.id}`,
        summary_polyline: template.trainer ? '' : 'ki{eFvqfiVsBmA`Feh@qHqE',
        resource_state: 2,
      },
      gear: {
        id: activity.gear_id,
        primary: true,
        name: template.type === 'Ride' || template.type === 'VirtualRide' ? 'Canyon Endurace' : 'Pegasus 40',
        resource_state: 2,
        distance: Math.round(rng.between(200_000, 3_000_000)),
      },
    });
  } else {
    activity.map = { id: `a${options.id}`, summary_polyline: '', resource_state: 2 };
  }
  if (template.cadence) activity.average_cadence = round(rng.between(...template.cadence), 1);
  if (template.watts) {
    const watts = round(rng.between(...template.watts), 1);
    const kilojoules = round((watts * moving) / 1000, 1);
    Object.assign(activity, {
      average_watts: watts,
      max_watts: Math.round(watts * rng.between(2.5, 4)),
      weighted_average_watts: Math.round(watts * rng.between(1.03, 1.12)),
      device_watts: true,
      kilojoules,
      // About 1 kcal per kJ of work (a ~24 % efficient human).
      calories: round(kilojoules * rng.between(0.95, 1.05), 1),
    });
  } else {
    const calories = round((moving / 60) * Math.max(2, (hr - 60) / 10), 1);
    activity.calories = calories;
    activity.kilojoules = round(calories * 4.184, 1);
  }
  return { ...activity, ...options.fields } as StravaActivity;
}

export interface GenerateStravaActivitiesOptions {
  /** How many days, ending with the day of `end`. */
  days: number;
  /** Epoch ms; nothing starts or ends after it. Default now. */
  end?: number;
  athleteId?: number;
  seed?: number | string;
  /** Average activities per day. Default 0.9. */
  perDay?: number;
  /** Seconds east of UTC. Default 3600. */
  utcOffset?: number;
  /** Default 10_000_000_000 + seed-derived offset; ids then increase with start time. */
  firstId?: number;
}

export const DEFAULT_STRAVA_ATHLETE = 134815;

/** Deterministic, realistic activities over `days` days, oldest first, ids increasing with start time. */
export function generateStravaActivities(options: GenerateStravaActivitiesOptions): StravaActivity[] {
  const seed = options.seed ?? 1;
  const athleteId = options.athleteId ?? DEFAULT_STRAVA_ATHLETE;
  const rng = randomTools(`${seed}|strava-days|${athleteId}`);
  const end = options.end ?? Date.now();
  const offset = options.utcOffset ?? 3600;
  const perDay = options.perDay ?? 0.9;
  const DAY_MS = 86_400_000;
  const lastLocalMidnight = Math.floor((end + offset * 1000) / DAY_MS) * DAY_MS - offset * 1000;
  let id = options.firstId ?? 10_000_000_000 + (Number(String(seed).replace(/\D/g, '')) % 1000) * 10_000_000;
  const activities: StravaActivity[] = [];
  for (let day = options.days - 1; day >= 0; day--) {
    const midnight = lastLocalMidnight - day * DAY_MS;
    const count = rng.chance(0.2) ? 0 : Math.floor(perDay / 0.8 + rng.next());
    let cursor = midnight + 6 * 3_600_000;
    for (let i = 0; i < count; i++) {
      const start = Math.max(cursor, midnight + Math.round(rng.between(6, 19.5) * 3600) * 1000);
      const activity = stravaActivity({ id: id++, athleteId, start, utcOffset: offset, seed });
      if (start + activity.elapsed_time * 1000 > end) break;
      activities.push(activity);
      cursor = start + activity.elapsed_time * 1000 + 3_600_000;
    }
  }
  return activities;
}
