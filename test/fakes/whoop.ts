/**
 * A fake WHOOP Developer Platform (API v2, providers.md 4.4 and 5) on one local port:
 *
 * - OAuth 2.0 (oauth-fake.ts) at `/oauth/oauth2/auth` and `/oauth/oauth2/token`: client credentials in the body, no
 *   PKCE, 1 h access tokens; a refresh token only when the `offline` scope was granted, rotated on every refresh
 *   (the old one then answers 400 `invalid_grant`);
 * - under `/developer` (the `apiBaseUrl`): `GET /v2/user/profile/basic`, `GET /v2/user/measurement/body`,
 *   `DELETE /v2/user/access` (ends the member's grant, 204); the collections `GET /v2/cycle`, `/v2/recovery`,
 *   `/v2/activity/sleep`, `/v2/activity/workout` (`start`/`end` instants, newest first, `limit` 1-25 (default 10,
 *   400 above), cursor `nextToken` -> `next_token`, `{records, next_token}`); by id `GET /v2/cycle/{id}`,
 *   `/v2/cycle/{id}/recovery`, `/v2/activity/sleep/{uuid}`, `/v2/activity/workout/{uuid}` (404 when unknown or
 *   another member's);
 * - 401 for a missing, expired or revoked access token;
 * - the app-wide limits (100 a minute, 10,000 a day) with WHOOP's `X-RateLimit-Limit` / `-Remaining` / `-Reset`
 *   headers on every API answer, 429 past either or while `rateLimitNext` has requests left to refuse;
 * - signed webhook deliveries to the URL set with `setWebhookUrl` (whoop-webhooks.ts), sent by the mutators below.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '#test/fakes/oauth-fake.js';
import {
  countBy,
  type FakeRequest,
  type ProviderFakeOptions,
  providerOAuth,
  startProviderServer,
} from '#test/fakes/provider-fake.js';
import { errorBody, newMember, type WhoopMember, WhoopRateMeter, whoopGet } from '#test/fakes/whoop-api.js';
import {
  DEFAULT_WHOOP_USER,
  type WhoopBody,
  type WhoopCycle,
  type WhoopDays,
  type WhoopWorkout,
  whoopIso,
  whoopRecovery,
  whoopSleep,
  whoopWorkout,
} from '#test/fakes/whoop-data.js';
import {
  type WhoopDelivery,
  type WhoopDeliveryOptions,
  type WhoopEvent,
  WhoopWebhooks,
} from '#test/fakes/whoop-webhooks.js';

export * from '#test/fakes/whoop-data.js';
export * from '#test/fakes/whoop-webhooks.js';

/** `now` also drives the rate-limit windows and webhook timestamps. */
export interface FakeWhoopOptions extends ProviderFakeOptions {
  /** The member who approves the consent page. Default 10129. */
  userId?: number;
  /** Default 100 a minute and 10,000 a day. */
  rateLimits?: { minute?: number; day?: number };
}

export interface FakeWhoopRequest extends FakeRequest {
  time: number;
  userId: number | null;
}

type Notify = { notify?: boolean };

const API = '/developer';
const MINUTE_MS = 60_000;
const startOf = (record: { start: string }) => Date.parse(record.start);

export async function startFakeWhoop(options: FakeWhoopOptions = {}) {
  const now = options.now ?? Date.now;
  const oauth = providerOAuth(options, {
    clientId: 'fake-whoop-client',
    clientSecret: 'fake-whoop-secret',
    authorizePath: '/oauth/oauth2/auth',
    tokenPath: '/oauth/oauth2/token',
    userId: String(options.userId ?? DEFAULT_WHOOP_USER),
    // WHOOP issues a refresh token only to apps that asked for `offline`.
    tokenExtras: ({ scope }) => (scope.split(/\s+/).includes('offline') ? {} : { refresh_token: undefined }),
  });
  const members = new Map<number, WhoopMember>();
  const member = (userId: number): WhoopMember => {
    if (!members.has(userId)) members.set(userId, newMember(userId));
    return members.get(userId)!;
  };
  const ownerOf = (kind: 'workouts' | 'sleeps', id: string) =>
    [...members.values()].find((m) => m[kind].has(id)) ?? null;

  /** Members whose grant `DELETE /v2/user/access` ended, in order. */
  const accessRevocations: number[] = [];
  const meter = new WhoopRateMeter(options.rateLimits);

  function api(req: IncomingMessage, res: ServerResponse, url: URL, record: FakeWhoopRequest) {
    if (!url.pathname.startsWith(`${API}/`)) return sendJson(res, 404, errorBody('Not Found'));
    const { refused, headers } = meter.take(now());
    const grant = oauth.authenticate(req);
    if (!grant) return sendJson(res, 401, errorBody('Authorization was not valid'), headers);
    if (refused) return sendJson(res, 429, errorBody('Too Many Requests'), headers);
    const userId = Number(grant.userId);
    record.userId = userId;
    const path = url.pathname.slice(API.length);
    if (record.method === 'DELETE' && path === '/v2/user/access') {
      accessRevocations.push(userId);
      oauth.revokeUser(grant.userId);
      res.writeHead(204, headers).end();
      return;
    }
    if (record.method !== 'GET') return sendJson(res, 405, errorBody('Method Not Allowed'), headers);
    const answer = whoopGet(member(userId), path, url, now());
    sendJson(res, answer.status, answer.body, headers);
  }

  const server = await startProviderServer<FakeWhoopRequest>(oauth, {
    apiPath: API,
    record: () => ({ time: now(), userId: null }),
    handle: api,
  });

  const webhooks = new WhoopWebhooks(server.clientSecret, now);
  const notify = async (options: Notify | undefined, events: WhoopEvent[]) => {
    if (!(options?.notify ?? true) || !webhooks.webhookUrl) return [];
    const sent: WhoopDelivery[] = [];
    for (const event of events) sent.push(await webhooks.send(event));
    return sent;
  };

  return {
    ...server,
    accessRevocations,
    /** Deliveries sent to the webhook URL, oldest first. */
    deliveries: webhooks.deliveries,
    get webhookUrl() {
      return webhooks.webhookUrl;
    },
    /** Where webhooks go: `${API_BASE_URL}/api/v1/providers/whoop/webhooks` (set in the WHOOP dashboard for real). */
    setWebhookUrl(url: string | null) {
      webhooks.webhookUrl = url;
    },
    /** API requests per path, for benchmarks (ids kept: by-id routes count apart). */
    requestCounts: () => countBy(server.requests, (r) => r.path),
    /** Adds a member's records (replacing those of the same ids). */
    seed(userId: number, days: WhoopDays) {
      const m = member(userId);
      for (const cycle of days.cycles) m.cycles.set(cycle.id, { ...cycle, user_id: userId });
      for (const sleep of days.sleeps) m.sleeps.set(sleep.id, { ...sleep, user_id: userId });
      for (const recovery of days.recoveries)
        m.recoveries.set(recovery.cycle_id, { ...recovery, user_id: userId });
      for (const workout of days.workouts) m.workouts.set(workout.id, { ...workout, user_id: userId });
    },
    records(userId: number) {
      const m = member(userId);
      const byStart = <T extends { start: string }>(list: Iterable<T>) =>
        [...list].sort((a, b) => startOf(a) - startOf(b));
      return {
        cycles: byStart(m.cycles.values()),
        sleeps: byStart(m.sleeps.values()),
        recoveries: [...m.recoveries.values()],
        workouts: byStart(m.workouts.values()),
        body: m.body,
        profile: m.profile,
      };
    },
    setProfile(userId: number, profile: Partial<WhoopMember['profile']>) {
      Object.assign(member(userId).profile, profile);
    },
    setBody(userId: number, body: Partial<WhoopBody>) {
      Object.assign(member(userId).body, body);
    },
    /** A new scored workout (2 h ago unless given) and its `workout.updated`. */
    async addWorkout(userId: number, fields: Partial<WhoopWorkout> = {}, options?: Notify) {
      const workout = {
        ...whoopWorkout({ userId, start: now() - 2 * 3_600_000, durationMs: 45 * MINUTE_MS }),
        ...fields,
        user_id: userId,
      };
      member(userId).workouts.set(workout.id, workout);
      const sent = await notify(options, [{ user_id: userId, id: workout.id, type: 'workout.updated' }]);
      return { workout, deliveries: sent };
    },
    async updateWorkout(id: string, changes: Partial<WhoopWorkout>, options?: Notify) {
      const m = ownerOf('workouts', id);
      const current = m?.workouts.get(id);
      if (!m || !current) throw new Error(`no workout ${id}`);
      const workout = { ...current, ...changes, id, updated_at: whoopIso(now()) };
      m.workouts.set(id, workout);
      const sent = await notify(options, [{ user_id: m.profile.user_id, id, type: 'workout.updated' }]);
      return { workout, deliveries: sent };
    },
    async deleteWorkout(id: string, options?: Notify) {
      const m = ownerOf('workouts', id);
      if (!m) throw new Error(`no workout ${id}`);
      m.workouts.delete(id);
      return notify(options, [{ user_id: m.profile.user_id, id, type: 'workout.deleted' }]);
    },
    /**
     * A new night: its cycle (starting at sleep onset), the scored sleep and its recovery; `sleep.updated` then
     * `recovery.updated` (which carries the sleep's id, as v2 webhooks do).
     */
    async addNight(
      userId: number,
      night: { start: number; durationMs: number; cycleId?: number; timezoneOffset?: string },
      options?: Notify,
    ) {
      const m = member(userId);
      const cycleId = night.cycleId ?? Math.max(90_000_000, ...m.cycles.keys()) + 1;
      const offset = night.timezoneOffset ?? '-05:00';
      const cycle: WhoopCycle = {
        id: cycleId,
        user_id: userId,
        created_at: whoopIso(night.start),
        updated_at: whoopIso(now()),
        start: whoopIso(night.start),
        timezone_offset: offset,
        score_state: 'SCORED',
        score: { strain: 3.1, kilojoule: 2100, average_heart_rate: 61, max_heart_rate: 98 },
      };
      const sleep = whoopSleep({
        userId,
        cycleId,
        start: night.start,
        durationMs: night.durationMs,
        timezoneOffset: offset,
      });
      const recovery = whoopRecovery(sleep);
      m.cycles.set(cycleId, cycle);
      m.sleeps.set(sleep.id, sleep);
      m.recoveries.set(cycleId, recovery);
      const sent = await notify(options, [
        { user_id: userId, id: sleep.id, type: 'sleep.updated' },
        { user_id: userId, id: sleep.id, type: 'recovery.updated' },
      ]);
      return { cycle, sleep, recovery, deliveries: sent };
    },
    /** Deletes a sleep and its recovery (as WHOOP does): `sleep.deleted`, then `recovery.deleted`. */
    async deleteSleep(id: string, options?: Notify) {
      const m = ownerOf('sleeps', id);
      const sleep = m?.sleeps.get(id);
      if (!m || !sleep) throw new Error(`no sleep ${id}`);
      m.sleeps.delete(id);
      if (m.recoveries.get(sleep.cycle_id)?.sleep_id === id) m.recoveries.delete(sleep.cycle_id);
      return notify(options, [
        { user_id: m.profile.user_id, id, type: 'sleep.deleted' },
        { user_id: m.profile.user_id, id, type: 'recovery.deleted' },
      ]);
    },
    /** Posts one event to the webhook URL, signed as WHOOP signs (or wrongly, or stale: `options`). */
    sendWebhook: (event: WhoopEvent, options?: WhoopDeliveryOptions) => webhooks.send(event, options),
    /** The next `n` API requests answer 429 (with the rate-limit headers). */
    rateLimitNext: (n: number) => meter.forced.next(n),
    setRateLimits(next: { minute?: number; day?: number }) {
      Object.assign(meter.limits, next);
    },
    resetRateLimits: () => meter.reset(),
    /** Mints tokens without the browser dance (test setup). */
    issueTokens: (
      userId: number = DEFAULT_WHOOP_USER,
      scope = 'offline read:cycles read:sleep read:recovery read:workout read:body_measurement read:profile',
    ) => oauth.issueTokens(String(userId), scope),
  };
}

export type FakeWhoop = Awaited<ReturnType<typeof startFakeWhoop>>;
