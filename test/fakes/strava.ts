/**
 * A fake Strava API v3 (providers.md 4.6 and 5) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth/authorize` and `/oauth/token`: BODY client credentials, no PKCE, 6 h access
 *   tokens, rotating refresh tokens; the code exchange answers `expires_at` and the `athlete` (no `scope`, as
 *   Strava); `POST /oauth/deauthorize` (access_token as query, form or Bearer) ends the athlete's authorization;
 * - `GET /api/v3/athlete`; `GET /api/v3/athlete/activities?before&after&page&per_page` (per_page default 30, at
 *   most 200; newest first, oldest first when `after` is given; SummaryActivity, resource_state 2; private ones
 *   only with `activity:read_all`); `GET /api/v3/activities/{id}` (DetailedActivity, resource_state 3, 404
 *   "Record Not Found"); `GET /api/v3/activities/{id}/streams?keys=&key_by_type=`;
 * - app-wide rate limits (default 200 per 15 minutes, 2000 per UTC day) with `X-RateLimit-Limit` and
 *   `X-RateLimit-Usage` on every API answer and 429 past either;
 * - push subscriptions with the app's `client_id`/`client_secret` (query, form or multipart): list, create (after
 *   the `hub.challenge` GET to the callback, answered within `challengeTimeoutMs`), 409 for a second one, delete;
 *   event POSTs to the callback (plain JSON, no signature header: Strava documents none).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, type OAuthFake, readBody, sendJson } from '#test/fakes/oauth-fake.js';
import {
  type FakeRequest,
  ForcedRateLimit,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';
import {
  athleteOf,
  DEFAULT_STRAVA_ATHLETE,
  detailOf,
  type StravaActivity,
  type StravaAthlete,
  stravaActivity,
  stravaError,
  summaryOf,
} from '#test/fakes/strava-data.js';
import { streamsOf } from '#test/fakes/strava-streams.js';
import {
  type StravaChallenge,
  type StravaEventDelivery,
  type StravaEventInput,
  type StravaSubscription,
  StravaWebhooks,
} from '#test/fakes/strava-webhooks.js';

export {
  DEFAULT_STRAVA_ATHLETE,
  type GenerateStravaActivitiesOptions,
  generateStravaActivities,
  type StravaActivity,
  type StravaAthlete,
  stravaActivity,
} from '#test/fakes/strava-data.js';
export type {
  StravaChallenge,
  StravaEvent,
  StravaEventDelivery,
  StravaEventInput,
  StravaSubscription,
} from '#test/fakes/strava-webhooks.js';

/** Strava client ids are numbers: default `12345`. `now` also drives the rate-limit windows and event times. */
export interface FakeStravaOptions extends ProviderFakeOptions {
  /** Known athletes; others get generated profile fields. */
  athletes?: StravaAthlete[];
  /** The athlete that approves the consent page. Default the first of `athletes`, else 134815. */
  athleteId?: number;
  /** Scope granted when the authorize request sends none. Default `read`. */
  defaultScope?: string;
  /** Default 200 per 15 minutes and 2000 per day (Strava's standard tier). */
  rateLimits?: { fifteenMinute?: number; daily?: number };
  /** How long the callback has to answer the subscription challenge. Default 2000 (Strava's). */
  challengeTimeoutMs?: number;
  /** Abort an event POST after this long. Default 30000; `withinDeadline` tells Strava's 2 s apart. */
  eventTimeoutMs?: number;
  /** Extra attempts of an event POST not answered 200. Default 0 (Strava retries up to 3 times). */
  eventRetries?: number;
}

export interface FakeStravaRequest extends FakeRequest {
  time: number;
  athleteId: number | null;
}

type Notify = { notify?: boolean };

/** `apiBaseUrl` is `<url>/api/v3`; `requests` leaves out OAuth and deauthorize requests. */
export interface FakeStrava extends ProviderServer<FakeStravaRequest> {
  deauthorizeUrl: string;
  events: StravaEventDelivery[];
  challenges: StravaChallenge[];
  readonly subscription: StravaSubscription | null;
  setAthlete(athlete: StravaAthlete): void;
  /** Replaces an athlete's activities (no events). */
  setActivities(athleteId: number, activities: StravaActivity[]): void;
  activities(athleteId: number): StravaActivity[];
  activity(id: number): StravaActivity | null;
  /** Stores a new activity (generated fields unless given) and, with a subscription, sends its `create` event. */
  addActivity(
    athleteId: number,
    activity?: Partial<StravaActivity>,
    options?: Notify,
  ): Promise<{ activity: StravaActivity; event: StravaEventDelivery | null }>;
  /** Changes fields; the event's `updates` carry `title`, `type`, `private` when those changed. */
  updateActivity(
    id: number,
    changes: Partial<StravaActivity>,
    options?: Notify,
  ): Promise<{ activity: StravaActivity; event: StravaEventDelivery | null }>;
  deleteActivity(id: number, options?: Notify): Promise<{ event: StravaEventDelivery | null }>;
  /** The athlete revoked the app: tokens die, `athlete` `update` `{authorized: "false"}` is sent. */
  deauthorize(athleteId: number, options?: Notify): Promise<StravaEventDelivery | null>;
  /** POSTs an event to the subscription's callback (subscription_id, event_time, updates filled in). */
  sendEvent(event: StravaEventInput): Promise<StravaEventDelivery>;
  /** What `POST /push_subscriptions` does: the challenge, then 201 `{id}` (or 400/409). */
  createSubscription(callbackUrl: string, verifyToken: string): Promise<{ status: number; body: unknown }>;
  usage(): { fifteenMinute: number; daily: number };
  setRateLimits(limits: { fifteenMinute?: number; daily?: number }): void;
  resetRateLimits(): void;
  /** The next `n` API requests answer 429. */
  rateLimitNext(n: number): void;
  issueTokens(athleteId: number, scope?: string): Record<string, unknown>;
}

const FIFTEEN_MINUTES_MS = 900_000;
const DAY_MS = 86_400_000;
const DEAUTHORIZE_PATH = '/oauth/deauthorize';

const isDeauthorize = (req: IncomingMessage, url: URL) =>
  req.method === 'POST' && url.pathname.replace(/\/+$/, '') === DEAUTHORIZE_PATH;

export async function startFakeStrava(options: FakeStravaOptions = {}): Promise<FakeStrava> {
  const now = options.now ?? Date.now;
  const athletes = new Map((options.athletes ?? []).map((a) => [a.id, a]));
  const athleteFor = (id: number): StravaAthlete => athletes.get(id) ?? { id, username: `athlete${id}` };
  const oauth: OAuthFake = providerOAuth(options, {
    clientId: '12345',
    clientSecret: 'fake-strava-secret',
    expiresIn: 21_600,
    userId: String(options.athleteId ?? options.athletes?.[0]?.id ?? DEFAULT_STRAVA_ATHLETE),
    defaultScope: options.defaultScope ?? 'read',
    tokenExtras: ({ userId, grantType }) => ({
      expires_at: Math.floor(now() / 1000) + oauth.expiresIn,
      // Strava reports the granted scope on the redirect, not in the token response.
      scope: undefined,
      ...(grantType === 'authorization_code' ? { athlete: athleteOf(athleteFor(Number(userId))) } : {}),
    }),
  });

  const store = new Map<number, StravaActivity>();
  const { clientId, clientSecret } = oauth.clients[0]!;
  const webhooks = new StravaWebhooks({
    clientId,
    clientSecret,
    now,
    ...(options.challengeTimeoutMs !== undefined ? { challengeTimeoutMs: options.challengeTimeoutMs } : {}),
    ...(options.eventTimeoutMs !== undefined ? { eventTimeoutMs: options.eventTimeoutMs } : {}),
    ...(options.eventRetries !== undefined ? { eventRetries: options.eventRetries } : {}),
  });
  let nextActivityId = 12_000_000_000;
  const limits = {
    fifteenMinute: options.rateLimits?.fifteenMinute ?? 200,
    daily: options.rateLimits?.daily ?? 2000,
  };
  let window = { quarter: -1, day: -1, fifteenMinute: 0, daily: 0 };
  const forced = new ForcedRateLimit();

  const currentUsage = () => {
    const time = now();
    const quarter = Math.floor(time / FIFTEEN_MINUTES_MS);
    const day = Math.floor(time / DAY_MS);
    if (window.day !== day) window = { quarter, day, fifteenMinute: 0, daily: 0 };
    else if (window.quarter !== quarter) window = { ...window, quarter, fifteenMinute: 0 };
    return window;
  };
  const rateHeaders = () => {
    const usage = currentUsage();
    return {
      'x-ratelimit-limit': `${limits.fifteenMinute},${limits.daily}`,
      'x-ratelimit-usage': `${usage.fifteenMinute},${usage.daily}`,
    };
  };

  const owned = (athleteId: number) => [...store.values()].filter((a) => a.athlete.id === athleteId);

  function listActivities(athleteId: number, scopes: string[], url: URL): { status: number; body: unknown } {
    const q = url.searchParams;
    const invalid = (field: string) => ({
      status: 400,
      body: stravaError('Bad Request', 'Application', field, 'invalid'),
    });
    const number = (field: string) => {
      const text = q.get(field);
      if (text === null || text === '') return null;
      const value = Number(text);
      return Number.isFinite(value) ? value : Number.NaN;
    };
    const before = number('before');
    const after = number('after');
    const page = number('page') ?? 1;
    const perPage = number('per_page') ?? 30;
    for (const [field, value] of [
      ['before', before],
      ['after', after],
      ['page', page],
      ['per_page', perPage],
    ] as const)
      if (value !== null && Number.isNaN(value)) return invalid(field);
    const readAll = scopes.includes('activity:read_all');
    const size = Math.min(200, Math.max(1, Math.floor(perPage)));
    const list = owned(athleteId)
      .filter((a) => readAll || !a.private)
      .filter((a) => {
        const start = Date.parse(a.start_date) / 1000;
        return (after === null || start > after) && (before === null || start < before);
      })
      .sort((a, b) => Date.parse(a.start_date) - Date.parse(b.start_date) || a.id - b.id);
    if (after === null) list.reverse();
    const from = (Math.max(1, Math.floor(page)) - 1) * size;
    return { status: 200, body: list.slice(from, from + size).map(summaryOf) };
  }

  async function deauthorize(req: IncomingMessage, res: ServerResponse, url: URL) {
    const form = new URLSearchParams(await readBody(req));
    const token = url.searchParams.get('access_token') ?? form.get('access_token') ?? bearerToken(req) ?? '';
    const grant = oauth.accessGrant(token);
    if (!grant)
      return sendJson(res, 401, stravaError('Authorization Error', 'Athlete', 'access_token', 'invalid'));
    oauth.revokeUser(grant.userId);
    sendJson(res, 200, { access_token: token });
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, record: FakeStravaRequest) {
    if (isDeauthorize(req, url)) return deauthorize(req, res, url);
    const path = url.pathname.replace(/\/+$/, '');
    const subscriptions = /^\/api\/v3\/push_subscriptions(?:\/(\d+))?$/.exec(path);
    if (subscriptions) return webhooks.handle(req, res, url, subscriptions[1]);
    if (!path.startsWith('/api/v3/'))
      return sendJson(res, 404, stravaError('Resource Not Found', 'resource', 'path', 'not found'));

    const grant = oauth.authenticate(req);
    if (!grant)
      return sendJson(
        res,
        401,
        stravaError('Authorization Error', 'Athlete', 'access_token', 'invalid'),
        rateHeaders(),
      );
    const athleteId = Number(grant.userId);
    record.athleteId = athleteId;
    const usage = currentUsage();
    usage.fifteenMinute++;
    usage.daily++;
    const headers = rateHeaders();
    if (forced.take() !== null || usage.fifteenMinute > limits.fifteenMinute || usage.daily > limits.daily)
      return sendJson(
        res,
        429,
        stravaError('Rate Limit Exceeded', 'Application', 'rate limit', 'exceeded'),
        headers,
      );
    if (req.method !== 'GET')
      return sendJson(res, 405, stravaError('Method Not Allowed', 'resource', 'method', 'invalid'), headers);
    const scopes = grant.scope.split(/[\s,]+/);
    const canReadActivities = scopes.includes('activity:read') || scopes.includes('activity:read_all');
    const missingActivityScope = () =>
      sendJson(
        res,
        401,
        stravaError('Authorization Error', 'AccessToken', 'activity:read_permission', 'missing'),
        headers,
      );

    if (path === '/api/v3/athlete') return sendJson(res, 200, athleteOf(athleteFor(athleteId), 3), headers);
    if (path === '/api/v3/athlete/activities') {
      if (!canReadActivities) return missingActivityScope();
      const result = listActivities(athleteId, scopes, url);
      return sendJson(res, result.status, result.body, headers);
    }
    const activityRoute = /^\/api\/v3\/activities\/(\d+)(\/streams(?:\/([\w,]+))?)?$/.exec(path);
    if (activityRoute) {
      if (!canReadActivities) return missingActivityScope();
      const activity = store.get(Number(activityRoute[1]));
      const visible =
        activity &&
        activity.athlete.id === athleteId &&
        (!activity.private || scopes.includes('activity:read_all'));
      if (!activity || !visible)
        return sendJson(res, 404, stravaError('Record Not Found', 'Activity', 'id', 'not found'), headers);
      if (!activityRoute[2]) return sendJson(res, 200, detailOf(activity), headers);
      const keys = (activityRoute[3] ?? url.searchParams.get('keys') ?? '').split(',').filter(Boolean);
      const streams = streamsOf(activity, keys);
      const byType = url.searchParams.get('key_by_type') === 'true';
      return sendJson(
        res,
        200,
        byType ? Object.fromEntries(streams.map(({ type, ...stream }) => [type, stream])) : streams,
        headers,
      );
    }
    sendJson(res, 404, stravaError('Resource Not Found', 'resource', 'path', 'not found'), headers);
  }

  const server = await startProviderServer<FakeStravaRequest>(oauth, {
    apiPath: '/api/v3',
    record: (req, url) => (isDeauthorize(req, url) ? null : { time: now(), athleteId: null }),
    handle: api,
  });

  const maybeSend = (notify: boolean | undefined, event: StravaEventInput) =>
    (notify ?? true) && webhooks.subscription ? webhooks.sendEvent(event) : Promise.resolve(null);

  return {
    ...server,
    deauthorizeUrl: `${server.url}${DEAUTHORIZE_PATH}`,
    events: webhooks.events,
    challenges: webhooks.challenges,
    get subscription() {
      return webhooks.subscription;
    },
    setAthlete(athlete) {
      athletes.set(athlete.id, athlete);
    },
    setActivities(athleteId, list) {
      for (const activity of owned(athleteId)) store.delete(activity.id);
      for (const activity of list)
        store.set(activity.id, { ...activity, athlete: { id: athleteId, resource_state: 1 } });
    },
    activities: (athleteId) =>
      owned(athleteId).sort((a, b) => Date.parse(a.start_date) - Date.parse(b.start_date) || a.id - b.id),
    activity: (id) => store.get(id) ?? null,
    async addActivity(athleteId, fields = {}, notify = {}) {
      const id = fields.id ?? nextActivityId++;
      const activity = {
        ...stravaActivity({ id, athleteId, start: now() - 3_600_000 }),
        ...fields,
        id,
        athlete: { id: athleteId, resource_state: 1 },
      } as StravaActivity;
      store.set(id, activity);
      const event = await maybeSend(notify.notify, {
        object_type: 'activity',
        object_id: id,
        aspect_type: 'create',
        owner_id: athleteId,
      });
      return { activity, event };
    },
    async updateActivity(id, changes, notify = {}) {
      const current = store.get(id);
      if (!current) throw new Error(`no activity ${id}`);
      const activity = { ...current, ...changes, id, athlete: current.athlete } as StravaActivity;
      store.set(id, activity);
      const updates: Record<string, string> = {};
      if (changes.name !== undefined && changes.name !== current.name) updates.title = changes.name;
      const type = changes.sport_type ?? changes.type;
      if (type !== undefined && type !== current.sport_type) updates.type = type;
      if (changes.private !== undefined && changes.private !== current.private)
        updates.private = String(changes.private);
      const event = await maybeSend(notify.notify, {
        object_type: 'activity',
        object_id: id,
        aspect_type: 'update',
        owner_id: current.athlete.id,
        updates,
      });
      return { activity, event };
    },
    async deleteActivity(id, notify = {}) {
      const current = store.get(id);
      if (!current) throw new Error(`no activity ${id}`);
      store.delete(id);
      const event = await maybeSend(notify.notify, {
        object_type: 'activity',
        object_id: id,
        aspect_type: 'delete',
        owner_id: current.athlete.id,
      });
      return { event };
    },
    deauthorize(athleteId, notify = {}) {
      oauth.revokeUser(String(athleteId));
      return maybeSend(notify.notify, {
        object_type: 'athlete',
        object_id: athleteId,
        aspect_type: 'update',
        owner_id: athleteId,
        updates: { authorized: 'false' },
      });
    },
    sendEvent: (event) => webhooks.sendEvent(event),
    createSubscription: (callbackUrl, verifyToken) => webhooks.createSubscription(callbackUrl, verifyToken),
    usage: () => {
      const { fifteenMinute, daily } = currentUsage();
      return { fifteenMinute, daily };
    },
    setRateLimits(next) {
      limits.fifteenMinute = next.fifteenMinute ?? limits.fifteenMinute;
      limits.daily = next.daily ?? limits.daily;
    },
    resetRateLimits() {
      window = { quarter: -1, day: -1, fifteenMinute: 0, daily: 0 };
      forced.next(0);
    },
    rateLimitNext: (n) => forced.next(n),
    issueTokens: (athleteId, scope = 'read,activity:read_all,profile:read_all') =>
      oauth.issueTokens(String(athleteId), scope),
  };
}
