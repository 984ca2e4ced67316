import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mapActivity } from '#shared/providers/garmin/activities.js';
import { isCallbackOf } from '#shared/providers/garmin/ping.js';
import {
  DEFAULT_GARMIN_USER,
  type FakeGarmin,
  GARMIN_PUSH_KEYS,
  type GarminSummary,
  generateGarminDays,
  startFakeGarmin,
} from '#test/fakes/garmin.js';
import { summaryTimeSeconds } from '#test/fakes/garmin-data.js';
import {
  createPkcePair,
  followConsent,
  type RunningHttpServer,
  readBody,
  sendJson,
  startHttpServer,
} from '#test/fakes/oauth-fake.js';

const REDIRECT = 'http://localhost:8000/api/v1/oauth/garmin/callback';
/** The fake's clock: 10:45 UTC, 15 s to the next minute never matters (rate-limit tests set their own). */
const NOW = Date.UTC(2024, 0, 31, 10, 45);
const DAY = 86_400;
const WAIT_MS = 10_000;

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A tiny webhook receiver: records every request, answers 200, lets a test wait for a matching one. */
class Receiver {
  readonly received: Received[] = [];
  status = 200;
  private waiters: Array<{ match: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  server!: RunningHttpServer;

  async start() {
    this.server = await startHttpServer(async (req, res, url) => {
      const raw = await readBody(req);
      const entry: Received = {
        method: req.method ?? '',
        url: url.pathname + url.search,
        headers: req.headers,
        body: raw ? JSON.parse(raw) : null,
      };
      this.received.push(entry);
      sendJson(res, this.status, { status: 'accepted' });
      for (const waiter of [...this.waiters])
        if (waiter.match(entry)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(entry);
        }
    });
    return this;
  }

  /** The first request (already received or coming) that matches; rejects after `WAIT_MS`. */
  next(match: (r: Received) => boolean): Promise<Received> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching push arrived')), WAIT_MS);
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }

  withKey(key: string, userId?: string) {
    return this.next((r) => {
      const list = (r.body as Record<string, GarminSummary[]> | null)?.[key];
      return Array.isArray(list) && (userId === undefined || list.some((item) => item.userId === userId));
    });
  }
}

let clock = NOW;
let fake: FakeGarmin;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await new Receiver().start();
  fake = await startFakeGarmin({
    now: () => clock,
    redirectUris: [REDIRECT],
    webhookUrl: `${receiver.server.url}/api/v1/providers/garmin/webhooks`,
    backfillDelayMs: 5,
  });
});
afterAll(async () => {
  await fake.stop();
  await receiver.server.stop();
});
beforeEach(() => {
  clock = NOW;
  fake.resetRateLimits();
  fake.setBackfillRateLimit({ requestsPerMinute: 100, daysPerMinute: 10_000 });
  fake.setPingMode(false);
  receiver.received.length = 0;
  receiver.status = 200;
});

function authorizeUrl(challenge?: string): string {
  const url = new URL(fake.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', fake.clientId);
  url.searchParams.set('redirect_uri', REDIRECT);
  url.searchParams.set('state', 'st-garmin');
  if (challenge) {
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  return url.toString();
}

async function postToken(form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const credentials = () => ({ client_id: fake.clientId, client_secret: fake.clientSecret });

async function connect(userId: string): Promise<string> {
  fake.oauth.setUser(userId);
  const pkce = createPkcePair();
  const consent = await followConsent(authorizeUrl(pkce.challenge));
  const exchange = await postToken({
    grant_type: 'authorization_code',
    code: consent.code!,
    redirect_uri: REDIRECT,
    code_verifier: pkce.verifier,
    ...credentials(),
  });
  expect(exchange.status).toBe(200);
  return String(exchange.body.access_token);
}

const api = (token: string | null, path: string, method = 'GET') =>
  fetch(`${fake.apiBaseUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

const backfill = (token: string, type: string, start: number, end: number) =>
  api(
    token,
    `/wellness-api/rest/backfill/${type}?summaryStartTimeInSeconds=${start}&summaryEndTimeInSeconds=${end}`,
  );

const nowSeconds = () => Math.floor(clock / 1000);

describe('fake Garmin OAuth', () => {
  it('runs code + PKCE with body credentials and answers like Garmin', async () => {
    const pkce = createPkcePair();
    fake.oauth.setUser('garmin-oauth-1');
    const consent = await followConsent(authorizeUrl(pkce.challenge));
    expect(consent.state).toBe('st-garmin');
    const exchange = await postToken({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
      ...credentials(),
    });
    expect(exchange.status).toBe(200);
    expect(exchange.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 86_400,
      refresh_token_expires_in: 7_775_998,
    });
    expect(typeof exchange.body.refresh_token).toBe('string');

    const id = await api(String(exchange.body.access_token), '/wellness-api/rest/user/id');
    expect(await id.json()).toEqual({ userId: 'garmin-oauth-1' });

    const refreshed = await postToken({
      grant_type: 'refresh_token',
      refresh_token: String(exchange.body.refresh_token),
      ...credentials(),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(exchange.body.refresh_token);
  });

  it('enforces PKCE: no challenge at authorize, a wrong verifier at the token endpoint', async () => {
    expect(await followConsent(authorizeUrl())).toMatchObject({ code: null, error: 'invalid_request' });
    const consent = await followConsent(authorizeUrl(createPkcePair().challenge));
    const exchange = await postToken({
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: createPkcePair().verifier,
      ...credentials(),
    });
    expect(exchange).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('wants the client credentials in the body, not Basic', async () => {
    const pkce = createPkcePair();
    const consent = await followConsent(authorizeUrl(pkce.challenge));
    const basic = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`;
    const form = {
      grant_type: 'authorization_code',
      code: consent.code!,
      redirect_uri: REDIRECT,
      code_verifier: pkce.verifier,
    };
    expect((await postToken(form, { authorization: basic })).status).toBe(401);
    expect((await postToken({ ...form, ...credentials() })).status).toBe(200);
  });
});

describe('fake Garmin partner gateway', () => {
  it('serves user id and permissions; 401 without a live Bearer token', async () => {
    const token = await connect('gw-user');
    expect(await (await api(token, '/partner-gateway/rest/user/id')).json()).toEqual({ userId: 'gw-user' });
    expect(await (await api(token, '/partner-gateway/rest/user/permissions')).json()).toEqual({
      permissions: ['ACTIVITY_EXPORT', 'HEALTH_EXPORT', 'HISTORICAL_DATA_EXPORT'],
    });
    fake.setPermissions('gw-user', ['ACTIVITY_EXPORT']);
    expect(await (await api(token, '/partner-gateway/rest/user/permissions')).json()).toEqual({
      permissions: ['ACTIVITY_EXPORT'],
    });
    expect((await api(null, '/wellness-api/rest/user/id')).status).toBe(401);
    expect((await api('made-up', '/partner-gateway/rest/user/id')).status).toBe(401);
    expect((await api(token, '/wellness-api/rest/nothing/here')).status).toBe(404);
  });

  it('DELETE registration: 204, the token dies and a deregistration push follows', async () => {
    const token = await connect('gw-leaver');
    const response = await api(token, '/wellness-api/rest/user/registration', 'DELETE');
    expect(response.status).toBe(204);
    expect((await api(token, '/wellness-api/rest/user/id')).status).toBe(401);
    const push = await receiver.withKey('deregistrations', 'gw-leaver');
    expect(push.body).toEqual({ deregistrations: [{ userId: 'gw-leaver' }] });
    expect(push.headers['garmin-client-id']).toBe(fake.clientId);
  });
});

describe('fake Garmin backfill', () => {
  it('answers 202 empty, then pushes the window of that type under its push key', async () => {
    const userId = 'bf-user-1';
    const data = generateGarminDays({ days: 10, end: clock, userId, heartRateSampleSeconds: 60 });
    fake.seed(userId, data);
    const token = await connect(userId);
    const start = nowSeconds() - 5 * DAY;
    const response = await backfill(token, 'sleeps', start, nowSeconds());
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');

    const push = await receiver.withKey('sleeps', userId);
    expect(push.method).toBe('POST');
    expect(push.url).toBe('/api/v1/providers/garmin/webhooks');
    expect(push.headers['garmin-client-id']).toBe(fake.clientId);
    expect(push.headers['content-type']).toBe('application/json');
    const sleeps = (push.body as { sleeps: GarminSummary[] }).sleeps;
    const expected = data.sleeps!.filter((s) => (s.startTimeInSeconds as number) >= start);
    expect(sleeps.map((s) => s.summaryId)).toEqual(expected.map((s) => s.summaryId));
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
    await fake.idle();
    expect(fake.backfills.at(-1)).toMatchObject({
      userId,
      type: 'sleeps',
      items: sleeps.length,
      delivered: true,
    });
    expect(fake.requests.filter((r) => r.path === '/wellness-api/rest/backfill/sleeps')).toHaveLength(1);
  });

  it('pushes under Garmin push keys for respiration, pulseOx and moveiq', async () => {
    const userId = 'bf-user-keys';
    fake.seed(userId, generateGarminDays({ days: 30, end: clock, userId, heartRateSampleSeconds: 300 }));
    const token = await connect(userId);
    const start = nowSeconds() - 30 * DAY;
    for (const [type, key] of [
      ['respiration', 'allDayRespiration'],
      ['pulseOx', 'pulseox'],
      ['moveiq', 'moveIQActivities'],
    ] as const) {
      expect((await backfill(token, type, start, nowSeconds())).status).toBe(202);
      const push = await receiver.withKey(key, userId);
      expect(Object.keys(push.body as object)).toEqual([key]);
    }
  });

  it('409 for the same (type, start, end) again; another window is fine', async () => {
    const token = await connect('bf-dup');
    const start = nowSeconds() - 10 * DAY;
    expect((await backfill(token, 'dailies', start, nowSeconds())).status).toBe(202);
    expect((await backfill(token, 'dailies', start, nowSeconds())).status).toBe(409);
    expect((await backfill(token, 'dailies', start - DAY, nowSeconds())).status).toBe(202);
    expect((await backfill(token, 'hrv', start, nowSeconds())).status).toBe(202);
  });

  it('403 without HISTORICAL_DATA_EXPORT (412 when configured)', async () => {
    const token = await connect('bf-no-history');
    fake.setPermissions('bf-no-history', ['ACTIVITY_EXPORT', 'HEALTH_EXPORT']);
    const start = nowSeconds() - DAY;
    const response = await backfill(token, 'activities', start, nowSeconds());
    expect(response.status).toBe(403);

    const strict = await startFakeGarmin({ backfillPermissionStatus: 412, permissions: ['HEALTH_EXPORT'] });
    try {
      const other = String(strict.issueTokens('u').access_token);
      const answer = await fetch(
        `${strict.apiBaseUrl}/wellness-api/rest/backfill/sleeps?summaryStartTimeInSeconds=${start}&summaryEndTimeInSeconds=${nowSeconds()}`,
        { headers: { authorization: `Bearer ${other}` } },
      );
      expect(answer.status).toBe(412);
    } finally {
      await strict.stop();
    }
  });

  it('400 for missing, reversed or too long ranges and before the min start time', async () => {
    const token = await connect('bf-bad');
    const end = nowSeconds();
    expect((await api(token, '/wellness-api/rest/backfill/sleeps')).status).toBe(400);
    expect((await backfill(token, 'sleeps', end, end - DAY)).status).toBe(400);
    expect((await backfill(token, 'activities', end - 31 * DAY, end)).status).toBe(400);
    expect((await backfill(token, 'dailies', end - 90 * DAY, end)).status).toBe(202);
    expect((await backfill(token, 'nonsense', end - DAY, end)).status).toBe(404);
    fake.setMinStartTime('bf-bad', end - 14 * DAY);
    const early = await backfill(token, 'activities', end - 20 * DAY, end);
    expect(early.status).toBe(400);
    expect(await early.text()).toContain('min start time');
    expect((await backfill(token, 'activities', end - 14 * DAY, end)).status).toBe(202);
  });

  it('429 with Retry-After past the per-minute request budget, fresh the next minute', async () => {
    const token = await connect('bf-rate');
    fake.setBackfillRateLimit({ requestsPerMinute: 2 });
    clock = Date.UTC(2024, 0, 31, 10, 45, 20);
    const end = nowSeconds();
    expect((await backfill(token, 'sleeps', end - DAY, end)).status).toBe(202);
    expect((await backfill(token, 'dailies', end - DAY, end)).status).toBe(202);
    const limited = await backfill(token, 'hrv', end - DAY, end);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    clock += 40_000;
    expect((await backfill(token, 'hrv', end - DAY, end)).status).toBe(202);
    expect(fake.requests.filter((r) => r.userId === 'bf-rate' && r.status === 429)).toHaveLength(1);
  });

  it('429 past the days-per-minute budget', async () => {
    const token = await connect('bf-days');
    fake.setBackfillRateLimit({ daysPerMinute: 40 });
    const end = nowSeconds();
    expect((await backfill(token, 'sleeps', end - 30 * DAY, end)).status).toBe(202);
    expect((await backfill(token, 'dailies', end - 30 * DAY, end)).status).toBe(429);
  });
});

describe('fake Garmin pushes', () => {
  it('pushNewActivity, changePermissions and deregister reach the webhook with the header', async () => {
    const { status, activity } = await fake.pushNewActivity('push-user', undefined, { withDetails: true });
    expect(status).toBe(200);
    const push = await receiver.withKey('activities', 'push-user');
    expect((push.body as { activities: GarminSummary[] }).activities).toEqual([activity]);
    expect(activity).toMatchObject({ activityType: 'RUNNING', durationInSeconds: 2700, userId: 'push-user' });
    const details = await receiver.withKey('activityDetails', 'push-user');
    const detail = (details.body as { activityDetails: GarminSummary[] }).activityDetails[0]!;
    expect(detail.activityId).toBe(activity.activityId);
    expect((detail.samples as unknown[]).length).toBeGreaterThan(200);
    expect(detail.summary).toMatchObject({
      maxHeartRateInBeatsPerMinute: activity.maxHeartRateInBeatsPerMinute,
      maxSpeedInMetersPerSecond: activity.maxSpeedInMetersPerSecond,
    });

    await fake.changePermissions('push-user', ['ACTIVITY_EXPORT']);
    const change = await receiver.withKey('userPermissionsChange', 'push-user');
    expect(
      (change.body as { userPermissionsChange: GarminSummary[] }).userPermissionsChange[0],
    ).toMatchObject({
      userId: 'push-user',
      permissions: ['ACTIVITY_EXPORT'],
    });
    expect(fake.permissions('push-user')).toEqual(['ACTIVITY_EXPORT']);

    const tokens = fake.issueTokens('push-user');
    // What the webhook handler reads instead of the pushed permissions (they could be forged).
    expect(
      await (await api(String(tokens.access_token), '/partner-gateway/rest/user/permissions')).json(),
    ).toEqual({ permissions: ['ACTIVITY_EXPORT'] });

    await fake.deregister('push-user');
    expect((await receiver.withKey('deregistrations', 'push-user')).headers['garmin-client-id']).toBe(
      fake.clientId,
    );
    // A deregistration is the user revoking access: the access token and the refresh token both die, which is
    // how the webhook handler tells a real deregistration from a forged one.
    expect((await api(String(tokens.access_token), '/partner-gateway/rest/user/id')).status).toBe(401);
    expect((await api(String(tokens.access_token), '/wellness-api/rest/user/id')).status).toBe(401);
    const refresh = await postToken({
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
      ...credentials(),
    });
    expect(refresh).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('pushSummaries stores the items and splits big sets into several POSTs', async () => {
    const userId = 'chunk-user';
    const epochs = generateGarminDays({
      days: 4,
      end: clock,
      userId: 'someone',
      heartRateSampleSeconds: 300,
    }).epochs!.slice(0, 250);
    const sizes: number[] = [];
    const before = receiver.received.length;
    await fake.pushSummaries(userId, 'epochs', epochs);
    for (const r of receiver.received.slice(before))
      sizes.push((r.body as { epochs: GarminSummary[] }).epochs.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(fake.summaries(userId, 'epochs').every((e) => e.userId === userId)).toBe(true);
  });

  it('push sends any body and reports the answer; the header can be left out', async () => {
    receiver.status = 401;
    const result = await fake.push({ dailies: [] }, { clientIdHeader: null });
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body)).toEqual({ status: 'accepted' });
    const received = receiver.received.at(-1)!;
    expect(received.headers['garmin-client-id']).toBeUndefined();
    expect(fake.deliveries.at(-1)).toMatchObject({ reason: 'raw', status: 401, counts: { dailies: 0 } });
  });

  it('ping mode: callbackURLs that answer the summaries with the Bearer token only', async () => {
    const userId = 'ping-user';
    const data = generateGarminDays({ days: 3, end: clock, userId, heartRateSampleSeconds: 300 });
    fake.seed(userId, data);
    fake.setPingMode(true);
    const token = await connect(userId);
    expect((await backfill(token, 'dailies', nowSeconds() - 3 * DAY, nowSeconds())).status).toBe(202);
    const push = await receiver.withKey('dailies', userId);
    const [item] = (push.body as { dailies: GarminSummary[] }).dailies;
    expect(Object.keys(item!).sort()).toEqual(
      ['callbackURL', 'uploadEndTimeInSeconds', 'uploadStartTimeInSeconds', 'userId'].sort(),
    );
    const callback = String(item!.callbackURL);
    expect(new URL(callback).pathname).toBe('/wellness-api/rest/dailies');
    // What the webhook handler agrees to fetch (path of the type, Garmin's callback parameters only).
    expect(isCallbackOf(callback, 'dailies')).toBe(true);
    expect(isCallbackOf(callback, 'sleeps')).toBe(false);
    expect((await fetch(callback)).status).toBe(401);
    const pulled = (await (
      await fetch(callback, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as GarminSummary[];
    expect(pulled.map((d) => d.summaryId)).toEqual(data.dailies!.map((d) => d.summaryId));
    expect(fake.deliveries.at(-1)?.ping).toBe(true);
  });

  it('without a webhook URL a push fails softly; setWebhookUrl fixes it', async () => {
    const lonely = await startFakeGarmin({ backfillDelayMs: 1 });
    try {
      expect(lonely.webhookUrl).toBeNull();
      const result = await lonely.push({ dailies: [] });
      expect(result).toMatchObject({ status: 0, error: 'no webhook URL configured' });
      lonely.setWebhookUrl(`${receiver.server.url}/late`);
      expect((await lonely.push({ dailies: [] })).status).toBe(200);
      expect(receiver.received.at(-1)?.url).toBe('/late');
    } finally {
      await lonely.stop();
    }
  });
});

describe('Garmin day generator', () => {
  const end = Date.UTC(2024, 5, 10, 12, 30);
  const data = generateGarminDays({
    days: 7,
    end,
    userId: DEFAULT_GARMIN_USER,
    seed: 3,
    heartRateSampleSeconds: 60,
  });

  it('is deterministic per day and never in the future', () => {
    const shorter = generateGarminDays({
      days: 2,
      end,
      userId: DEFAULT_GARMIN_USER,
      seed: 3,
      heartRateSampleSeconds: 60,
    });
    expect(shorter.dailies!.at(-1)).toEqual(data.dailies!.at(-1));
    expect(shorter.sleeps!.at(-1)).toEqual(data.sleeps!.at(-1));
    for (const key of GARMIN_PUSH_KEYS)
      for (const item of data[key] ?? []) {
        expect(item.userId).toBe(DEFAULT_GARMIN_USER);
        if (key !== 'mct') expect(summaryTimeSeconds(item)! * 1000).toBeLessThan(end);
      }
    // Every type the push webhook knows except the rare ones comes out of a week.
    for (const key of [
      'sleeps',
      'dailies',
      'epochs',
      'hrv',
      'stressDetails',
      'allDayRespiration',
      'pulseox',
      'skinTemp',
      'userMetrics',
      'activities',
      'activityDetails',
      'mct',
    ])
      expect(data[key as keyof typeof data]?.length, key).toBeGreaterThan(0);
  });

  it('sleeps add up: stage totals, the stage map and the duration agree', () => {
    for (const sleep of data.sleeps!) {
      const map = sleep.sleepLevelsMap as Record<
        string,
        Array<{ startTimeInSeconds: number; endTimeInSeconds: number }>
      >;
      const sum = (stage: string) =>
        (map[stage] ?? []).reduce((s, r) => s + r.endTimeInSeconds - r.startTimeInSeconds, 0);
      expect(sum('deep')).toBe(sleep.deepSleepDurationInSeconds);
      expect(sum('light')).toBe(sleep.lightSleepDurationInSeconds);
      expect(sum('rem')).toBe(sleep.remSleepInSeconds);
      expect(sum('awake')).toBe(sleep.awakeDurationInSeconds);
      expect(sum('deep') + sum('light') + sum('rem') + sum('awake')).toBe(sleep.durationInSeconds);
      expect((sleep.durationInSeconds as number) / 3600).toBeGreaterThan(6);
    }
  });

  it('dailies are the sum of their epochs; heart rate every sample step', () => {
    for (const daily of data.dailies!) {
      const start = daily.startTimeInSeconds as number;
      const epochs = data.epochs!.filter(
        (e) => (e.startTimeInSeconds as number) >= start && (e.startTimeInSeconds as number) < start + DAY,
      );
      expect(epochs.reduce((s, e) => s + (e.steps as number), 0)).toBe(daily.steps);
      const samples = Object.keys(daily.timeOffsetHeartRateSamples as object);
      expect(samples.length).toBe((daily.durationInSeconds as number) / 60);
    }
  });

  it('activities map to workouts with the project mapping', () => {
    for (const activity of data.activities!) {
      const workout = mapActivity(activity);
      expect(workout).not.toBeNull();
      expect(workout!.type).not.toBe('other');
      expect(workout!.end).toBeLessThanOrEqual(end);
      expect(workout!.zoneOffset).toBe('+01:00');
    }
  });
});
