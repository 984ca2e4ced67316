/**
 * The data API of the fake Suunto (providers.md 4.3): Azure API management in front (the subscription key, rate
 * limits), then the Bearer token, then the routes. See suunto.ts for the list of routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type OAuthFake, sendJson } from '#test/fakes/oauth-fake.js';
import { type FakeRequest, ForcedRateLimit } from '#test/fakes/provider-fake.js';
import {
  isoAt,
  localMidnight,
  type Suunto247Item,
  type SuuntoRecordedWorkout,
} from '#test/fakes/suunto-data.js';

export type Suunto247Kind = 'sleep' | 'activity' | 'recovery';

export interface SuuntoUserData {
  /** The user's zone, minutes east of UTC (daily statistics are per local day). */
  offset: number;
  workouts: Map<string, SuuntoRecordedWorkout>;
  sleep: Suunto247Item[];
  activity: Suunto247Item[];
  recovery: Suunto247Item[];
}

export interface FakeSuuntoRequest extends FakeRequest {
  /** `workouts`, `workout`, `workout-samples`, `247samples/<kind>`, `daily-activity-statistics`, `unknown`. */
  route: string;
  username: string | null;
}

export interface SuuntoApiSettings {
  subscriptionKey: string;
  oauth: OAuthFake;
  now: () => number;
  userData: (username: string) => SuuntoUserData;
  /** Requests per clock minute per subscription key before 429s; undefined: unlimited. */
  rateLimitPerMinute?: number | undefined;
}

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 28 * DAY_MS;
const PAGE_MAX = 100;

const envelope = (payload: unknown, metadata: Record<string, string> = {}) => ({
  error: null,
  payload,
  metadata,
});
const failure = (status: number, description: string) => ({
  error: { code: String(status), description },
  payload: null,
  metadata: {},
});
const apim = (status: number, message: string) => ({ statusCode: status, message });

/** A non-negative integer query value, `fallback` when absent, NaN when malformed. */
function integer(url: URL, name: string, fallback: number | null): number | null {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** `YYYY-MM-DDTHH:MM:SS[.fff]` read as UTC (Suunto keeps its statistics in UTC); NaN otherwise. */
const utcParam = (text: string | null) =>
  text && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/.test(text)
    ? Date.parse(`${text}Z`)
    : Number.NaN;

export function routeOf(path: string): string {
  if (/^\/v3\/workouts\/?$/.test(path)) return 'workouts';
  if (/^\/v3\/workouts\/[^/]+$/.test(path)) return 'workout';
  if (/^\/v2\/workout\/samples\/[^/]+$/.test(path)) return 'workout-samples';
  const kind = /^\/247samples\/(sleep|activity|recovery)$/.exec(path);
  if (kind) return `247samples/${kind[1]}`;
  return path === '/247/daily-activity-statistics' ? 'daily-activity-statistics' : 'unknown';
}

/**
 * `/247/daily-activity-statistics` for `[start, end]` from the user's activity items: per local day whose midnight
 * is in the range, the day's steps and energy (joules) summed, stamped at that midnight with the offset; a day
 * without items is `null`, as Suunto answers.
 */
export function dailyStatistics(
  activity: Suunto247Item[],
  offsetMinutes: number,
  start: number,
  end: number,
) {
  const totals = new Map<number, { steps: number; energy: number }>();
  for (const item of activity) {
    const midnight = localMidnight(Date.parse(item.timestamp), offsetMinutes);
    const total = totals.get(midnight) ?? { steps: 0, energy: 0 };
    total.steps += Number(item.entryData.StepCount ?? 0);
    total.energy += Number(item.entryData.EnergyConsumption ?? 0);
    totals.set(midnight, total);
  }
  const days: number[] = [];
  for (let day = localMidnight(start, offsetMinutes); day <= end; day += DAY_MS)
    if (day >= start) days.push(day);
  const series = (name: string, field: 'steps' | 'energy') => ({
    Name: name,
    Aggregation: 'sum',
    Sources: [
      {
        Name: 'suunto-247-3e0f7c17-2775-477a-a12f-a50ff0170860',
        Samples: days.map((day) => ({
          TimeISO8601: isoAt(day, offsetMinutes),
          Value: totals.get(day)?.[field] ?? null,
        })),
      },
    ],
  });
  return [series('energyconsumption', 'energy'), series('stepcount', 'steps')];
}

export class SuuntoApi {
  readonly forced = new ForcedRateLimit();
  private window = { minute: -1, count: 0 };

  constructor(private readonly settings: SuuntoApiSettings) {}

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    record: FakeSuuntoRequest,
  ): Promise<void> {
    if (!this.admitted(req, res)) return;
    const grant = this.settings.oauth.authenticate(req);
    if (!grant)
      return sendJson(res, 401, { error: 'invalid_token', error_description: 'Invalid access token' });
    record.username = grant.userId;
    if (req.method !== 'GET') return sendJson(res, 405, failure(405, 'Method not allowed'));
    this.route(res, url, record.route, this.settings.userData(grant.userId));
  }

  /** API management: the subscription key, then the key's rate limit (and forced 429s). */
  private admitted(req: IncomingMessage, res: ServerResponse): boolean {
    const key = req.headers['ocp-apim-subscription-key'];
    if (key !== this.settings.subscriptionKey) {
      const why =
        key === undefined
          ? 'missing subscription key. Make sure to include subscription key when making requests to an API.'
          : 'invalid subscription key. Make sure to provide a valid key for an active subscription.';
      sendJson(res, 401, apim(401, `Access denied due to ${why}`));
      return false;
    }
    const now = this.settings.now();
    const minute = Math.floor(now / 60_000);
    if (this.window.minute !== minute) this.window = { minute, count: 0 };
    this.window.count++;
    const limit = this.settings.rateLimitPerMinute;
    const forced = this.forced.take();
    if (forced === null && (limit === undefined || this.window.count <= limit)) return true;
    const retryAfter = forced ?? 60 - Math.floor((now / 1000) % 60);
    sendJson(res, 429, apim(429, `Rate limit is exceeded. Try again in ${retryAfter} seconds.`), {
      'retry-after': String(retryAfter),
    });
    return false;
  }

  private route(res: ServerResponse, url: URL, route: string, data: SuuntoUserData) {
    const now = String(this.settings.now());
    if (route === 'workouts') return this.listWorkouts(res, data, url);
    if (route === 'workout' || route === 'workout-samples') {
      const id = decodeURIComponent(url.pathname.split('/').at(-1)!);
      const found =
        data.workouts.get(id) ?? [...data.workouts.values()].find((w) => String(w.workout.workoutId) === id);
      if (!found) return sendJson(res, 404, failure(404, 'Workout not found'));
      return sendJson(res, 200, envelope(route === 'workout' ? found.workout : found.samples, { ts: now }));
    }
    if (route.startsWith('247samples/'))
      return this.samples247(res, data[route.slice('247samples/'.length) as Suunto247Kind], url);
    if (route === 'daily-activity-statistics') {
      const start = utcParam(url.searchParams.get('startdate'));
      const end = utcParam(url.searchParams.get('enddate'));
      if (Number.isNaN(start) || Number.isNaN(end) || end < start)
        return sendJson(
          res,
          400,
          failure(400, 'startdate and enddate (ISO-8601, start <= end) are required'),
        );
      if (end - start > MAX_RANGE_MS) return sendJson(res, 400, failure(400, 'Maximum interval is 28 days'));
      return sendJson(res, 200, dailyStatistics(data.activity, data.offset, start, end));
    }
    sendJson(res, 404, apim(404, 'Resource not found'));
  }

  /** By start time, or by modification time with `filter-by-modification-time=true`; ascending; 100 a page. */
  private listWorkouts(res: ServerResponse, data: SuuntoUserData, url: URL) {
    const since = integer(url, 'since', 0);
    const until = integer(url, 'until', null);
    const limit = integer(url, 'limit', PAGE_MAX);
    const offset = integer(url, 'offset', 0);
    if ([since, until, limit, offset].some((v) => Number.isNaN(v)))
      return sendJson(res, 400, failure(400, 'since, until, limit and offset must be non-negative integers'));
    const byModification = url.searchParams.get('filter-by-modification-time') === 'true';
    const time = (w: SuuntoRecordedWorkout) => (byModification ? w.modified : w.workout.startTime);
    const matching = [...data.workouts.values()]
      .filter((w) => time(w) >= since! && (until === null || time(w) <= until))
      .sort((a, b) => time(a) - time(b) || a.workout.workoutKey.localeCompare(b.workout.workoutKey));
    const size = Math.min(PAGE_MAX, Math.max(1, limit!));
    const page = matching.slice(offset!, offset! + size).map((w) => w.workout);
    sendJson(
      res,
      200,
      envelope(page, { workoutcount: String(page.length), ts: String(this.settings.now()) }),
    );
  }

  /** Items of `[from, to)` (epoch ms), at most 28 days: a bare list. */
  private samples247(res: ServerResponse, items: Suunto247Item[], url: URL) {
    const from = integer(url, 'from', null);
    const to = integer(url, 'to', null);
    if (from === null || to === null || Number.isNaN(from) || Number.isNaN(to) || to <= from)
      return sendJson(res, 400, failure(400, 'from and to (epoch ms, from < to) are required'));
    if (to - from > MAX_RANGE_MS) return sendJson(res, 400, failure(400, 'Maximum interval is 28 days'));
    sendJson(
      res,
      200,
      items.filter((item) => {
        const at = Date.parse(item.timestamp);
        return at >= from && at < to;
      }),
    );
  }
}
