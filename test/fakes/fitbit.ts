/**
 * A fake Fitbit Web API for tests and the local sandbox, speaking Fitbit's formats (providers.md 4.7):
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth2/authorize`, `/oauth2/token`, `/oauth2/revoke`: Basic client auth,
 *   PKCE S256 required, access tokens for 8 hours, rotating single-use refresh tokens, `user_id` in the token
 *   response;
 * - `GET /1/user/-/activities/list.json` (also `/1/user/<id>/...`), paged (fitbit-activities.ts);
 * - `GET /1/user/-/activities/heart/date/{date}/1d/1min.json` (scope `heartrate`), `GET
 *   /1/user/-/activities/date/{date}.json` (scope `activity`) and `GET /1.2/user/-/sleep/date/{from}/{to}.json`
 *   (scope `sleep`, at most 100 days) from the days given to `seed` (fitbit-days.ts);
 * - `GET /1/user/-/profile.json` (needs the `profile` scope), with the `timezone` the local times are in;
 * - the per-user rate limit (150 requests per clock hour by default) with `Fitbit-Rate-Limit-Limit`,
 *   `-Remaining` and `-Reset` (seconds to the top of the hour) on every data response, 429 when exhausted or
 *   forced with `rateLimitNext`; 401 `expired_token` / `invalid_token` for a bad access token, 403
 *   `insufficient_scope` without the needed scope; errors in Fitbit's `{errors: [...], success: false}` shape;
 * - `setGone(true)`: every data request answers 410 Gone, as the Web API after its shutdown (2026-11-02).
 */
import {
  activityListAnswer,
  type FitbitActivity,
  fitbitErrors,
  isDate,
} from '#test/fakes/fitbit-activities.js';
import { type FitbitDay, heartAnswer, summaryAnswer } from '#test/fakes/fitbit-days.js';
import {
  bearerToken,
  OAuthFake,
  type OAuthFakeOptions,
  sendJson,
  startHttpServer,
} from '#test/fakes/oauth-fake.js';

export {
  type FitbitActivity,
  fitbitLocalTime,
  type GenerateActivitiesOptions,
  generateActivities,
} from '#test/fakes/fitbit-activities.js';
export { type FitbitDay, type GenerateDaysOptions, generateFitbitDays } from '#test/fakes/fitbit-days.js';

export interface FakeFitbitProfile {
  displayName?: string;
  fullName?: string;
  /** IANA zone of the local times (default `UTC`); match the generators' `offsetMinutes`. */
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
  /** Heart rate, daily summaries and sleep of these local dates (replacing those dates). */
  seed(userId: string, days: FitbitDay[]): void;
  days(userId: string): FitbitDay[];
  setProfile(userId: string, profile: FakeFitbitProfile): void;
  /** The next `n` authenticated data requests (any user) answer 429; Reset = `resetSeconds`, default to the hour. */
  rateLimitNext(n: number, resetSeconds?: number): void;
  /** Changes the per-user hourly budget; `resetRateLimits` forgets what was used. */
  setRateLimit(perHour: number): void;
  resetRateLimits(): void;
  /** The Web API shut down: every data request answers 410 Gone (until `setGone(false)`). */
  setGone(gone: boolean): void;
  /** Tokens for a user without the browser dance (test setup). */
  issueTokens(userId: string, scope?: string): Record<string, unknown>;
  stop(): Promise<void>;
}

const DEFAULT_SCOPE = 'activity heartrate profile sleep';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MAX_SLEEP_RANGE_DAYS = 100;

/** Data routes: `[path pattern, the scope it needs]`; the first group is the user (`-` or the encoded id). */
const ROUTES: Array<[RegExp, string]> = [
  [/^\/1\/user\/([^/]+)\/profile\.json$/, 'profile'],
  [/^\/1\/user\/([^/]+)\/activities\/list\.json$/, 'activity'],
  [/^\/1\/user\/([^/]+)\/activities\/heart\/date\/([^/]+)\/1d\/([^/]+)\.json$/, 'heartrate'],
  [/^\/1\/user\/([^/]+)\/activities\/date\/([^/]+)\.json$/, 'activity'],
  [/^\/1\.2\/user\/([^/]+)\/sleep\/date\/([^/]+)\/([^/]+)\.json$/, 'sleep'],
];

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
  const dayStore = new Map<string, Map<string, FitbitDay>>();
  const profiles = new Map<string, FakeFitbitProfile>();
  const requests: FakeFitbitRequest[] = [];
  let perHour = options.rateLimitPerHour ?? 150;
  let gone = false;
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

  const invalidDate = (value: string, field: string) => ({
    status: 400,
    body: fitbitErrors('validation', `Invalid date: ${value}`, field),
  });

  function profileAnswer(userId: string) {
    const profile = profiles.get(userId) ?? {};
    const user = {
      encodedId: userId,
      displayName: profile.displayName ?? `Fitbit user ${userId}`,
      fullName: profile.fullName ?? `Fitbit User ${userId}`,
      timezone: profile.timezone ?? 'UTC',
      offsetFromUTCMillis: profile.offsetFromUTCMillis ?? 0,
      memberSince: '2019-03-01',
    };
    return { status: 200, body: { user } };
  }

  function sleepAnswer(userId: string, from: string, to: string) {
    if (!isDate(from)) return invalidDate(from, 'startDate');
    if (!isDate(to)) return invalidDate(to, 'endDate');
    const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (!(span >= 0 && span < MAX_SLEEP_RANGE_DAYS))
      return {
        status: 400,
        body: fitbitErrors('validation', 'The date range must be at most 100 days', 'endDate'),
      };
    const logs = [...(dayStore.get(userId)?.values() ?? [])]
      .filter((day) => day.date >= from && day.date <= to)
      .flatMap((day) => day.sleep)
      .sort((a, b) => b.startTime.localeCompare(a.startTime));
    return { status: 200, body: { sleep: logs } };
  }

  /** The answer of an authorised data route: `match` is the route's match, `index` which route. */
  function dataAnswer(userId: string, index: number, match: RegExpExecArray, url: URL) {
    const day = (date: string) => dayStore.get(userId)?.get(date);
    switch (index) {
      case 0:
        return profileAnswer(userId);
      case 1:
        return activityListAnswer(store.get(userId) ?? [], url, baseUrl);
      case 2: {
        const [, , date, detail] = match as unknown as [string, string, string, string];
        if (!isDate(date)) return invalidDate(date, 'date');
        if (detail !== '1min')
          return { status: 400, body: fitbitErrors('validation', `Unsupported detail-level: ${detail}`) };
        return { status: 200, body: heartAnswer(date, day(date)) };
      }
      case 3: {
        const date = match[2]!;
        return isDate(date) ? { status: 200, body: summaryAnswer(day(date)) } : invalidDate(date, 'date');
      }
      default:
        return sleepAnswer(userId, match[2]!, match[3]!);
    }
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

    if (gone)
      return answer(
        410,
        fitbitErrors('gone', 'The Fitbit Web API has been shut down; use the Google Health API'),
      );
    const index = ROUTES.findIndex(([pattern]) => pattern.test(url.pathname));
    const match = index >= 0 ? ROUTES[index]![0].exec(url.pathname) : null;
    if (!match || req.method !== 'GET')
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
    if (match[1] !== '-' && match[1] !== grant.userId)
      return answer(403, fitbitErrors('insufficient_permissions', 'Access to another user is not allowed'));

    const limit = rateLimit(grant.userId);
    if (limit.limited) return answer(429, fitbitErrors('system', 'Too Many Requests'), limit.headers);

    const scope = ROUTES[index]![1];
    if (!grant.scope.split(/[\s,]+/).includes(scope))
      return answer(
        403,
        fitbitErrors(
          'insufficient_scope',
          `This application does not have permission to access ${scope} data`,
        ),
        limit.headers,
      );
    const result = dataAnswer(grant.userId, index, match, url);
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
    seed: (userId, days) => {
      const byDate = dayStore.get(userId) ?? new Map<string, FitbitDay>();
      for (const day of days) byDate.set(day.date, day);
      dayStore.set(userId, byDate);
    },
    days: (userId) =>
      [...(dayStore.get(userId)?.values() ?? [])].sort((a, b) => a.date.localeCompare(b.date)),
    setProfile: (userId, profile) => profiles.set(userId, profile),
    rateLimitNext: (n, resetSeconds) => {
      for (let i = 0; i < n; i++) forced.push(resetSeconds);
    },
    setRateLimit: (value) => {
      perHour = value;
    },
    resetRateLimits: () => used.clear(),
    setGone: (value) => {
      gone = value;
    },
    issueTokens: (userId, scope = options.defaultScope ?? DEFAULT_SCOPE) => oauth.issueTokens(userId, scope),
    stop: running.stop,
  };
}
