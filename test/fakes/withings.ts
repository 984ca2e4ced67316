/**
 * A fake Withings Public Health Data API (shared/providers/withings/README.md) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts for the consent page and the grants) at `/oauth2_user/authorize2`, and Withings' own
 *   token endpoint `POST /v2/oauth2` (`action=requesttoken`, client credentials in the form): `{status: 0, body:
 *   {userid, access_token, refresh_token, expires_in, scope, csrf_token, token_type}}`, 3-hour access tokens,
 *   rotating refresh tokens, and a refused code or refresh token as `{status: 503, error: "Invalid Params: ..."}`;
 * - the data actions (withings-api.ts), as POST forms (or GET queries) with a Bearer token, every answer HTTP 200
 *   with a `{status, body}` envelope: 401 for an invalid or expired token, 601 past the app's requests per minute
 *   (default 120 in any 60 s), and any status on demand (`failNext`);
 * - Notify (withings-notify.ts): subscribe (after a HEAD probe of the callback), revoke, list, get, and
 *   form-encoded notifications to the subscribed callbacks.
 *
 * Every API request is recorded with its time (`requests`), for the request-rate benchmark.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  OAuthFake,
  type OAuthFakeOptions,
  readBody,
  sendJson,
  startHttpServer,
} from '#test/fakes/oauth-fake.js';
import { dataAction, type WithingsUser } from '#test/fakes/withings-api.js';
import {
  DEFAULT_INTRADAY_STEP_SECONDS,
  DEFAULT_TIMEZONE,
  type GenerateWithingsOptions,
  generateWithingsDays,
  type WithingsRecord,
} from '#test/fakes/withings-data.js';
import { type Envelope, type WithingsNotification, WithingsNotify } from '#test/fakes/withings-notify.js';

export * from '#test/fakes/withings-data.js';
export type {
  WithingsNotification,
  WithingsProbe,
  WithingsSubscription,
} from '#test/fakes/withings-notify.js';

export const DEFAULT_WITHINGS_USER = 12_345_678;

export interface FakeWithingsOptions {
  clientId?: string;
  clientSecret?: string;
  /** The account that approves the consent page. Default DEFAULT_WITHINGS_USER. */
  userid?: number;
  /** Access-token lifetime, seconds. Default 10800 (Withings' 3 hours). */
  expiresIn?: number;
  autoApprove?: boolean;
  /** Requests per 60 s over all users before 601; null: no limit. Default 120 (Withings' standard plan). */
  requestsPerMinute?: number | null;
  /** Rows per page of the paged actions. Default 100. */
  pageSize?: number;
  /** Timeout of the HEAD probe and of a notification POST. Default 10000. */
  callbackTimeoutMs?: number;
  now?: () => number;
  oauth?: Partial<OAuthFakeOptions>;
}

export interface FakeWithingsRequest {
  /** Epoch ms. */
  time: number;
  path: string;
  action: string;
  userid: number | null;
  /** The envelope status answered. */
  status: number;
}

export interface FakeWithings {
  url: string;
  authorizeUrl: string;
  /** `<url>/v2/oauth2`. */
  tokenUrl: string;
  /** What `WITHINGS_API_BASE_URL` should be: the server itself, as `https://wbsapi.withings.net`. */
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  oauth: OAuthFake;
  /** Data and Notify requests (not the token endpoint), oldest first. */
  requests: FakeWithingsRequest[];
  /** Token-endpoint requests, oldest first: the form's field names in order, the grant type, the status answered. */
  tokenAnswers: Array<{ fields: string[]; grantType: string; status: number }>;
  notify: WithingsNotify;
  /** Generated days for a user (replacing what it had); the user is created when unknown. */
  seed(
    userid: number,
    options: Omit<GenerateWithingsOptions, 'timezone'> & { timezone?: string },
  ): WithingsUser;
  user(userid: number): WithingsUser;
  /** Adds a record (`measureGroups`, `workouts`, `sleeps`, `activities`) and notifies its category's callbacks. */
  add(
    userid: number,
    kind: 'measureGroups' | 'workouts' | 'sleeps' | 'activities',
    record: WithingsRecord,
    notification?: { appli: number; startdate: number; enddate: number } | null,
  ): Promise<WithingsNotification[]>;
  /** The user unlinks the app: tokens die, subscriptions end, and an appli 46 `unlink` is sent first. */
  unlink(userid: number): Promise<WithingsNotification[]>;
  /** The next `count` data requests answer `status` (e.g. 401, 601, 522, 2555). */
  failNext(status: number, count?: number, error?: string): void;
  /** The next token request answers this envelope status, or this HTTP status (`{ http: 502 }`). */
  failNextToken(answer: { status: number } | { http: number }): void;
  /** `path action` -> number of requests. */
  counts(): Record<string, number>;
  /** The most requests in any 60 s (what Withings' limit is about). */
  maxRequestsPerMinute(): number;
  issueTokens(userid: number, scope?: string): Record<string, unknown>;
  stop(): Promise<void>;
}

const INTERNAL_TOKEN_PATH = '/__oauth/token';
const INVALID_TOKEN: Envelope = {
  status: 401,
  body: {},
  error: 'XRequestID: Not provided invalid_token: The access token provided is invalid',
};
const TOO_MANY: Envelope = { status: 601, body: {}, error: 'Too Many Requests' };
const NOT_IMPLEMENTED: Envelope = { status: 2554, body: {}, error: 'Not implemented' };
const isEnvelope = (body: unknown): body is Envelope =>
  typeof body === 'object' && body !== null && typeof (body as Envelope).status === 'number';
const DATA_PATHS = new Set(['/measure', '/v2/measure', '/v2/sleep', '/v2/user', '/notify']);
const DEFAULT_SCOPE = 'user.info,user.metrics,user.activity,user.sleepevents';

export async function startFakeWithings(options: FakeWithingsOptions = {}): Promise<FakeWithings> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? 'fake-withings-client';
  const clientSecret = options.clientSecret ?? 'fake-withings-secret';
  const limit = options.requestsPerMinute === undefined ? 120 : options.requestsPerMinute;
  const pageSize = options.pageSize ?? 100;
  const oauth = new OAuthFake({
    clients: [{ clientId, clientSecret }],
    clientAuth: 'body',
    pkce: 'off',
    authorizePath: '/oauth2_user/authorize2',
    tokenPath: INTERNAL_TOKEN_PATH,
    revokePath: null,
    expiresIn: options.expiresIn ?? 10_800,
    refreshRotation: 'rotate',
    autoApprove: options.autoApprove ?? false,
    userId: String(options.userid ?? DEFAULT_WITHINGS_USER),
    defaultScope: DEFAULT_SCOPE,
    tokenExtras: ({ userId }) => ({ userid: Number(userId), csrf_token: randomBytes(16).toString('hex') }),
    now,
    ...options.oauth,
  });
  const users = new Map<number, WithingsUser>();
  const requests: FakeWithingsRequest[] = [];
  const tokenAnswers: FakeWithings['tokenAnswers'] = [];
  const notify = new WithingsNotify(options.callbackTimeoutMs ?? 10_000);
  const forced: Envelope[] = [];
  const forcedToken: Array<{ status: number } | { http: number }> = [];

  const userOf = (userid: number): WithingsUser => {
    let user = users.get(userid);
    if (!user) {
      user = {
        userid,
        timezone: DEFAULT_TIMEZONE,
        seed: String(userid),
        intradayStepSeconds: DEFAULT_INTRADAY_STEP_SECONDS,
        measureGroups: [],
        activities: [],
        workouts: [],
        sleeps: [],
        intradayDays: [],
      };
      users.set(userid, user);
    }
    return user;
  };

  /** Requests of the last 60 s before `time` (the list is in time order). */
  const inLastMinute = (time: number) => {
    let count = 0;
    for (let i = requests.length - 1; i >= 0 && requests[i]!.time > time - 60_000; i--) count++;
    return count;
  };

  /** `POST /v2/oauth2`: the grant done by the OAuth fake, its answer wrapped as Withings wraps it. */
  async function tokenEndpoint(form: URLSearchParams, res: ServerResponse): Promise<void> {
    const grantType = form.get('grant_type') ?? '';
    const fields = [...form.keys()];
    const reply = (status: number, body: unknown) => {
      tokenAnswers.push({
        fields,
        grantType,
        status: status === 200 && isEnvelope(body) ? body.status : status,
      });
      sendJson(res, status, body);
    };
    if (form.get('action') !== 'requesttoken') return reply(200, NOT_IMPLEMENTED);
    const failure = forcedToken.shift();
    if (failure) {
      return 'http' in failure
        ? reply(failure.http, { error: 'gateway error' })
        : reply(200, { status: failure.status, body: {}, error: 'forced failure' });
    }
    form.delete('action');
    const response = await fetch(`${running.url}${INTERNAL_TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.ok) return reply(200, { status: 0, body: json });
    const refused =
      json.error === 'invalid_client'
        ? 'client_id or client_secret'
        : grantType === 'refresh_token'
          ? 'refresh_token'
          : 'code';
    reply(200, { status: 503, body: {}, error: `Invalid Params: invalid ${refused}` });
  }

  const running = await startHttpServer(async (req, res, url) => {
    if (await oauth.handle(req, res, url)) return;
    const path = url.pathname.replace(/\/+$/, '');
    const params = new URLSearchParams(url.searchParams);
    if (req.method === 'POST')
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.set(k, v);
    if (path === '/v2/oauth2' && req.method === 'POST') return tokenEndpoint(params, res);
    if (!DATA_PATHS.has(path)) return sendJson(res, 404, { error: 'not_found' });

    const action = params.get('action') ?? '';
    const time = now();
    const grant = oauth.authenticate(req);
    const userid = grant ? Number(grant.userId) : null;
    const record: FakeWithingsRequest = { time, path, action, userid, status: 0 };
    const over = limit !== null && inLastMinute(time) >= limit;
    requests.push(record);
    let envelope: Envelope;
    if (over) envelope = TOO_MANY;
    else if (userid === null) envelope = INVALID_TOKEN;
    else
      envelope =
        forced.shift() ??
        (path === '/notify'
          ? await notify.answer(userid, action, params)
          : dataAction(userOf(userid), path, action, params, pageSize));
    record.status = envelope.status;
    sendJson(res, 200, envelope);
  });

  return {
    url: running.url,
    authorizeUrl: `${running.url}${oauth.authorizePath}`,
    tokenUrl: `${running.url}/v2/oauth2`,
    apiBaseUrl: running.url,
    clientId,
    clientSecret,
    oauth,
    requests,
    tokenAnswers,
    notify,
    seed(userid, seedOptions) {
      const user = userOf(userid);
      user.timezone = seedOptions.timezone ?? user.timezone;
      Object.assign(user, generateWithingsDays({ seed: userid, ...seedOptions, timezone: user.timezone }));
      user.seed = String(seedOptions.seed ?? userid);
      user.intradayStepSeconds = seedOptions.intradayStepSeconds ?? DEFAULT_INTRADAY_STEP_SECONDS;
      return user;
    },
    user: userOf,
    async add(userid, kind, record, notification) {
      userOf(userid)[kind].push(record);
      if (!notification) return [];
      const { appli, ...window } = notification;
      return notify.notify(userid, appli, window);
    },
    async unlink(userid) {
      const sent = await notify.notify(userid, 46, { action: 'unlink', date: Math.floor(now() / 1000) });
      oauth.revokeUser(String(userid));
      notify.dropUser(userid);
      return sent;
    },
    failNext(status, count = 1, error = 'forced failure') {
      for (let i = 0; i < count; i++) forced.push({ status, body: {}, error });
    },
    failNextToken(answer) {
      forcedToken.push(answer);
    },
    counts() {
      const counts: Record<string, number> = {};
      for (const r of requests) counts[`${r.path} ${r.action}`] = (counts[`${r.path} ${r.action}`] ?? 0) + 1;
      return counts;
    },
    maxRequestsPerMinute() {
      let max = 0;
      for (let i = 0, j = 0; j < requests.length; j++) {
        while (requests[j]!.time - requests[i]!.time >= 60_000) i++;
        max = Math.max(max, j - i + 1);
      }
      return max;
    },
    issueTokens(userid, scope = DEFAULT_SCOPE) {
      return oauth.issueTokens(String(userid), scope);
    },
    stop: running.stop,
  };
}
