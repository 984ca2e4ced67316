/**
 * A fake Polar AccessLink v3 (providers.md 4.2 and 5) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth2/authorization` and `/v2/oauth2/token`: BASIC client credentials, no PKCE,
 *   tokens of ~10 years WITHOUT a refresh token, `x_user_id` (the Polar user id, a number) in the token response;
 * - users: `POST /v3/users` `{"member-id"}` (201, 409 when registered), `DELETE /v3/users/{id}` (204, ends the
 *   user's tokens); every data endpoint answers 403 until the user is registered;
 * - data (the non-transactional endpoints): `/v3/exercises` (uploads of the last 30 days, `samples`/`zones` flags)
 *   and `/v3/exercises/{id}` (404); `/v3/users/sleep` (`{nights}`, last 28 days), `/sleep/available`,
 *   `/sleep/{date}` (404); `/v3/users/nightly-recharge` (`{recharges}`) and `/{date}` (404);
 *   `/v3/users/activities?from&to` (28 days at most, not before 365 days ago: 400) and `/{date}` (204);
 *   `/v3/users/continuous-heart-rate?from&to` (`{heart_rates}`, same limits) and `/{date}` (404);
 *   `/v3/users/physical-info` (204 when none);
 * - app rate limits of 500 + 20 x registered users per 15 minutes and 5000 + 100 x users per day, reported in
 *   `RateLimit-Usage` / `RateLimit-Limit` (`<15 min>, <24 h>`) and `RateLimit-Reset` (seconds), 429 past them or on
 *   demand (`rateLimitNext`);
 * - the webhook (polar-webhooks.ts): CRUD with Basic auth, PING before create, one-time `signature_secret_key`,
 *   signed event POSTs (`notify`), wrongly signed or unsigned on request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '#test/fakes/oauth-fake.js';
import { dataRoute, notAllowed, type PolarAnswer } from '#test/fakes/polar-api.js';
import { emptyDataset, type PolarDataset } from '#test/fakes/polar-data.js';
import {
  type PolarDelivery,
  type PolarEventInput,
  PolarWebhooks,
  polarError,
  type SignatureMode,
} from '#test/fakes/polar-webhooks.js';
import {
  countBy,
  type FakeRequest,
  ForcedRateLimit,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';

export * from '#test/fakes/polar-data.js';
export type {
  PolarDelivery,
  PolarEventInput,
  PolarWebhook,
  SignatureMode,
} from '#test/fakes/polar-webhooks.js';

export const DEFAULT_POLAR_USER = 12345;

/** `now` also drives the "recent" lists and the rate windows. */
export interface FakePolarOptions extends ProviderFakeOptions {
  /** The Polar user that approves the consent page. Default 12345. */
  userId?: number;
  /** The signing key of every created webhook; default a new random one each time. */
  webhookSecret?: string;
}

export interface FakePolarRequest extends FakeRequest {
  userId: string | null;
}

/** `apiBaseUrl` is the root: Polar's paths start with `/v3`. */
export interface FakePolar extends ProviderServer<FakePolarRequest> {
  webhooks: PolarWebhooks;
  /** Requests per route (`GET /v3/users/sleep/{date}`), for benchmarks. */
  counts(): Record<string, number>;
  /** Registered users: Polar user id -> member-id. */
  registrations: Map<string, string>;
  /** Replaces the user's data. */
  seed(userId: number, dataset: PolarDataset): void;
  data(userId: number): PolarDataset;
  /** POSTs an event to the webhook (signed per `mode`). */
  notify(event: PolarEventInput, mode?: SignatureMode): Promise<PolarDelivery>;
  /** `POST /v3/webhooks` without HTTP: the PING, then the created webhook with its key. */
  createWebhook(url: string, events?: string[]): Promise<{ status: number; body: unknown }>;
  /** The next `n` API requests answer 429. */
  rateLimitNext(n: number): void;
  usage(): { shortTerm: number; longTerm: number };
  issueTokens(userId: number): Record<string, unknown>;
}

const DAY = 86_400_000;
const QUARTER = 900_000;

/** `GET /v3/users/sleep/{date}`: a request's method and path with dates and ids replaced. */
const routeOf = ({ method, path }: FakePolarRequest) =>
  `${method} ${path
    .replace(/\/+$/, '')
    .replace(/\/\d{4}-\d{2}-\d{2}$/, '/{date}')
    .replace(/^(\/v3\/exercises)\/[\w-]+$/, '$1/{id}')
    .replace(/^(\/v3\/users)\/\d+$/, '$1/{id}')}`;

export async function startFakePolar(options: FakePolarOptions = {}): Promise<FakePolar> {
  const now = options.now ?? Date.now;
  const oauth = providerOAuth(options, {
    clientId: 'fake-polar-client',
    clientSecret: 'fake-polar-secret',
    clientAuth: 'basic',
    authorizePath: '/oauth2/authorization',
    tokenPath: '/v2/oauth2/token',
    expiresIn: 315_359_999,
    issueRefreshToken: false,
    userId: String(options.userId ?? DEFAULT_POLAR_USER),
    defaultScope: 'accesslink.read_all',
    tokenExtras: ({ userId }) => ({ x_user_id: Number(userId), token_type: 'bearer', scope: undefined }),
  });
  const { clientId, clientSecret } = oauth.clients[0]!;
  const webhooks = new PolarWebhooks({
    clientId,
    clientSecret,
    apiUrl: (): string => server.url,
    ...(options.webhookSecret ? { secret: options.webhookSecret } : {}),
  });
  const datasets = new Map<string, PolarDataset>();
  const registrations = new Map<string, string>();
  let usage = { quarter: -1, day: -1, shortTerm: 0, longTerm: 0 };
  const forced = new ForcedRateLimit();

  const dataOf = (userId: string) => datasets.get(userId) ?? emptyDataset();
  const limits = () => ({
    shortTerm: 500 + 20 * registrations.size,
    longTerm: 5000 + 100 * registrations.size,
  });

  function count() {
    const time = now();
    const [quarter, day] = [Math.floor(time / QUARTER), Math.floor(time / DAY)];
    if (usage.day !== day) usage = { quarter, day, shortTerm: 0, longTerm: 0 };
    else if (usage.quarter !== quarter) usage = { ...usage, quarter, shortTerm: 0 };
    usage.shortTerm++;
    usage.longTerm++;
    const limit = limits();
    const reset = Math.ceil(((usage.quarter + 1) * QUARTER - time) / 1000);
    const headers = {
      'ratelimit-usage': `${usage.shortTerm}, ${usage.longTerm}`,
      'ratelimit-limit': `${limit.shortTerm}, ${limit.longTerm}`,
      'ratelimit-reset': String(reset),
    };
    const over = usage.shortTerm > limit.shortTerm || usage.longTerm > limit.longTerm;
    if (forced.take() !== null || over) {
      if (usage.longTerm > limit.longTerm)
        headers['ratelimit-reset'] = String(Math.ceil(((day + 1) * DAY - time) / 1000));
      return { limited: true, headers };
    }
    return { limited: false, headers };
  }

  async function usersRoute(
    method: string,
    path: string,
    body: string,
    userId: string,
  ): Promise<PolarAnswer> {
    if (path === '/v3/users' && method === 'POST') {
      let memberId: unknown;
      try {
        memberId = (JSON.parse(body) as Record<string, unknown>)['member-id'];
      } catch {
        memberId = undefined;
      }
      if (typeof memberId !== 'string' || memberId === '')
        return { status: 400, body: polarError(400, 'member-id is required') };
      if (registrations.has(userId)) return { status: 409, body: polarError(409, 'User already registered') };
      registrations.set(userId, memberId);
      return {
        status: 201,
        body: {
          'polar-user-id': Number(userId),
          'member-id': memberId,
          'registration-date': new Date(now()).toISOString(),
          'first-name': 'Demo',
          'last-name': 'Athlete',
        },
      };
    }
    const user = /^\/v3\/users\/(\d+)$/.exec(path);
    if (user && method === 'DELETE') {
      if (user[1] !== userId) return { status: 403, body: polarError(403, 'Forbidden') };
      registrations.delete(userId);
      oauth.revokeUser(userId);
      return { status: 204 };
    }
    return { status: 404, body: polarError(404, 'Not found') };
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL, record: FakePolarRequest) {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/v3/webhooks' || path.startsWith('/v3/webhooks/'))
      return webhooks.handle(req, res, path.slice('/v3/webhooks'.length));
    const body = await readBody(req);
    const grant = oauth.authenticate(req);
    if (!grant) return sendJson(res, 401, polarError(401, 'Unauthorized'));
    record.userId = grant.userId;
    const rate = count();
    if (rate.limited) return sendJson(res, 429, polarError(429, 'Rate limit exceeded'), rate.headers);
    let answer: PolarAnswer;
    if (path === '/v3/users' || /^\/v3\/users\/\d+$/.test(path))
      answer = await usersRoute(record.method, path, body, grant.userId);
    else if (!registrations.has(grant.userId))
      answer = { status: 403, body: polarError(403, 'User is not registered to this client') };
    else answer = record.method === 'GET' ? dataRoute(dataOf(grant.userId), path, url, now()) : notAllowed;
    if (answer.body === undefined) {
      res.writeHead(answer.status, rate.headers).end();
      return;
    }
    sendJson(res, answer.status, answer.body, rate.headers);
  }

  const server = await startProviderServer<FakePolarRequest>(oauth, {
    record: () => ({ userId: null }),
    handle: api,
  });

  return {
    ...server,
    webhooks,
    counts: () => countBy(server.requests, routeOf),
    registrations,
    seed(userId, dataset) {
      datasets.set(String(userId), dataset);
    },
    data(userId) {
      const key = String(userId);
      if (!datasets.has(key)) datasets.set(key, emptyDataset());
      return datasets.get(key)!;
    },
    notify: (event, mode) => webhooks.send(event, mode),
    createWebhook: (url, events = ['EXERCISE', 'SLEEP', 'CONTINUOUS_HEART_RATE', 'ACTIVITY_SUMMARY']) =>
      webhooks.create({ events, url }),
    rateLimitNext: (n) => forced.next(n),
    usage: () => ({ shortTerm: usage.shortTerm, longTerm: usage.longTerm }),
    issueTokens: (userId) => oauth.issueTokens(String(userId), 'accesslink.read_all'),
  };
}
