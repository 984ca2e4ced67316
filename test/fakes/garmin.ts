/**
 * A fake Garmin Connect Developer Program (Health + Activity API, providers.md 4.1 and 5) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth2Confirm` and `/di-oauth2-service/oauth/token`: PKCE S256 required, BODY
 *   client credentials, 24 h access tokens, rotating refresh tokens, Garmin's token response (`token_type`
 *   `bearer`, `refresh_token_expires_in`, `jti`); no revoke route (Garmin has none: DELETE registration);
 * - `GET /wellness-api/rest/user/id` and `/partner-gateway/rest/user/id` -> `{userId}`;
 *   `GET /partner-gateway/rest/user/permissions` -> `{permissions}` (`/wellness-api/...` -> the bare list);
 *   `DELETE .../user/registration` -> 204, the user's tokens die and a `deregistrations` push follows;
 * - `GET /wellness-api/rest/backfill/{type}?summaryStartTimeInSeconds&summaryEndTimeInSeconds` -> 202, then
 *   (after `backfillDelayMs`) the user's summaries of that window POSTed to the webhook URL under the type's push
 *   key with `garmin-client-id`; 409 for a repeated (type, start, end), 403 (or 412) without
 *   HISTORICAL_DATA_EXPORT, 400 for bad or too long ranges (30 days for activity types, 90 otherwise) and before
 *   `setMinStartTime`, 429 with `Retry-After` past the per-minute request or day budget;
 * - ping mode: pushes carry `callbackURL`s to `GET /wellness-api/rest/{type}?...&token=` (Bearer required) which
 *   answer the summaries as a JSON array; the same route serves `uploadStartTimeInSeconds`/`uploadEndTimeInSeconds`
 *   pulls (at most 24 h).
 *
 * Every data route needs a live Bearer token (401 otherwise). Requests, backfills and webhook deliveries are
 * recorded for tests; `idle()` waits for the asynchronous pushes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type GarminSummary,
  garminActivity,
  garminActivityDetails,
  syncMaxima,
} from '#test/fakes/garmin-activities.js';
import {
  backfillMaxDays,
  DEFAULT_GARMIN_USER,
  GARMIN_SUMMARY_TYPES,
  type GarminDataset,
  type GarminPushKey,
  type GarminSummaryType,
  isGarminSummaryType,
  summaryTimeSeconds,
} from '#test/fakes/garmin-data.js';
import {
  type GarminDelivery,
  GarminPusher,
  type GarminPushResult,
  type PushOptions,
} from '#test/fakes/garmin-push.js';
import { sendJson } from '#test/fakes/oauth-fake.js';
import {
  type FakeRequest,
  ForcedRateLimit,
  type ProviderFakeOptions,
  type ProviderServer,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';

export { garminActivity, garminActivityDetails } from '#test/fakes/garmin-activities.js';
export {
  DEFAULT_GARMIN_USER,
  GARMIN_PUSH_KEYS,
  GARMIN_SUMMARY_TYPES,
  type GarminDataset,
  type GarminPushKey,
  type GarminSummary,
  type GarminSummaryType,
} from '#test/fakes/garmin-data.js';
export { type GenerateGarminDaysOptions, generateGarminDays } from '#test/fakes/garmin-days.js';
export type { GarminDelivery, GarminPushResult, PushOptions } from '#test/fakes/garmin-push.js';

export const DEFAULT_GARMIN_PERMISSIONS = ['ACTIVITY_EXPORT', 'HEALTH_EXPORT', 'HISTORICAL_DATA_EXPORT'];

/** `now` also drives the rate-limit minutes. */
export interface FakeGarminOptions extends ProviderFakeOptions {
  /** The Garmin user that approves the consent page. Default `DEFAULT_GARMIN_USER`; `oauth.setUser` changes it. */
  userId?: string;
  /** Where pushes go; `setWebhookUrl` sets it later. */
  webhookUrl?: string;
  /** Permissions of every user without `setPermissions`. Default ACTIVITY_EXPORT, HEALTH_EXPORT, HISTORICAL_DATA_EXPORT. */
  permissions?: string[];
  /** Delay before a backfill's push. Default 50 ms. */
  backfillDelayMs?: number;
  /** The answer to a backfill without HISTORICAL_DATA_EXPORT. Default 403. */
  backfillPermissionStatus?: 403 | 412;
  /** Backfill requests per clock minute (app-wide). Default 100. */
  backfillRequestsPerMinute?: number;
  /** Days of backfill ranges per clock minute (app-wide). Default 10000 (Garmin production). */
  backfillDaysPerMinute?: number;
  /** Push `callbackURL`s instead of data. Default false; `setPingMode` changes it. */
  pingMode?: boolean;
  /** Items per push POST; bigger sets are split into several POSTs. Default 100. */
  maxItemsPerPush?: number;
  /** A backfill window without data pushes `{key: []}` instead of nothing. Default false (nothing). */
  pushEmptyBackfills?: boolean;
  /** DELETE registration is followed by a `deregistrations` push, as Garmin does. Default true. */
  pushDeregistrationOnDelete?: boolean;
  /** Abort a push after this long. Default 30000 (Garmin's timeout). */
  pushTimeoutMs?: number;
}

export interface FakeGarminRequest extends FakeRequest {
  /** Epoch ms (the fake's clock). */
  time: number;
  /** The Garmin user of the Bearer token; null when absent or not accepted. */
  userId: string | null;
}

export interface GarminBackfill {
  userId: string;
  type: GarminSummaryType;
  pushKey: GarminPushKey;
  /** Epoch seconds, as requested. */
  start: number;
  end: number;
  requestedAt: number;
  /** Items pushed for it (0 until delivered, or when the window was empty). */
  items: number;
  delivered: boolean;
}

/** `apiBaseUrl` is the root (paths as at apis.garmin.com); OAuth requests are counted on `oauth`. */
export interface FakeGarmin extends ProviderServer<FakeGarminRequest> {
  /** Accepted backfill requests, oldest first. */
  backfills: GarminBackfill[];
  /** Every POST to the webhook URL, oldest first. */
  deliveries: GarminDelivery[];
  readonly webhookUrl: string | null;
  setWebhookUrl(url: string | null): void;
  setPingMode(on: boolean): void;

  /** Replaces a user's summaries of one push key. */
  setSummaries(userId: string, key: GarminPushKey, items: GarminSummary[]): void;
  addSummaries(userId: string, key: GarminPushKey, items: GarminSummary[]): void;
  summaries(userId: string, key: GarminPushKey): GarminSummary[];
  /** Adds a whole dataset (e.g. `generateGarminDays(...)`) to a user's summaries. */
  seed(userId: string, data: GarminDataset): void;
  setPermissions(userId: string, permissions: string[]): void;
  permissions(userId: string): string[];
  /** Backfills starting before this (epoch seconds) answer 400 "min start time"; null lifts it. */
  setMinStartTime(userId: string, seconds: number | null): void;
  setBackfillRateLimit(limits: { requestsPerMinute?: number; daysPerMinute?: number }): void;
  /** The next `n` data requests answer 429 with `Retry-After: <retryAfterSeconds>` (default 60). */
  rateLimitNext(n: number, retryAfterSeconds?: number): void;
  resetRateLimits(): void;

  /** POSTs any body to the webhook URL as Garmin would. */
  push(payload: unknown, options?: PushOptions): Promise<GarminPushResult>;
  /** Stores the items (stamped with `userId`) and pushes them under `key` (callback URLs in ping mode). */
  pushSummaries(userId: string, key: GarminPushKey, items: GarminSummary[]): Promise<GarminPushResult>;
  /** A new activity (default: a run that just ended) stored and pushed; `withDetails` also its activityDetails. */
  pushNewActivity(
    userId: string,
    activity?: GarminSummary,
    options?: { withDetails?: boolean },
  ): Promise<GarminPushResult & { activity: GarminSummary }>;
  /**
   * The user revoked access: every access and refresh token of the user dies (data routes answer 401, a refresh
   * `invalid_grant`), then `{"deregistrations":[{"userId"}]}` is pushed.
   */
  deregister(userId: string): Promise<GarminPushResult>;
  /**
   * New permissions stored (`GET .../user/permissions` and the backfill permission check answer them from now on),
   * then pushed as `userPermissionsChange`.
   */
  changePermissions(userId: string, permissions: string[]): Promise<GarminPushResult>;
  /** Resolves when no backfill or deregistration push is scheduled or in flight. */
  idle(): Promise<void>;
  /** Tokens for a user without the browser dance (test setup). */
  issueTokens(userId: string): Record<string, unknown>;
}

const MINUTE_MS = 60_000;
const garminError = (errorMessage: string) => ({ errorMessage });

export async function startFakeGarmin(options: FakeGarminOptions = {}): Promise<FakeGarmin> {
  const now = options.now ?? Date.now;
  const oauth = providerOAuth(options, {
    clientId: 'fake-garmin-client',
    clientSecret: 'fake-garmin-secret',
    pkce: 'required',
    authorizePath: '/oauth2Confirm',
    tokenPath: '/di-oauth2-service/oauth/token',
    expiresIn: 86_400,
    userId: options.userId ?? DEFAULT_GARMIN_USER,
    defaultScope: 'PARTNER_WRITE PARTNER_READ CONNECT_READ CONNECT_WRITE',
    tokenExtras: () => ({ token_type: 'bearer', jti: randomUUID(), refresh_token_expires_in: 7_775_998 }),
  });

  const store = new Map<string, Map<GarminPushKey, GarminSummary[]>>();
  const permissions = new Map<string, string[]>();
  const minStart = new Map<string, number>();
  const requested = new Set<string>();
  const backfills: GarminBackfill[] = [];
  const pusher = new GarminPusher({
    clientId: oauth.clients[0]!.clientId,
    ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
    ...(options.pingMode !== undefined ? { pingMode: options.pingMode } : {}),
    ...(options.maxItemsPerPush !== undefined ? { maxItemsPerPush: options.maxItemsPerPush } : {}),
    ...(options.pushTimeoutMs !== undefined ? { pushTimeoutMs: options.pushTimeoutMs } : {}),
    baseUrl: (): string => server.url,
  });
  let requestsPerMinute = options.backfillRequestsPerMinute ?? 100;
  let daysPerMinute = options.backfillDaysPerMinute ?? 10_000;
  let budget = { minute: -1, requests: 0, days: 0 };
  const forced = new ForcedRateLimit();

  const userStore = (userId: string) => {
    let entry = store.get(userId);
    if (!entry) {
      entry = new Map();
      store.set(userId, entry);
    }
    return entry;
  };
  const summariesOf = (userId: string, key: GarminPushKey) => store.get(userId)?.get(key) ?? [];
  const permissionsOf = (userId: string) =>
    permissions.get(userId) ?? options.permissions ?? DEFAULT_GARMIN_PERMISSIONS;

  const inWindow = (item: GarminSummary, start: number, end: number) => {
    const time = summaryTimeSeconds(item);
    return time !== null && time >= start && time < end;
  };

  function backfill(res: ServerResponse, userId: string, type: GarminSummaryType, url: URL) {
    const q = url.searchParams;
    const startText = q.get('summaryStartTimeInSeconds');
    const endText = q.get('summaryEndTimeInSeconds');
    const start = Number(startText);
    const end = Number(endText);
    if (!startText || !endText || !Number.isInteger(start) || !Number.isInteger(end) || start < 0)
      return sendJson(
        res,
        400,
        garminError('summaryStartTimeInSeconds and summaryEndTimeInSeconds are required'),
      );
    if (end <= start)
      return sendJson(res, 400, garminError('summaryEndTimeInSeconds must be after the start time'));
    const days = (end - start) / 86_400;
    if (days > backfillMaxDays(type))
      return sendJson(
        res,
        400,
        garminError(`time range exceeds the maximum of ${backfillMaxDays(type)} days`),
      );
    const floor = minStart.get(userId);
    if (floor !== undefined && start < floor)
      return sendJson(res, 400, garminError(`start time ${start} is before min start time ${floor}`));
    if (!permissionsOf(userId).includes('HISTORICAL_DATA_EXPORT'))
      return sendJson(
        res,
        options.backfillPermissionStatus ?? 403,
        garminError('User has not granted the HISTORICAL_DATA_EXPORT permission'),
      );
    const minute = Math.floor(now() / MINUTE_MS);
    if (budget.minute !== minute) budget = { minute, requests: 0, days: 0 };
    if (budget.requests + 1 > requestsPerMinute || budget.days + days > daysPerMinute) {
      const retryAfter = Math.max(1, Math.ceil(((minute + 1) * MINUTE_MS - now()) / 1000));
      return sendJson(res, 429, garminError('Rate limit exceeded'), { 'retry-after': String(retryAfter) });
    }
    budget.requests++;
    budget.days += days;
    const key = `${userId}|${type}|${start}|${end}`;
    if (requested.has(key)) return sendJson(res, 409, garminError('Duplicate backfill request'));
    requested.add(key);
    const pushKey = GARMIN_SUMMARY_TYPES[type];
    const record: GarminBackfill = {
      userId,
      type,
      pushKey,
      start,
      end,
      requestedAt: now(),
      items: 0,
      delivered: false,
    };
    backfills.push(record);
    res.writeHead(202);
    res.end();
    pusher.later(options.backfillDelayMs ?? 50, async () => {
      const items = summariesOf(userId, pushKey).filter((item) => inWindow(item, start, end));
      record.items = items.length;
      if (items.length > 0 || options.pushEmptyBackfills)
        await pusher.pushData(userId, pushKey, items, 'backfill');
      record.delivered = true;
    });
  }

  function pull(res: ServerResponse, userId: string, type: GarminSummaryType, url: URL) {
    const token = url.searchParams.get('token');
    if (token !== null) {
      const entry = pusher.pullTokens.get(token);
      if (!entry) return sendJson(res, 400, garminError('Invalid or expired token'));
      if (entry.userId !== userId)
        return sendJson(res, 403, garminError('The token belongs to another user'));
      return sendJson(res, 200, entry.items);
    }
    const start = Number(url.searchParams.get('uploadStartTimeInSeconds'));
    const end = Number(url.searchParams.get('uploadEndTimeInSeconds'));
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(end) ||
      end <= start ||
      !url.searchParams.get('uploadEndTimeInSeconds')
    )
      return sendJson(
        res,
        400,
        garminError('uploadStartTimeInSeconds and uploadEndTimeInSeconds are required'),
      );
    if (end - start > 86_400)
      return sendJson(res, 400, garminError('time range exceeds the maximum of 86400 seconds'));
    sendJson(
      res,
      200,
      summariesOf(userId, GARMIN_SUMMARY_TYPES[type]).filter((item) => inWindow(item, start, end)),
    );
  }

  function api(req: IncomingMessage, res: ServerResponse, url: URL, record: FakeGarminRequest) {
    const path = url.pathname.replace(/\/+$/, '');
    const known =
      /^\/(wellness-api|partner-gateway)\/rest\/user\/(id|permissions|registration)$/.test(path) ||
      /^\/wellness-api\/rest\/(backfill\/)?[A-Za-z]+$/.test(path);
    if (!known) return sendJson(res, 404, garminError(`No resource at ${url.pathname}`));
    const grant = oauth.authenticate(req);
    if (!grant)
      return sendJson(res, 401, garminError('Unauthorized'), {
        'www-authenticate': 'Bearer realm="apis.garmin.com"',
      });
    const userId = grant.userId;
    record.userId = userId;
    const wait = forced.take();
    if (wait !== null)
      return sendJson(res, 429, garminError('Rate limit exceeded'), { 'retry-after': String(wait) });

    const user = /^\/(wellness-api|partner-gateway)\/rest\/user\/(id|permissions|registration)$/.exec(path);
    if (user) {
      const [, api, what] = user;
      if (what === 'registration') {
        if (req.method !== 'DELETE') return sendJson(res, 405, garminError('Method not allowed'));
        oauth.revokeUser(userId);
        res.writeHead(204);
        res.end();
        if (options.pushDeregistrationOnDelete ?? true)
          pusher.later(options.backfillDelayMs ?? 50, () =>
            pusher.post({ deregistrations: [{ userId }] }, 'deregistration'),
          );
        return;
      }
      if (req.method !== 'GET') return sendJson(res, 405, garminError('Method not allowed'));
      if (what === 'id') return sendJson(res, 200, { userId });
      const list = permissionsOf(userId);
      return sendJson(res, 200, api === 'partner-gateway' ? { permissions: list } : list);
    }

    const data = /^\/wellness-api\/rest\/(backfill\/)?([A-Za-z]+)$/.exec(path)!;
    const type = data[2]!;
    if (!isGarminSummaryType(type)) return sendJson(res, 404, garminError(`Unknown summary type ${type}`));
    if (req.method !== 'GET') return sendJson(res, 405, garminError('Method not allowed'));
    if (data[1]) return backfill(res, userId, type, url);
    return pull(res, userId, type, url);
  }

  const server = await startProviderServer<FakeGarminRequest>(oauth, {
    record: () => ({ time: now(), userId: null }),
    handle: api,
  });

  const stamp = (userId: string, items: GarminSummary[]) => items.map((item) => ({ ...item, userId }));

  return {
    ...server,
    backfills,
    deliveries: pusher.deliveries,
    get webhookUrl() {
      return pusher.webhookUrl;
    },
    setWebhookUrl(url) {
      pusher.webhookUrl = url;
    },
    setPingMode(on) {
      pusher.pingMode = on;
    },
    setSummaries(userId, key, items) {
      userStore(userId).set(key, [...items]);
    },
    addSummaries(userId, key, items) {
      userStore(userId).set(key, [...summariesOf(userId, key), ...items]);
    },
    summaries: (userId, key) => [...summariesOf(userId, key)],
    seed(userId, dataset) {
      for (const [key, items] of Object.entries(dataset) as Array<[GarminPushKey, GarminSummary[]]>)
        userStore(userId).set(key, [...summariesOf(userId, key), ...stamp(userId, items)]);
    },
    setPermissions(userId, list) {
      permissions.set(userId, [...list]);
    },
    permissions: (userId) => [...permissionsOf(userId)],
    setMinStartTime(userId, seconds) {
      if (seconds === null) minStart.delete(userId);
      else minStart.set(userId, seconds);
    },
    setBackfillRateLimit(limits) {
      requestsPerMinute = limits.requestsPerMinute ?? requestsPerMinute;
      daysPerMinute = limits.daysPerMinute ?? daysPerMinute;
    },
    rateLimitNext: (n, retryAfterSeconds) => forced.next(n, retryAfterSeconds),
    resetRateLimits() {
      budget = { minute: -1, requests: 0, days: 0 };
      forced.next(0);
    },
    push: (payload, pushOptions) => pusher.track(pusher.post(payload, 'raw', pushOptions)),
    pushSummaries(userId, key, items) {
      const stamped = stamp(userId, items);
      userStore(userId).set(key, [...summariesOf(userId, key), ...stamped]);
      return pusher.track(pusher.pushData(userId, key, stamped, 'data'));
    },
    async pushNewActivity(userId, activity, pushOptions = {}) {
      const nowSeconds = Math.floor(now() / 1000);
      const item = {
        ...(activity ??
          garminActivity({
            userId,
            start: nowSeconds - 2700 - 300,
            activityType: 'RUNNING',
            durationInSeconds: 2700,
          })),
        userId,
      };
      const details = pushOptions.withDetails ? garminActivityDetails(item) : null;
      if (details) syncMaxima(item, details);
      userStore(userId).set('activities', [...summariesOf(userId, 'activities'), item]);
      const result = await pusher.track(pusher.pushData(userId, 'activities', [item], 'data'));
      if (details) {
        userStore(userId).set('activityDetails', [...summariesOf(userId, 'activityDetails'), details]);
        await pusher.track(pusher.pushData(userId, 'activityDetails', [details], 'data'));
      }
      return { ...result, activity: item };
    },
    deregister(userId) {
      oauth.revokeUser(userId);
      return pusher.track(pusher.post({ deregistrations: [{ userId }] }, 'deregistration'));
    },
    changePermissions(userId, list) {
      permissions.set(userId, [...list]);
      return pusher.track(
        pusher.post(
          {
            userPermissionsChange: [
              {
                userId,
                summaryId: `${userId}-${Math.floor(now() / 1000)}`,
                permissions: [...list],
                changeTimeInSeconds: Math.floor(now() / 1000),
              },
            ],
          },
          'permissions',
        ),
      );
    },
    idle: () => pusher.idle(),
    issueTokens: (userId) => oauth.issueTokens(userId),
    async stop() {
      pusher.cancel();
      await server.stop();
    },
  };
}
