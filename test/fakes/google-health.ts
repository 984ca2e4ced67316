/**
 * A fake Google Health API (providers.md 4.9 and 5) on one local port:
 *
 * - Google OAuth 2.0 (oauth-fake.ts) at `/o/oauth2/v2/auth` (the query of every authorize request is recorded, so
 *   `access_type=offline`, `prompt=consent`, `include_granted_scopes=true` can be checked) and `/token`: client
 *   credentials in the body, no PKCE, 1-hour access tokens, refresh tokens that are not rotated (a refresh answers
 *   no `refresh_token`, the old one stays valid), 400 `invalid_grant` for a revoked one;
 * - `GET /v4/users/me/identity` -> `{name, healthUserId}`;
 * - per data type (google-health-api.ts): `GET .../dataTypes/{type}/dataPoints` (list: `name`, `dataSource`),
 *   `GET ...:reconcile` (no `name`, no `dataSource`), both with an AIP-160 `filter`, `pageSize` and `pageToken`;
 *   `POST ...:rollUp` with a JSON body (`range`, `windowSize`, `pageSize`, `pageToken`) and each type's range cap;
 * - 401 `UNAUTHENTICATED` for a missing, unknown, revoked or expired token; 429 `RESOURCE_EXHAUSTED` with
 *   `Retry-After` while `rateLimitNext` has requests left; errors of one data type on demand (`failNext`);
 * - webhooks (google-health-webhooks.ts): a subscriber created after the verification handshake, and JSON-array
 *   notifications, sent by the data mutators (`addPoints`, `deletePoints`) or by `notifier.send`.
 *
 * Every API request is recorded (`requests`, `countRequests`), with the data type, operation and points returned.
 */
import type { IncomingMessage } from 'node:http';
import {
  ApiError,
  filterPredicate,
  page,
  pageSizeOf,
  rollUp,
  spanOf,
  TYPES,
  timeOf,
} from '#test/fakes/google-health-api.js';
import {
  type GenerateGoogleHealthOptions,
  type GoogleHealthDataset,
  type GooglePoint,
  generateGoogleHealthData,
} from '#test/fakes/google-health-data.js';
import { type GoogleDelivery, GoogleHealthNotifier } from '#test/fakes/google-health-webhooks.js';
import {
  OAuthFake,
  type OAuthFakeOptions,
  readBody,
  sendJson,
  startHttpServer,
} from '#test/fakes/oauth-fake.js';

export * from '#test/fakes/google-health-data.js';
export type {
  GoogleNotificationInput,
  GoogleSubscriber,
  GoogleVerification,
} from '#test/fakes/google-health-webhooks.js';

export const DEFAULT_GOOGLE_HEALTH_USER = 'ghu7f3a9c2e51';
export const GOOGLE_HEALTH_SCOPE =
  'openid email https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly https://www.googleapis.com/auth/googlehealth.sleep.readonly';

export interface FakeGoogleHealthOptions
  extends Pick<OAuthFakeOptions, 'expiresIn' | 'autoApprove' | 'now' | 'refreshRotation'> {
  clientId?: string;
  clientSecret?: string;
  redirectUris?: string[];
  /** The account (healthUserId) that approves the consent page. Default DEFAULT_GOOGLE_HEALTH_USER. */
  userId?: string;
}

export interface FakeGoogleHealthRequest {
  method: string;
  path: string;
  dataType: string | null;
  operation: 'identity' | 'list' | 'reconcile' | 'rollUp' | null;
  query: Record<string, string>;
  body: unknown;
  userId: string | null;
  status: number;
  /** Points (or rollUp windows) in the answer. */
  returned: number;
}

type Notify = { notify?: boolean };

export interface FakeGoogleHealth {
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** What `GOOGLE_HEALTH_API_BASE_URL` should be: the server itself (paths start with `/v4`). */
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  oauth: OAuthFake;
  /** Every API request (not OAuth), oldest first. */
  requests: FakeGoogleHealthRequest[];
  /** The query of every authorize request, oldest first. */
  authorizeRequests: Array<Record<string, string>>;
  notifier: GoogleHealthNotifier;
  /** Replaces the user's data with `days` generated days (or the given dataset). */
  seed(
    userId: string,
    days: number | GoogleHealthDataset,
    options?: Omit<GenerateGoogleHealthOptions, 'days'>,
  ): void;
  points(userId: string, dataType: string): GooglePoint[];
  /** Stores points and, with a subscriber, sends one UPSERT over their span. */
  addPoints(
    userId: string,
    dataType: string,
    points: GooglePoint[],
    options?: Notify,
  ): Promise<GoogleDelivery | null>;
  /** Removes points by name and, with a subscriber, sends one DELETE over their span. */
  deletePoints(
    userId: string,
    dataType: string,
    names: string[],
    options?: Notify,
  ): Promise<GoogleDelivery | null>;
  /** The verification handshake against `endpointUri`, then the subscriber (`Authorization: Bearer <secret>`). */
  createSubscriber(endpointUri: string, secret: string): ReturnType<GoogleHealthNotifier['createSubscriber']>;
  /** Requests matching all the given fields. */
  countRequests(
    match?: Partial<Pick<FakeGoogleHealthRequest, 'dataType' | 'operation' | 'status' | 'method'>>,
  ): number;
  /** The next `n` API requests answer 429 with `Retry-After: <retryAfterSeconds>` (default 1). */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  /** The next `times` requests for `dataType` answer `status` (403 PERMISSION_DENIED, 500 INTERNAL, ...). */
  failNext(dataType: string, status: number, times?: number): void;
  issueTokens(userId?: string): Record<string, unknown>;
  stop(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};
const errorOf = (status: number, message: string) =>
  new ApiError(status, STATUS_TEXT[status] ?? 'UNKNOWN', message);

const DATA_ROUTE = /^\/v4\/users\/me\/dataTypes\/([a-z0-9-]+)\/dataPoints(:reconcile|:rollUp)?$/;

export async function startFakeGoogleHealth(
  options: FakeGoogleHealthOptions = {},
): Promise<FakeGoogleHealth> {
  const clientId = options.clientId ?? 'fake-google-client.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'fake-google-secret';
  const oauth = new OAuthFake({
    clients: [
      { clientId, clientSecret, ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}) },
    ],
    clientAuth: 'body',
    pkce: 'off',
    authorizePath: '/o/oauth2/v2/auth',
    tokenPath: '/token',
    revokePath: '/revoke',
    expiresIn: options.expiresIn ?? 3599,
    refreshRotation: options.refreshRotation ?? 'omit',
    autoApprove: options.autoApprove ?? false,
    userId: options.userId ?? DEFAULT_GOOGLE_HEALTH_USER,
    defaultScope: GOOGLE_HEALTH_SCOPE,
    ...(options.now ? { now: options.now } : {}),
  });
  const data = new Map<string, GoogleHealthDataset>();
  const requests: FakeGoogleHealthRequest[] = [];
  const authorizeRequests: Array<Record<string, string>> = [];
  const notifier = new GoogleHealthNotifier();
  const forced = new Map<string, Array<number>>();
  let rateLimited = 0;
  let retryAfter = 1;

  const pointsOf = (userId: string, dataType: string) => {
    if (!data.has(userId)) data.set(userId, new Map());
    const dataset = data.get(userId)!;
    if (!dataset.has(dataType)) dataset.set(dataType, []);
    return dataset.get(dataType)!;
  };

  async function answer(req: IncomingMessage, url: URL, record: FakeGoogleHealthRequest): Promise<unknown> {
    const grant = oauth.authenticate(req);
    if (!grant) throw errorOf(401, 'Request had invalid authentication credentials.');
    record.userId = grant.userId;
    if (rateLimited > 0) {
      rateLimited--;
      throw errorOf(429, 'Quota exceeded for quota metric of service health.googleapis.com.');
    }
    if (url.pathname === '/v4/users/me/identity') {
      record.operation = 'identity';
      return { name: 'users/me/identity', healthUserId: grant.userId };
    }
    const route = DATA_ROUTE.exec(url.pathname);
    if (!route) throw errorOf(404, `Method not found: ${url.pathname}`);
    const dataType = route[1]!;
    const spec = TYPES[dataType];
    if (!spec) throw errorOf(400, `Unsupported data type: ${dataType}`);
    record.dataType = dataType;
    record.operation = route[2] === ':rollUp' ? 'rollUp' : route[2] === ':reconcile' ? 'reconcile' : 'list';
    const failure = forced.get(dataType)?.shift();
    if (failure !== undefined) throw errorOf(failure, `forced failure of ${dataType}`);
    const stored = [...pointsOf(grant.userId, dataType)].sort(
      (a, b) => timeOf(dataType, a) - timeOf(dataType, b),
    );
    if (record.operation === 'rollUp') {
      if (req.method !== 'POST') throw errorOf(404, 'rollUp is a POST');
      const result = rollUp(dataType, stored, record.body);
      record.returned = result.rollupDataPoints.length;
      return result;
    }
    if (req.method !== 'GET') throw errorOf(404, `${req.method} is not supported here`);
    if (spec.rollUpOnly) throw errorOf(400, `${dataType} supports rollUp only`);
    const matching = stored.filter(filterPredicate(dataType, url.searchParams.get('filter') ?? ''));
    const { slice, next } = page(
      matching,
      pageSizeOf(dataType, url.searchParams.get('pageSize')),
      url.searchParams.get('pageToken'),
    );
    record.returned = slice.length;
    const dataPoints =
      record.operation === 'list' ? slice : slice.map((p) => ({ [spec.valueKey]: p[spec.valueKey] }));
    return { dataPoints, ...(next ? { nextPageToken: next } : {}) };
  }

  const running = await startHttpServer(async (req, res, url) => {
    if (url.pathname === oauth.authorizePath) authorizeRequests.push(Object.fromEntries(url.searchParams));
    if (await oauth.handle(req, res, url)) return;
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const record: FakeGoogleHealthRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      dataType: null,
      operation: null,
      query: Object.fromEntries(url.searchParams),
      body: null,
      userId: null,
      status: 0,
      returned: 0,
    };
    requests.push(record);
    try {
      if (raw) record.body = JSON.parse(raw);
      const body = await answer(req, url, record);
      record.status = 200;
      sendJson(res, 200, body);
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : error instanceof SyntaxError
            ? errorOf(400, 'Invalid JSON payload')
            : null;
      if (!apiError) throw error;
      record.status = apiError.status;
      sendJson(
        res,
        apiError.status,
        apiError.body,
        apiError.status === 429 ? { 'retry-after': String(retryAfter) } : {},
      );
    }
  });

  const notify = async (
    userId: string,
    dataType: string,
    operation: 'UPSERT' | 'DELETE',
    changed: GooglePoint[],
    options: Notify,
  ) => {
    if (options.notify === false || !notifier.subscriber || changed.length === 0) return null;
    const spans = changed.map((p) => spanOf(dataType, p));
    return notifier.send([{ healthUserId: userId, dataType, operation, intervals: spans }]);
  };

  return {
    url: running.url,
    authorizeUrl: `${running.url}${oauth.authorizePath}`,
    tokenUrl: `${running.url}${oauth.tokenPath}`,
    apiBaseUrl: running.url,
    clientId,
    clientSecret,
    oauth,
    requests,
    authorizeRequests,
    notifier,
    seed(userId, days, generate = {}) {
      data.set(
        userId,
        typeof days === 'number'
          ? generateGoogleHealthData({ ...generate, days, seed: generate.seed ?? userId })
          : days,
      );
    },
    points: (userId, dataType) => [...pointsOf(userId, dataType)],
    async addPoints(userId, dataType, added, notifyOptions = {}) {
      const list = pointsOf(userId, dataType);
      for (const p of added) {
        const index = list.findIndex((q) => q.name === p.name);
        if (index >= 0) list[index] = p;
        else list.push(p);
      }
      return notify(userId, dataType, 'UPSERT', added, notifyOptions);
    },
    async deletePoints(userId, dataType, names, notifyOptions = {}) {
      const list = pointsOf(userId, dataType);
      const removed = list.filter((p) => names.includes(p.name));
      data.get(userId)!.set(
        dataType,
        list.filter((p) => !names.includes(p.name)),
      );
      return notify(userId, dataType, 'DELETE', removed, notifyOptions);
    },
    createSubscriber: (endpointUri, secret) => notifier.createSubscriber(endpointUri, secret),
    countRequests: (match = {}) =>
      requests.filter((r) =>
        Object.entries(match).every(([key, value]) => r[key as keyof FakeGoogleHealthRequest] === value),
      ).length,
    rateLimitNext(n, seconds = 1) {
      rateLimited = n;
      retryAfter = seconds;
    },
    failNext(dataType, status, times = 1) {
      forced.set(dataType, [...(forced.get(dataType) ?? []), ...Array<number>(times).fill(status)]);
    },
    issueTokens: (userId = options.userId ?? DEFAULT_GOOGLE_HEALTH_USER) =>
      oauth.issueTokens(userId, GOOGLE_HEALTH_SCOPE),
    stop: running.stop,
  };
}
