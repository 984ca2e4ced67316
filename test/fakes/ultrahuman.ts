/**
 * A fake Ultrahuman Partner API (providers.md 3.6, 4.8, 5) on one local port: the OAuth routes of the auth and
 * partner hosts (`/authorise`, `/api/partners/oauth/token`, `/api/partners/oauth/revoke`; BODY client auth,
 * no PKCE, rotating refresh tokens, all from oauth-fake.ts) and the data API under `/api/partners/v1`:
 *
 * - `GET /user_data/user_info` -> `{user_id, username, email}` (top level; or in `data` with
 *   `userInfoEnvelope: 'data'`);
 * - `GET /user_data/metrics?date=YYYY-MM-DD` -> `{"data": {"metric_data": [...]}}` for the token's account,
 *   generated per day (see `generateUltrahumanDay`) unless `setDays` installed another generator.
 *
 * Data routes answer 401 for a missing, unknown, revoked or expired Bearer token, 400 for a missing or
 * malformed `date`, and 429 with `Retry-After` while `rateLimitNext` has requests left to refuse.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type OAuthFakeOptions, sendJson } from '#test/fakes/oauth-fake.js';
import {
  type FakeRequest,
  ForcedRateLimit,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';

export interface FakeUltrahumanUser {
  userId: string;
  username?: string | null;
  email?: string | null;
}

/** The `metric_data` list of one day for one account; null (or an empty list) is a day without data. */
export type UltrahumanDayGenerator = (date: string, userId: string) => unknown[] | null;

export interface FakeUltrahumanOptions
  extends ProviderFakeOptions,
    Pick<OAuthFakeOptions, 'refreshRotation' | 'tokenExtras'> {
  /** Known accounts (user_info answers); an account not listed gets `username` = its id. */
  users?: FakeUltrahumanUser[];
  /** The account that approves the next consent. Default the first of `users`, else `uh-user-1`. */
  userId?: string;
  /** Where `user_info` puts the user fields. Default `top-level`. */
  userInfoEnvelope?: 'top-level' | 'data';
  /** The generator of every account without its own `setDays`. Default `generateUltrahumanDay`. */
  days?: UltrahumanDayGenerator;
}

export interface FakeUltrahumanRequest extends FakeRequest {
  authorization: string | null;
}

/**
 * `authorizeUrl` is `<url>/authorise` (British spelling, as the real one), `apiBaseUrl` `<url>/api/partners/v1`
 * (paths as providers.md names them are appended); `requests` holds the OAuth ones too.
 */
export interface FakeUltrahuman extends ProviderServer<FakeUltrahumanRequest> {
  /** `<url>/api/partners/oauth/revoke`. */
  revokeUrl: string;
  /** The account's days come from `generator` from now on. */
  setDays(userId: string, generator: UltrahumanDayGenerator): void;
  /** The next `n` data-API requests answer 429 with `Retry-After: <retryAfterSeconds>`. */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
}

const API_PREFIX = '/api/partners/v1';
const DEFAULT_USER = 'uh-user-1';

export async function startFakeUltrahuman(options: FakeUltrahumanOptions = {}): Promise<FakeUltrahuman> {
  const users = new Map((options.users ?? []).map((user) => [user.userId, user]));
  const oauth = providerOAuth(options, {
    clientId: 'ultrahuman-client-id',
    clientSecret: 'ultrahuman-client-secret',
    authorizePath: '/authorise',
    tokenPath: '/api/partners/oauth/token',
    revokePath: '/api/partners/oauth/revoke',
    defaultScope: 'ring_data cgm_data profile',
    userId: options.userId ?? options.users?.[0]?.userId ?? DEFAULT_USER,
    refreshRotation: options.refreshRotation,
    tokenExtras: options.tokenExtras,
  });
  const generators = new Map<string, UltrahumanDayGenerator>();
  const defaultDays = options.days ?? generateUltrahumanDay;
  const rateLimit = new ForcedRateLimit();

  function api(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) return sendJson(res, 404, { error: 'not_found' });

    const wait = rateLimit.take();
    if (wait !== null)
      return sendJson(
        res,
        429,
        { error: 'rate_limited', message: 'Too many requests' },
        { 'retry-after': String(wait) },
      );
    const grant = oauth.authenticate(req);
    if (!grant) return sendJson(res, 401, { error: 'unauthorized', message: 'Invalid or expired token' });
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' });

    const route = url.pathname.slice(API_PREFIX.length);
    if (route === '/user_data/user_info') {
      const user = users.get(grant.userId);
      const info = {
        user_id: grant.userId,
        username: user?.username === undefined ? grant.userId : user.username,
        email: user?.email ?? null,
      };
      return sendJson(res, 200, options.userInfoEnvelope === 'data' ? { data: info } : info);
    }
    if (route === '/user_data/metrics') {
      const date = url.searchParams.get('date') ?? '';
      if (!isCalendarDate(date))
        return sendJson(res, 400, { error: 'invalid_date', message: 'date must be YYYY-MM-DD' });
      const generator = generators.get(grant.userId) ?? defaultDays;
      return sendJson(res, 200, { data: { metric_data: generator(date, grant.userId) ?? [] } });
    }
    sendJson(res, 404, { error: 'not_found' });
  }

  const server = await startProviderServer<FakeUltrahumanRequest>(oauth, {
    apiPath: API_PREFIX,
    recordOAuth: true,
    record: (req) => ({ authorization: req.headers.authorization ?? null }),
    handle: api,
  });

  return {
    ...server,
    revokeUrl: `${server.url}${oauth.revokePath}`,
    setDays(userId, generator) {
      generators.set(userId, generator);
    },
    rateLimitNext: (n, retryAfterSeconds) => rateLimit.next(n, retryAfterSeconds),
  };
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

// ---------------------------------------------------------------------------------------------------------
// Realistic, deterministic day generator
// ---------------------------------------------------------------------------------------------------------

/** mulberry32 over a string hash: the same (account, date) always yields the same day. */
function random(seed: string): () => number {
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIVE_MINUTES = 300;
const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * One day of Ring Air data as the Partner API shapes it (providers.md 4.8), times in epoch seconds:
 * the night ending that morning (`Sleep`, bedtime ~23:00-00:00 UTC the evening before, ~7-8 h, four stage
 * totals that add up to the time in bed), then every 5 minutes of the day heart rate, skin temperature and
 * step counts (zero at night), HRV every 5 minutes while asleep, and the day values `vo2_max`,
 * `active_minutes`, `recovery_index` at `day_start_timestamp`. Also types the integration ignores:
 * `night_rhr`, `sleep_rhr`, `avg_sleep_hrv`, `movement_index`, `metabolic_score`.
 */
export function generateUltrahumanDay(date: string, userId = DEFAULT_USER): unknown[] {
  const rand = random(`${userId}|${date}`);
  const between = (low: number, high: number) => low + rand() * (high - low);
  const dayStart = Date.parse(`${date}T00:00:00Z`) / 1000;

  const bedtimeStart = dayStart - 3600 + Math.round(between(0, 60)) * 60;
  const inBed = Math.round(between(420, 500)) * 60;
  const bedtimeEnd = bedtimeStart + inBed;
  const awake = Math.round(between(15, 40)) * 60;
  const deep = Math.round(between(60, 100)) * 60;
  const rem = Math.round(between(80, 120)) * 60;
  const light = inBed - awake - deep - rem;
  const asleep = deep + rem + light;
  const efficiency = Math.round((asleep / inBed) * 100);
  const percent = (seconds: number) => Math.round((seconds / inBed) * 100);
  const asleepAt = (t: number) => t >= bedtimeStart && t < bedtimeEnd;

  const hr: Array<{ value: number; timestamp: number }> = [];
  const hrv: Array<{ value: number; timestamp: number }> = [];
  const temp: Array<{ value: number; timestamp: number }> = [];
  const steps: Array<{ value: number; timestamp: number }> = [];
  const restingHr = Math.round(between(48, 58));
  for (let t = dayStart; t < dayStart + 86_400; t += FIVE_MINUTES) {
    const hour = (t - dayStart) / 3600;
    const sleeping = asleepAt(t);
    const active = !sleeping && hour >= 7 && hour < 22;
    const burst = active && rand() < 0.06;
    hr.push({
      value: Math.round(restingHr + (sleeping ? between(0, 6) : between(8, 25) + (burst ? 40 : 0))),
      timestamp: t,
    });
    temp.push({ value: round1(sleeping ? between(35.2, 36.4) : between(32.5, 34.8)), timestamp: t });
    steps.push({ value: active ? Math.round(burst ? between(400, 700) : between(0, 70)) : 0, timestamp: t });
    if (sleeping) hrv.push({ value: Math.round(between(35, 75)), timestamp: t });
  }
  const totalSteps = steps.reduce((sum, s) => sum + s.value, 0);
  const avg = (list: Array<{ value: number }>) =>
    list.length === 0 ? 0 : Math.round(list.reduce((sum, s) => sum + s.value, 0) / list.length);
  const last = (list: Array<{ value: number; timestamp: number }>) => list.at(-1) ?? null;
  const nightHr = hr.filter((s) => asleepAt(s.timestamp));

  return [
    {
      type: 'hr',
      object: {
        day_start_timestamp: dayStart,
        title: 'Heart Rate',
        unit: 'bpm',
        values: hr,
        last_reading: last(hr),
      },
    },
    {
      type: 'hrv',
      object: {
        day_start_timestamp: dayStart,
        title: 'HRV',
        subtitle: 'Average',
        avg: avg(hrv),
        values: hrv,
      },
    },
    {
      type: 'temp',
      object: { day_start_timestamp: dayStart, title: 'Skin Temperature', unit: '°C', values: temp },
    },
    {
      type: 'steps',
      object: { day_start_timestamp: dayStart, total: totalSteps, avg: avg(steps), values: steps },
    },
    {
      type: 'Sleep',
      object: {
        bedtime_start: bedtimeStart,
        bedtime_end: bedtimeEnd,
        quick_metrics: [
          { title: 'TIME IN BED', display_text: duration(inBed), value: inBed, type: 'time_in_bed' },
          { title: 'TOTAL SLEEP', display_text: duration(asleep), value: asleep, type: 'total_sleep' },
          { title: 'EFFICIENCY', display_text: `${efficiency}%`, value: efficiency, type: 'sleep_efic' },
        ],
        sleep_stages: [
          { title: 'Deep Sleep', type: 'deep_sleep', percentage: percent(deep), stage_time: deep },
          { title: 'Light Sleep', type: 'light_sleep', percentage: percent(light), stage_time: light },
          { title: 'REM Sleep', type: 'rem_sleep', percentage: percent(rem), stage_time: rem },
          { title: 'Awake', type: 'awake', percentage: percent(awake), stage_time: awake },
        ],
        spo2: { title: 'Average Oxygen Saturation', value: Math.round(between(95, 99)), is_beta: true },
      },
    },
    {
      type: 'vo2_max',
      object: { value: round1(between(38, 46)), title: 'VO2 Max', day_start_timestamp: dayStart },
    },
    {
      type: 'active_minutes',
      object: { title: 'Active Minutes', day_start_timestamp: dayStart, value: Math.round(between(15, 90)) },
    },
    {
      type: 'recovery_index',
      object: { value: Math.round(between(45, 95)), title: 'Recovery Index', day_start_timestamp: dayStart },
    },
    {
      type: 'night_rhr',
      object: {
        day_start_timestamp: dayStart,
        avg: restingHr,
        values: nightHr.filter((_, i) => i % 6 === 0),
      },
    },
    {
      type: 'sleep_rhr',
      object: { day_start_timestamp: dayStart, title: 'Sleep RHR', value: restingHr },
    },
    {
      type: 'avg_sleep_hrv',
      object: { day_start_timestamp: dayStart, title: 'Average Sleep HRV', value: avg(hrv) },
    },
    {
      type: 'movement_index',
      object: { day_start_timestamp: dayStart, title: 'Movement Index', value: Math.round(between(40, 90)) },
    },
    {
      type: 'metabolic_score',
      object: { day_start_timestamp: dayStart, title: 'Metabolic Score', value: Math.round(between(50, 90)) },
    },
  ];
}

function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
