/**
 * A fake Fitbit Web API for tests and the local sandbox, speaking Fitbit's formats (providers.md 4.7):
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`: Basic client auth,
 *   PKCE S256 required, access tokens for 8 hours, rotating single-use refresh tokens, `user_id` in the token
 *   response;
 * - `GET /1/user/-/activities/list.json` (also `/1/user/<id>/...`): exactly one of `afterDate`/`beforeDate`
 *   (`yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss`, compared with the activity's local start time), `sort` (`asc` with
 *   afterDate, `desc` with beforeDate), `limit` 1..100, `offset`; answers `{activities, pagination}` with an
 *   absolute `next` URL on this host while more entries exist;
 * - `GET /1/user/-/profile.json` (needs the `profile` scope);
 * - the per-user rate limit (150 requests per clock hour by default) with `Fitbit-Rate-Limit-Limit`,
 *   `-Remaining` and `-Reset` (seconds to the top of the hour) on every data response, 429 when exhausted or
 *   forced with `rateLimitNext`; 401 `expired_token` / `invalid_token` for a bad access token, 403
 *   `insufficient_scope` without the needed scope; errors in Fitbit's `{errors: [...], success: false}` shape.
 *
 * A date-only `afterDate` includes that local day; a date-time one is exclusive, like Fitbit's "after".
 */
import {
  type AccessGrant,
  bearerToken,
  OAuthFake,
  type OAuthFakeOptions,
  sendJson,
  startHttpServer,
} from '#test/fakes/oauth-fake.js';

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

export interface FakeFitbitProfile {
  displayName?: string;
  fullName?: string;
  timezone?: string;
  offsetFromUTCMillis?: number;
}

export interface FakeFitbitOptions {
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs; default: any. */
  redirectUris?: string[];
  /** Access-token lifetime, seconds. Default 28800 (Fitbit's 8 hours). */
  expiresIn?: number;
  /** The Fitbit account that approves the consent page. Default `FAKE01`; `oauth.setUser` changes it. */
  userId?: string;
  autoApprove?: boolean;
  /** Per-user data requests per clock hour. Default 150. */
  rateLimitPerHour?: number;
  /** Scope granted when the authorize request sends none. */
  defaultScope?: string;
  /** Clock, epoch ms (tokens and the hourly budget). Default `Date.now`. */
  now?: () => number;
  /** Extra OAuth behaviour (refresh rotation, ...). */
  oauth?: Partial<OAuthFakeOptions>;
}

export interface FakeFitbitRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The Fitbit user of the bearer token, null when it was not accepted. */
  userId: string | null;
  status: number;
}

export interface FakeFitbit {
  /** Base URL of the fake (`http://127.0.0.1:<port>`). */
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** What `FITBIT_API_BASE_URL` should be: the fake itself. */
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The OAuth server: knobs `revokeAll`, `failNextRefresh`, `expireAccessTokens`, `setUser`, counters... */
  oauth: OAuthFake;
  /** Data-API requests (OAuth requests are counted on `oauth`), oldest first. */
  requests: FakeFitbitRequest[];
  setActivities(userId: string, activities: FitbitActivity[]): void;
  addActivities(userId: string, activities: FitbitActivity[]): void;
  activities(userId: string): FitbitActivity[];
  setProfile(userId: string, profile: FakeFitbitProfile): void;
  /** The next `n` authenticated data requests (any user) answer 429; Reset = `resetSeconds`, default to the hour. */
  rateLimitNext(n: number, resetSeconds?: number): void;
  /** Changes the per-user hourly budget; `resetRateLimits` forgets what was used. */
  setRateLimit(perHour: number): void;
  resetRateLimits(): void;
  /** Tokens for a user without the browser dance (test setup). */
  issueTokens(userId: string, scope?: string): Record<string, unknown>;
  stop(): Promise<void>;
}

const DEFAULT_SCOPE = 'activity heartrate profile sleep';
const HOUR_MS = 3_600_000;

const fitbitErrors = (errorType: string, message: string, fieldName?: string) => ({
  errors: [{ errorType, ...(fieldName ? { fieldName } : {}), message }],
  success: false,
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** `2024-01-15T07:30:00.000+01:00` -> `2024-01-15T07:30:00.000` (the local wall clock, sortable as text). */
const localStart = (activity: FitbitActivity) => activity.startTime.slice(0, 23);

export async function startFakeFitbit(options: FakeFitbitOptions = {}): Promise<FakeFitbit> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? 'fake-fitbit-client';
  const clientSecret = options.clientSecret ?? 'fake-fitbit-secret';
  const oauth = new OAuthFake({
    clients: [
      { clientId, clientSecret, ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}) },
    ],
    clientAuth: 'basic',
    pkce: 'required',
    authorizePath: '/oauth2/authorize',
    tokenPath: '/oauth2/token',
    revokePath: '/oauth2/revoke',
    expiresIn: options.expiresIn ?? 28_800,
    refreshRotation: 'rotate',
    autoApprove: options.autoApprove ?? false,
    userId: options.userId ?? 'FAKE01',
    defaultScope: options.defaultScope ?? DEFAULT_SCOPE,
    tokenExtras: ({ userId }) => ({ user_id: userId }),
    now,
    ...options.oauth,
  });

  const store = new Map<string, FitbitActivity[]>();
  const profiles = new Map<string, FakeFitbitProfile>();
  const requests: FakeFitbitRequest[] = [];
  let perHour = options.rateLimitPerHour ?? 150;
  const used = new Map<string, { hour: number; count: number }>();
  const forced: Array<number | undefined> = [];

  const secondsToHour = () => Math.max(1, Math.ceil((HOUR_MS - (now() % HOUR_MS)) / 1000));

  /** Counts the request against the user's hourly budget; the headers Fitbit sends, and whether it is over. */
  function rateLimit(userId: string): { headers: Record<string, string>; limited: boolean } {
    const hour = Math.floor(now() / HOUR_MS);
    const entry = used.get(userId);
    const state = entry && entry.hour === hour ? entry : { hour, count: 0 };
    state.count++;
    used.set(userId, state);
    const remaining = Math.max(0, perHour - state.count);
    const forcedReset = forced.length > 0 ? forced.shift() : null;
    const limited = forcedReset !== null || state.count > perHour;
    const reset = forcedReset ?? secondsToHour();
    return {
      headers: {
        'fitbit-rate-limit-limit': String(perHour),
        'fitbit-rate-limit-remaining': String(forcedReset !== null ? 0 : remaining),
        'fitbit-rate-limit-reset': String(reset),
      },
      limited,
    };
  }

  function listActivities(grant: AccessGrant, url: URL): { status: number; body: unknown } {
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

    const all = (store.get(grant.userId) ?? []).filter((activity) => {
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

  let baseUrl = '';
  const running = await startHttpServer(async (req, res, url) => {
    if (await oauth.handle(req, res, url)) return;
    const query = Object.fromEntries(url.searchParams);
    const record: FakeFitbitRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      userId: null,
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, body, headers);
    };

    const route = /^\/1\/user\/([^/]+)\/(activities\/list|profile)\.json$/.exec(url.pathname);
    if (!route || req.method !== 'GET')
      return answer(
        404,
        fitbitErrors('not_found', `The API you are requesting could not be found: ${url.pathname}`),
      );

    const token = bearerToken(req);
    const grant = token ? oauth.accessGrant(token) : null;
    if (!token || !grant) {
      const expired = token !== null && oauth.accessTokenStatus(token) === 'expired';
      return answer(
        401,
        expired
          ? fitbitErrors('expired_token', `Access token expired: ${token}`)
          : fitbitErrors('invalid_token', `Access token invalid: ${token ?? '(none)'}`),
        { 'www-authenticate': 'Bearer realm="api.fitbit.com"' },
      );
    }
    record.userId = grant.userId;
    if (route[1] !== '-' && route[1] !== grant.userId)
      return answer(403, fitbitErrors('insufficient_permissions', 'Access to another user is not allowed'));

    const limit = rateLimit(grant.userId);
    if (limit.limited) return answer(429, fitbitErrors('system', 'Too Many Requests'), limit.headers);

    const scopes = grant.scope.split(/[\s,]+/);
    if (route[2] === 'profile') {
      if (!scopes.includes('profile'))
        return answer(
          403,
          fitbitErrors(
            'insufficient_scope',
            'This application does not have permission to access profile data',
          ),
          limit.headers,
        );
      const profile = profiles.get(grant.userId) ?? {};
      return answer(
        200,
        {
          user: {
            encodedId: grant.userId,
            displayName: profile.displayName ?? `Fitbit user ${grant.userId}`,
            fullName: profile.fullName ?? `Fitbit User ${grant.userId}`,
            timezone: profile.timezone ?? 'UTC',
            offsetFromUTCMillis: profile.offsetFromUTCMillis ?? 0,
            memberSince: '2019-03-01',
          },
        },
        limit.headers,
      );
    }
    if (!scopes.includes('activity'))
      return answer(
        403,
        fitbitErrors(
          'insufficient_scope',
          'This application does not have permission to access activity data',
        ),
        limit.headers,
      );
    const result = listActivities(grant, url);
    answer(result.status, result.body, limit.headers);
  });
  baseUrl = running.url;

  return {
    url: running.url,
    authorizeUrl: `${running.url}${oauth.authorizePath}`,
    tokenUrl: `${running.url}${oauth.tokenPath}`,
    revokeUrl: `${running.url}${oauth.revokePath}`,
    apiBaseUrl: running.url,
    clientId,
    clientSecret,
    oauth,
    requests,
    setActivities: (userId, activities) => store.set(userId, [...activities]),
    addActivities: (userId, activities) => store.set(userId, [...(store.get(userId) ?? []), ...activities]),
    activities: (userId) => [...(store.get(userId) ?? [])],
    setProfile: (userId, profile) => profiles.set(userId, profile),
    rateLimitNext: (n, resetSeconds) => {
      for (let i = 0; i < n; i++) forced.push(resetSeconds);
    },
    setRateLimit: (value) => {
      perHour = value;
    },
    resetRateLimits: () => used.clear(),
    issueTokens: (userId, scope = options.defaultScope ?? DEFAULT_SCOPE) => oauth.issueTokens(userId, scope),
    stop: running.stop,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Realistic activity generator
// ---------------------------------------------------------------------------------------------------------

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
