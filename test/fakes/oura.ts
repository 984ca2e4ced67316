/**
 * A fake Oura API v2 (providers.md 4.5 and 5) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth/authorize` (consent page) and `/oauth/token`: client credentials in the
 *   body, no PKCE, single-use refresh tokens (each refresh returns a new one; a used or revoked one is
 *   `invalid_grant`); `POST /oauth/revoke?access_token=…` ends the user's authorization;
 * - `GET /v2/usercollection/personal_info`; the document collections (`workout`, `sleep`, `daily_sleep`,
 *   `daily_readiness`, `daily_activity`, `daily_spo2`, `daily_cardiovascular_age`, `vO2_max`) by
 *   `start_date`/`end_date` (dates, both included; a datetime is read as its date), and one by id at
 *   `/<collection>/<id>`; `heartrate` by `start_datetime`/`end_datetime`, at most 30 days apart (400 beyond); every
 *   list is `{"data": [...], "next_token": …}`, paged by `next_token`;
 * - errors as RFC 7807 problems: 401 for a missing, expired or revoked access token, 429 with `Retry-After` past
 *   the per-token limit (5,000 per 5 minutes) or on demand (`rateLimitNext`);
 * - the webhook subscription API and signed notifications (oura-webhooks.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, sendJson } from '#test/fakes/oauth-fake.js';
import { listDocuments, listHeartRate } from '#test/fakes/oura-api.js';
import {
  DEFAULT_OURA_USER,
  emptyOuraData,
  isOuraCollection,
  OURA_COLLECTIONS,
  type OuraCollection,
  type OuraDocument,
  type OuraUserData,
} from '#test/fakes/oura-data.js';
import {
  type OuraDelivery,
  type OuraEvent,
  type OuraSubscription,
  OuraWebhooks,
  ouraProblem,
  type Signing,
} from '#test/fakes/oura-webhooks.js';
import {
  countBy,
  type FakeRequest,
  ForcedRateLimit,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';

export * from '#test/fakes/oura-data.js';
export type {
  OuraChallenge,
  OuraDelivery,
  OuraEvent,
  OuraSubscription,
  Signing,
} from '#test/fakes/oura-webhooks.js';

export const OURA_SCOPE =
  'personal daily activity heartrate workout session spo2 ring_configuration heart_health';

/** Access tokens last a day unless `expiresIn` says; `now` also drives the rate windows and subscription expiry. */
export interface FakeOuraOptions extends ProviderFakeOptions {
  /** The Oura user who approves the consent page. Default DEFAULT_OURA_USER. */
  userId?: string;
  /** Documents per page (default 50) and heart rate samples per page (default 1000). */
  pageSize?: number;
  heartRatePageSize?: number;
  /** Requests per access token per window. Default 5000 per 300 s (Oura's). */
  rateLimit?: { requests: number; windowSeconds: number };
  /** Days a subscription (or a renewal) lasts. Default 90. */
  subscriptionDays?: number;
  /** How long the callback has to answer the challenge. Default 10000. */
  challengeTimeoutMs?: number;
}

export interface FakeOuraRequest extends FakeRequest {
  /** The path with ids replaced: `/v2/usercollection/sleep/{id}`. */
  route: string;
  userId: string | null;
}

type Notify = { notify?: boolean };

/** `apiBaseUrl` is the root: Oura's paths start at `/v2`. */
export interface FakeOura extends ProviderServer<FakeOuraRequest> {
  webhooks: OuraWebhooks;
  /** Requests so far by `<METHOD> <route>` (for benchmarks). */
  requestCounts(): Record<string, number>;
  readonly subscriptions: OuraSubscription[];
  setPersonalInfo(userId: string, info: Record<string, unknown>): void;
  /** Replaces a user's documents and heart rate (e.g. with `generateOuraDays`). No notifications. */
  seed(userId: string, data: OuraUserData): void;
  data(userId: string): OuraUserData;
  /** Stores a document (a new id is a `create`, a known one an `update`) and notifies the subscriptions. */
  putDocument(
    userId: string,
    collection: OuraCollection,
    document: OuraDocument,
    options?: Notify,
  ): Promise<OuraDelivery[]>;
  deleteDocument(
    userId: string,
    collection: OuraCollection,
    id: string,
    options?: Notify,
  ): Promise<OuraDelivery[]>;
  /** POSTs one event to `url`, signed correctly (default), with another key, or unsigned. */
  sendWebhook(
    url: string,
    event: OuraEvent,
    options?: { signing?: Signing; timestamp?: number },
  ): Promise<OuraDelivery>;
  /** What `POST /v2/webhook/subscription` does: the challenge, then 201 (or 400/409/422). */
  createSubscription(input: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
  /** Every subscription expires now (deliveries stop until renewed). */
  expireSubscriptions(): void;
  /** The next `n` API requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  issueTokens(userId: string, scope?: string): Record<string, unknown>;
}

/** The scope each collection needs (`personal_info` needs `personal`). */
const SCOPE_OF: Record<string, string> = {
  personal_info: 'personal',
  heartrate: 'heartrate',
  workout: 'workout',
  sleep: 'daily',
  daily_sleep: 'daily',
  daily_readiness: 'daily',
  daily_activity: 'daily',
  daily_spo2: 'spo2',
  daily_cardiovascular_age: 'heart_health',
  vO2_max: 'heart_health',
};

/** The webhook `data_type` of a collection. */
const dataTypeOf = (collection: OuraCollection) => (collection === 'vO2_max' ? 'vo2_max' : collection);

export async function startFakeOura(options: FakeOuraOptions = {}): Promise<FakeOura> {
  const now = options.now ?? Date.now;
  const oauth = providerOAuth(options, {
    clientId: 'fake-oura-client',
    clientSecret: 'fake-oura-secret',
    expiresIn: 86_400,
    userId: options.userId ?? DEFAULT_OURA_USER,
    defaultScope: OURA_SCOPE,
  });
  const { clientId, clientSecret } = oauth.clients[0]!;
  const webhooks = new OuraWebhooks({
    clientId,
    clientSecret,
    now,
    subscriptionDays: options.subscriptionDays ?? 90,
    challengeTimeoutMs: options.challengeTimeoutMs ?? 10_000,
  });
  const users = new Map<string, OuraUserData>();
  const infos = new Map<string, Record<string, unknown>>();
  const limit = options.rateLimit ?? { requests: 5000, windowSeconds: 300 };
  const windows = new Map<string, { start: number; count: number }>();
  const forced = new ForcedRateLimit(1);

  const dataOf = (userId: string) => {
    const data = users.get(userId) ?? emptyOuraData();
    users.set(userId, data);
    return data;
  };
  const infoOf = (userId: string) => ({
    id: userId,
    age: 34,
    weight: 72.5,
    height: 1.78,
    biological_sex: 'male',
    ...infos.get(userId),
  });

  /** 429 when forced or past the token's window; the seconds to wait otherwise null. */
  function throttled(token: string): number | null {
    const wait = forced.take();
    if (wait !== null) return wait;
    const windowMs = limit.windowSeconds * 1000;
    const start = Math.floor(now() / windowMs) * windowMs;
    const window = windows.get(token);
    const current = window && window.start === start ? window : { start, count: 0 };
    windows.set(token, current);
    current.count++;
    return current.count > limit.requests ? Math.max(1, Math.ceil((start + windowMs - now()) / 1000)) : null;
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, record: FakeOuraRequest) {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/oauth/revoke' && req.method === 'POST') {
      const grant = oauth.accessGrant(url.searchParams.get('access_token') ?? '');
      if (!grant) return sendJson(res, 400, ouraProblem(400, 'Bad Request', 'Invalid Token'));
      oauth.revokeUser(grant.userId);
      return sendJson(res, 200, {});
    }
    const subscription = /^\/v2\/webhook\/subscription(\/.*)?$/.exec(path);
    if (subscription) return webhooks.handle(req, res, subscription[1] ?? '');
    const collection = /^\/v2\/usercollection\/(\w+)(?:\/([\w.-]+))?$/.exec(path);
    if (!collection) return sendJson(res, 404, ouraProblem(404, 'Not Found'));
    const token = bearerToken(req) ?? '';
    const status = oauth.accessTokenStatus(token);
    if (status !== 'valid') {
      const detail =
        status === 'expired'
          ? 'Expired Token'
          : status === 'revoked'
            ? 'Token Already Used Or Revoked'
            : 'Invalid Access token';
      return sendJson(res, 401, ouraProblem(401, 'Unauthorized', detail));
    }
    const grant = oauth.accessGrant(token)!;
    const userId = grant.userId;
    record.userId = userId;
    const wait = throttled(token);
    if (wait !== null)
      return sendJson(res, 429, ouraProblem(429, 'Too Many Requests'), { 'retry-after': String(wait) });
    if (req.method !== 'GET') return sendJson(res, 405, ouraProblem(405, 'Method Not Allowed'));
    const [, name, id] = collection as unknown as [string, string, string | undefined];
    const needed = SCOPE_OF[name];
    if (needed && !grant.scope.split(/\s+/).includes(needed))
      return sendJson(res, 401, ouraProblem(401, 'Unauthorized', `Missing required scopes: ${needed}`));
    const data = dataOf(userId);
    if (name === 'personal_info' && !id) return sendJson(res, 200, infoOf(userId));
    if (name === 'heartrate' && !id)
      return listHeartRate(res, url, data.heartrate, now(), options.heartRatePageSize ?? 1000);
    if (!isOuraCollection(name)) return sendJson(res, 404, ouraProblem(404, 'Not Found'));
    if (!id) return listDocuments(res, url, data.documents[name], now(), options.pageSize ?? 50);
    const found = data.documents[name].find((d) => d.id === id);
    if (!found) return sendJson(res, 404, ouraProblem(404, 'Not Found', 'document not found'));
    sendJson(res, 200, found);
  }

  const server = await startProviderServer<FakeOuraRequest>(oauth, {
    record: (_req, url) => ({
      route: url.pathname.replace(
        /^(\/v2\/(?:usercollection\/\w+|webhook\/subscription(?:\/renew)?))\/[\w.-]+$/,
        '$1/{id}',
      ),
      userId: null,
    }),
    handle: api,
  });

  async function notify(
    userId: string,
    collection: OuraCollection,
    eventType: OuraEvent['event_type'],
    id: string,
  ) {
    return webhooks.notify({
      event_type: eventType,
      data_type: dataTypeOf(collection),
      object_id: id,
      user_id: userId,
    });
  }

  return {
    ...server,
    webhooks,
    requestCounts: () => countBy(server.requests, (r) => `${r.method} ${r.route}`),
    get subscriptions() {
      return [...webhooks.subscriptions.values()];
    },
    setPersonalInfo: (userId, info) => infos.set(userId, info),
    seed(userId, data) {
      const copy = emptyOuraData();
      for (const c of OURA_COLLECTIONS) copy.documents[c] = [...data.documents[c]];
      copy.heartrate = [...data.heartrate];
      users.set(userId, copy);
    },
    data: dataOf,
    async putDocument(userId, collection, document, { notify: send = true } = {}) {
      const list = dataOf(userId).documents[collection];
      const index = list.findIndex((d) => d.id === document.id);
      if (index >= 0) list[index] = document;
      else list.push(document);
      return send ? notify(userId, collection, index >= 0 ? 'update' : 'create', document.id) : [];
    },
    async deleteDocument(userId, collection, id, { notify: send = true } = {}) {
      const data = dataOf(userId);
      data.documents[collection] = data.documents[collection].filter((d) => d.id !== id);
      return send ? notify(userId, collection, 'delete', id) : [];
    },
    sendWebhook: (url, event, sendOptions) => webhooks.sendWebhook(url, event, sendOptions),
    createSubscription: (input) => webhooks.create(input),
    expireSubscriptions() {
      const expired = new Date(now()).toISOString();
      for (const s of webhooks.subscriptions.values()) s.expiration_time = expired;
    },
    rateLimitNext: (n, retryAfterSeconds) => forced.next(n, retryAfterSeconds),
    issueTokens: (userId, scope = OURA_SCOPE) => oauth.issueTokens(userId, scope),
  };
}
