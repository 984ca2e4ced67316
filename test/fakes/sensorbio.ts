/**
 * A fake Sensor Bio REST API (providers.md 3.6, 4.10, 5) on one local port, HTTP/1.1 (see the module's note on
 * HTTP/2):
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/authorize` and `/token` (auth.sensorbio.com's paths): BODY client credentials,
 *   no PKCE, no scope, rotating refresh tokens by default, 400 `invalid_grant` for a revoked grant; no revoke route
 *   (SensorBio has none);
 * - `GET /v1/user` -> `{"data": {"id", "name", "email"}}`;
 * - `GET /v1/activities` and `GET /v1/biometrics` with `last-timestamp` (required, epoch ms, exclusive) and `limit`
 *   (default 50, at most 100): the records after the cursor, oldest first, as `{"data": [...], "links": {"next":
 *   <url|null>}}` (`next` absolute for activities, a path for biometrics, as SensorBio's examples show);
 * - `GET /v1/sleep?date=`, `GET /v1/scores?date=` (`{"data": ...}`) and `GET /v1/step/details?date=&granularity=day`
 *   (no envelope): 400 for a missing or malformed date;
 * - 401 for a missing, unknown, revoked or expired Bearer token; 429 with `Retry-After` while `rateLimitNext` has
 *   requests left to refuse; `failNext(path, status)` for one error answer.
 *
 * Every request is recorded (`requests`, `counts()` per path). The data come from `seed`/`setData`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type OAuthFakeOptions, sendJson } from '#test/fakes/oauth-fake.js';
import {
  countBy,
  type FakeRequest,
  ForcedRateLimit,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';
import {
  emptyDataset,
  type GenerateSensorbioOptions,
  generateSensorbioDays,
  type SensorbioDataset,
  type SensorbioRecord,
} from '#test/fakes/sensorbio-data.js';

export * from '#test/fakes/sensorbio-data.js';

export const DEFAULT_SENSORBIO_USER = 'sb-user-1';

export interface FakeSensorbioOptions extends ProviderFakeOptions, Pick<OAuthFakeOptions, 'refreshRotation'> {
  /** The account that approves the next consent. Default `sb-user-1`. */
  userId?: string;
  /** Display names by account (`/v1/user` `name`); default `Sensor Bio user <id>`. */
  names?: Record<string, string>;
}

export type FakeSensorbioRequest = FakeRequest;

/** `apiBaseUrl` is the root (paths start with `/v1`); `requests` holds the OAuth ones too. */
export interface FakeSensorbio extends ProviderServer<FakeSensorbioRequest> {
  /** Requests per path, e.g. `{"/v1/biometrics": 182, "/token": 1}` (the benchmark's request count). */
  counts(): Record<string, number>;
  /** Generates `options.days` days for `userId` and installs them (replacing its data); returns them. */
  seed(userId: string, options: GenerateSensorbioOptions): SensorbioDataset;
  /** Installs exactly these records for `userId`. */
  setData(userId: string, data: SensorbioDataset): void;
  data(userId: string): SensorbioDataset;
  /** The next `n` data requests answer 429 with `Retry-After: <retryAfterSeconds>`. */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  /** The next request to `path` answers `status` with a JSON error. */
  failNext(path: string, status: number): void;
}

const MAX_LIMIT = 100;
const timestampOf = (record: SensorbioRecord) => Number(record.timestamp);
const byTimestamp = (a: SensorbioRecord, b: SensorbioRecord) => timestampOf(a) - timestampOf(b);

export async function startFakeSensorbio(options: FakeSensorbioOptions = {}): Promise<FakeSensorbio> {
  const oauth = providerOAuth(options, {
    clientId: 'sensorbio-client-id',
    clientSecret: 'sensorbio-client-secret',
    authorizePath: '/authorize',
    tokenPath: '/token',
    userId: options.userId ?? DEFAULT_SENSORBIO_USER,
    refreshRotation: options.refreshRotation,
  });
  const datasets = new Map<string, SensorbioDataset>();
  const dataOf = (userId: string) => datasets.get(userId) ?? emptyDataset();
  const rateLimit = new ForcedRateLimit();
  const failures = new Map<string, number[]>();

  function api(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!url.pathname.startsWith('/v1/')) return sendJson(res, 404, { message: 'Not Found' });
    const wait = rateLimit.take();
    if (wait !== null)
      return sendJson(res, 429, { message: 'Too Many Requests' }, { 'retry-after': String(wait) });
    const grant = oauth.authenticate(req);
    if (!grant) return sendJson(res, 401, { message: 'Unauthorized' });
    const forced = failures.get(url.pathname)?.shift();
    if (forced !== undefined) return sendJson(res, forced, { message: `forced ${forced}` });
    if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method Not Allowed' });

    const data = dataOf(grant.userId);
    const q = url.searchParams;
    switch (url.pathname) {
      case '/v1/user':
        return sendJson(res, 200, {
          data: {
            id: grant.userId,
            name: options.names?.[grant.userId] ?? `Sensor Bio user ${grant.userId}`,
            email: `${grant.userId}@example.com`,
          },
        });
      case '/v1/activities':
      case '/v1/biometrics': {
        const cursor = Number(q.get('last-timestamp') ?? '');
        const limit = q.has('limit') ? Number(q.get('limit')) : 50;
        if (q.get('last-timestamp') === null || !Number.isInteger(cursor) || cursor < 0)
          return sendJson(res, 400, { message: 'last-timestamp is required (epoch ms)' });
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
          return sendJson(res, 400, { message: `limit must be 1-${MAX_LIMIT}` });
        const collection = url.pathname === '/v1/activities' ? data.activities : data.biometrics;
        const after = collection.filter((r) => timestampOf(r) > cursor);
        const page = after.slice(0, limit);
        const last = page.at(-1);
        let next: string | null = null;
        if (last && after.length > limit) {
          const path = `${url.pathname}?last-timestamp=${timestampOf(last)}&limit=${limit}`;
          next = url.pathname === '/v1/activities' ? `${server.url}${path}` : path;
        }
        return sendJson(res, 200, { data: page, links: { next } });
      }
      case '/v1/sleep':
      case '/v1/scores':
      case '/v1/step/details': {
        const date = q.get('date') ?? '';
        if (!isCalendarDate(date)) return sendJson(res, 400, { message: 'date must be YYYY-MM-DD' });
        if (url.pathname === '/v1/sleep') return sendJson(res, 200, { data: data.sleep[date] ?? [] });
        if (url.pathname === '/v1/scores') return sendJson(res, 200, { data: data.scores[date] ?? null });
        if (q.get('granularity') !== 'day')
          return sendJson(res, 400, { message: 'this fake serves granularity=day only' });
        return sendJson(res, 200, data.steps[date] ?? { date, granularity: 'day', metrics: [] });
      }
      default:
        return sendJson(res, 404, { message: 'Not Found' });
    }
  }

  const server = await startProviderServer(oauth, {
    recordOAuth: true,
    handle: api,
  });

  const setData = (userId: string, data: SensorbioDataset) => {
    datasets.set(userId, {
      ...data,
      activities: [...data.activities].sort(byTimestamp),
      biometrics: [...data.biometrics].sort(byTimestamp),
    });
  };

  return {
    ...server,
    counts: () => countBy(server.requests, (r) => r.path),
    seed(userId, generate) {
      const data = generateSensorbioDays({ userId, ...generate });
      setData(userId, data);
      return data;
    },
    setData,
    data: dataOf,
    rateLimitNext: (n, retryAfterSeconds) => rateLimit.next(n, retryAfterSeconds),
    failNext(path, status) {
      failures.set(path, [...(failures.get(path) ?? []), status]);
    },
  };
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}
