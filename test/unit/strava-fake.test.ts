import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  followConsent,
  type RunningHttpServer,
  readBody,
  sendJson,
  startHttpServer,
} from '#test/fakes/oauth-fake.js';
import {
  type FakeStrava,
  generateStravaActivities,
  type StravaActivity,
  type StravaEvent,
  startFakeStrava,
} from '#test/fakes/strava.js';

const REDIRECT = 'http://localhost:8000/api/v1/oauth/strava/callback';
const VERIFY_TOKEN = 'verify-me';
/** The fake's clock: 10:05 UTC, inside the 10:00-10:15 rate-limit window. */
const NOW = Date.UTC(2024, 1, 1, 10, 5);
const DAY_MS = 86_400_000;

/** The app's webhook endpoint: answers Strava's challenge (or not) and records event POSTs. */
class Callback {
  server!: RunningHttpServer;
  readonly posts: StravaEvent[] = [];
  readonly challenges: URLSearchParams[] = [];
  /** How the GET challenge is answered. */
  mode: 'echo' | 'wrong' | 'forbidden' = 'echo';

  async start() {
    this.server = await startHttpServer(async (req, res, url) => {
      if (req.method === 'GET') {
        this.challenges.push(url.searchParams);
        if (this.mode === 'forbidden' || url.searchParams.get('hub.verify_token') !== VERIFY_TOKEN)
          return sendJson(res, 403, { detail: 'bad token' });
        const challenge = url.searchParams.get('hub.challenge');
        return sendJson(res, 200, { 'hub.challenge': this.mode === 'echo' ? challenge : 'nope' });
      }
      this.posts.push(JSON.parse(await readBody(req)) as StravaEvent);
      sendJson(res, 200, { status: 'accepted' });
    });
    return this;
  }

  get url() {
    return `${this.server.url}/api/v1/providers/strava/webhooks`;
  }
}

let clock = NOW;
let fake: FakeStrava;
let callback: Callback;

beforeAll(async () => {
  callback = await new Callback().start();
  fake = await startFakeStrava({
    now: () => clock,
    redirectUris: [REDIRECT],
    athletes: [{ id: 134815, username: 'marianne_t', firstname: 'Marianne', lastname: 'T' }],
  });
});
afterAll(async () => {
  await fake.stop();
  await callback.server.stop();
});
beforeEach(() => {
  clock = NOW;
  fake.resetRateLimits();
  fake.setRateLimits({ fifteenMinute: 200, daily: 2000 });
  fake.requests.length = 0;
  callback.mode = 'echo';
});

const postForm = (url: string, form: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });

async function connect(athleteId: number, scope = 'read,activity:read_all,profile:read_all') {
  fake.oauth.setUser(String(athleteId));
  const authorize = new URL(fake.authorizeUrl);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: fake.clientId,
    redirect_uri: REDIRECT,
    state: 'st-strava',
    scope,
  }).toString();
  const consent = await followConsent(authorize.toString());
  const response = await postForm(fake.tokenUrl, {
    grant_type: 'authorization_code',
    code: consent.code!,
    redirect_uri: REDIRECT,
    client_id: fake.clientId,
    client_secret: fake.clientSecret,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const get = (token: string | null, path: string) =>
  fetch(`${fake.apiBaseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('fake Strava OAuth', () => {
  it('code exchange with body credentials returns expires_at and the athlete; refresh rotates', async () => {
    const tokens = await connect(134815);
    expect(tokens).toMatchObject({
      token_type: 'Bearer',
      expires_in: 21_600,
      expires_at: Math.floor(NOW / 1000) + 21_600,
      athlete: { id: 134815, username: 'marianne_t', firstname: 'Marianne', resource_state: 2 },
    });
    expect(tokens).not.toHaveProperty('scope');

    const refresh = (token: unknown) =>
      postForm(fake.tokenUrl, {
        grant_type: 'refresh_token',
        refresh_token: String(token),
        client_id: fake.clientId,
        client_secret: fake.clientSecret,
      });
    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as Record<string, unknown>;
    expect(body.refresh_token).not.toBe(tokens.refresh_token);
    expect(body).not.toHaveProperty('athlete');
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
  });

  it('a Basic header is not how Strava takes client credentials', async () => {
    fake.oauth.setUser('7');
    const authorize = fake.oauth.buildAuthorizeUrl(fake.url, { redirectUri: REDIRECT, state: 's' });
    const consent = await followConsent(authorize);
    const response = await fetch(fake.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: consent.code!,
        redirect_uri: REDIRECT,
      }),
    });
    expect(response.status).toBe(401);
  });

  it('GET /athlete with the token; 401 with Strava error body without', async () => {
    const { access_token } = await connect(134815);
    const athlete = await get(String(access_token), '/athlete');
    expect(await athlete.json()).toMatchObject({ id: 134815, username: 'marianne_t', resource_state: 3 });
    const denied = await get(null, '/athlete');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({
      message: 'Authorization Error',
      errors: [{ resource: 'Athlete', field: 'access_token', code: 'invalid' }],
    });
  });

  it('deauthorize ends the authorization', async () => {
    const { access_token } = await connect(555);
    const response = await postForm(fake.deauthorizeUrl, { access_token: String(access_token) });
    expect(response.status).toBe(200);
    expect((await get(String(access_token), '/athlete')).status).toBe(401);
  });
});

describe('fake Strava activities', () => {
  const athleteId = 2001;
  const activities = generateStravaActivities({ days: 365, end: NOW, athleteId, perDay: 1.5, seed: 4 });
  let token: string;

  beforeAll(async () => {
    fake.setActivities(athleteId, activities);
    token = String((await connect(athleteId)).access_token);
  });

  it('pages with after/before/page/per_page, oldest first with after', async () => {
    expect(activities.length).toBeGreaterThan(400);
    const after = Math.floor((NOW - 300 * DAY_MS) / 1000);
    const before = Math.floor((NOW - 10 * DAY_MS) / 1000);
    const expected = activities
      .filter((a) => Date.parse(a.start_date) / 1000 > after && Date.parse(a.start_date) / 1000 < before)
      .map((a) => a.id);
    const seen: number[] = [];
    const sizes: number[] = [];
    for (let page = 1; ; page++) {
      const response = await get(
        token,
        `/athlete/activities?after=${after}&before=${before}&page=${page}&per_page=200`,
      );
      const list = (await response.json()) as Array<Record<string, unknown>>;
      sizes.push(list.length);
      seen.push(...list.map((a) => a.id as number));
      if (list.length < 200) break;
    }
    expect(seen).toEqual(expected);
    expect(sizes.slice(0, -1).every((size) => size === 200)).toBe(true);
    expect(sizes.length).toBeGreaterThan(1);
  });

  it('newest first without after; per_page defaults to 30 and is capped at 200', async () => {
    const first = (await (await get(token, '/athlete/activities')).json()) as StravaActivity[];
    expect(first).toHaveLength(30);
    const starts = first.map((a) => Date.parse(a.start_date));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(first[0]!.id).toBe(activities.at(-1)!.id);
    const big = (await (await get(token, '/athlete/activities?per_page=500')).json()) as unknown[];
    expect(big).toHaveLength(200);
    expect((await get(token, '/athlete/activities?after=yesterday')).status).toBe(400);
  });

  it('lists summaries (resource_state 2) and details at resource_state 3 with calories; 404 as Strava', async () => {
    const [summary] = (await (await get(token, '/athlete/activities?per_page=1')).json()) as Array<
      Record<string, unknown>
    >;
    expect(summary).toMatchObject({ resource_state: 2, athlete: { id: athleteId, resource_state: 1 } });
    expect(summary).not.toHaveProperty('calories');
    expect(summary).toHaveProperty('sport_type');
    const detail = (await (await get(token, `/activities/${summary!.id}`)).json()) as Record<string, unknown>;
    expect(detail).toMatchObject({ id: summary!.id, resource_state: 3 });
    expect(detail.calories).toBeGreaterThan(0);
    const missing = await get(token, '/activities/1');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      message: 'Record Not Found',
      errors: [{ resource: 'Activity', field: 'id', code: 'not found' }],
    });
    // Another athlete's activity is not visible either.
    const stranger = String(fake.issueTokens(9999).access_token);
    expect((await get(stranger, `/activities/${summary!.id}`)).status).toBe(404);
  });

  it('serves streams keyed by type', async () => {
    const run = activities.find((a) => a.has_heartrate && (a.average_speed as number) > 0)!;
    const response = await get(
      token,
      `/activities/${run.id}/streams?keys=time,heartrate,velocity_smooth&key_by_type=true`,
    );
    const streams = (await response.json()) as Record<string, { data: unknown[]; original_size: number }>;
    expect(Object.keys(streams).sort()).toEqual(['distance', 'heartrate', 'time', 'velocity_smooth']);
    expect(streams.time!.data).toHaveLength(run.elapsed_time + 1);
    expect(streams.heartrate!.original_size).toBe(run.elapsed_time + 1);
  });

  it('private activities need activity:read_all; no activity scope is a 401', async () => {
    const hidden = activities.filter((a) => a.private).length;
    expect(hidden).toBeGreaterThan(0);
    const narrow = String((await connect(athleteId, 'read,activity:read')).access_token);
    const count = async (t: string) => {
      let total = 0;
      for (let page = 1; ; page++) {
        const list = (await (
          await get(t, `/athlete/activities?page=${page}&per_page=200`)
        ).json()) as unknown[];
        total += list.length;
        if (list.length < 200) return total;
      }
    };
    expect(await count(token)).toBe(activities.length);
    expect(await count(narrow)).toBe(activities.length - hidden);
    const profileOnly = String((await connect(athleteId, 'read')).access_token);
    expect((await get(profileOnly, '/athlete/activities')).status).toBe(401);
  });
});

describe('fake Strava rate limits', () => {
  it('counts usage in X-RateLimit-Usage and answers 429 past the 15-minute limit', async () => {
    const token = String(fake.issueTokens(3001).access_token);
    const first = await get(token, '/athlete');
    expect(first.headers.get('x-ratelimit-limit')).toBe('200,2000');
    expect(first.headers.get('x-ratelimit-usage')).toBe('1,1');
    expect((await get(token, '/athlete')).headers.get('x-ratelimit-usage')).toBe('2,2');

    fake.setRateLimits({ fifteenMinute: 3 });
    expect((await get(token, '/athlete')).status).toBe(200);
    const limited = await get(token, '/athlete');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('3,2000');
    expect(limited.headers.get('x-ratelimit-usage')).toBe('4,4');
    expect(await limited.json()).toMatchObject({ message: 'Rate Limit Exceeded' });

    // 10:15: a new 15-minute window, the daily count goes on.
    clock = Date.UTC(2024, 1, 1, 10, 15);
    const next = await get(token, '/athlete');
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-usage')).toBe('1,5');
    expect(fake.usage()).toEqual({ fifteenMinute: 1, daily: 5 });
  });

  it('429 past the daily limit until midnight UTC', async () => {
    const token = String(fake.issueTokens(3002).access_token);
    fake.setRateLimits({ daily: 2 });
    await get(token, '/athlete');
    clock += 20 * 60_000;
    await get(token, '/athlete');
    clock += 20 * 60_000;
    expect((await get(token, '/athlete')).status).toBe(429);
    clock = Date.UTC(2024, 1, 2, 0, 0, 1);
    // The old token has expired by now (6 h).
    const fresh = String(fake.issueTokens(3002).access_token);
    expect((await get(fresh, '/athlete')).status).toBe(200);
  });

  it('unauthenticated requests are not counted', async () => {
    await get(null, '/athlete');
    expect(fake.usage()).toEqual({ fifteenMinute: 0, daily: 0 });
  });
});

describe('fake Strava push subscriptions and events', () => {
  const app = () => ({ client_id: fake.clientId, client_secret: fake.clientSecret });
  const subscriptionsUrl = () => `${fake.apiBaseUrl}/push_subscriptions`;
  const list = async () =>
    (await (await fetch(`${subscriptionsUrl()}?${new URLSearchParams(app())}`)).json()) as Array<
      Record<string, unknown>
    >;
  const create = () =>
    postForm(subscriptionsUrl(), { ...app(), callback_url: callback.url, verify_token: VERIFY_TOKEN });
  const remove = async () => {
    for (const s of await list())
      await fetch(`${subscriptionsUrl()}/${s.id}?${new URLSearchParams(app())}`, { method: 'DELETE' });
  };

  beforeEach(remove);

  it('create performs the challenge, then 201 {id}; list, 409 for a second, delete 204', async () => {
    const before = callback.challenges.length;
    const response = await create();
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    expect(typeof id).toBe('number');
    const challenge = callback.challenges.at(-1)!;
    expect(callback.challenges.length).toBe(before + 1);
    expect(challenge.get('hub.mode')).toBe('subscribe');
    expect(challenge.get('hub.verify_token')).toBe(VERIFY_TOKEN);
    expect(challenge.get('hub.challenge')).toBeTruthy();
    expect(fake.challenges.at(-1)).toMatchObject({ ok: true, status: 200 });

    expect(await list()).toEqual([
      expect.objectContaining({ id, callback_url: callback.url, resource_state: 2, application_id: 12345 }),
    ]);
    expect((await create()).status).toBe(409);
    const deleted = await fetch(`${subscriptionsUrl()}/${id}?${new URLSearchParams(app())}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect(await list()).toEqual([]);
  });

  it('a wrong challenge answer or a refusal makes create fail', async () => {
    callback.mode = 'wrong';
    const wrong = await create();
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ errors: [{ code: 'not verifiable' }] });
    callback.mode = 'forbidden';
    expect((await create()).status).toBe(400);
    expect(await list()).toEqual([]);
    expect(fake.subscription).toBeNull();
  });

  it('a callback too slow for the challenge timeout fails', async () => {
    const slow = await startHttpServer(() => new Promise(() => {}));
    const impatient = await startFakeStrava({ challengeTimeoutMs: 50 });
    try {
      const result = await impatient.createSubscription(`${slow.url}/hook`, VERIFY_TOKEN);
      expect(result.status).toBe(400);
      expect(impatient.challenges[0]?.error).toBeTruthy();
    } finally {
      await impatient.stop();
      await slow.stop();
    }
  });

  it('wants the app credentials; accepts multipart like curl -F', async () => {
    const unauthorized = await postForm(subscriptionsUrl(), {
      client_id: fake.clientId,
      client_secret: 'wrong',
      callback_url: callback.url,
      verify_token: VERIFY_TOKEN,
    });
    expect(unauthorized.status).toBe(401);
    const form = new FormData();
    for (const [key, value] of Object.entries({
      ...app(),
      callback_url: callback.url,
      verify_token: VERIFY_TOKEN,
    }))
      form.set(key, value);
    const multipart = await fetch(subscriptionsUrl(), { method: 'POST', body: form });
    expect(multipart.status).toBe(201);
  });

  it('delivers create, update, delete and deauthorization events to the callback', async () => {
    expect((await create()).status).toBe(201);
    const subscriptionId = fake.subscription!.id;
    const athleteId = 4001;
    const token = String(fake.issueTokens(athleteId).access_token);
    callback.posts.length = 0;

    const added = await fake.addActivity(athleteId, { name: 'Lunch Ride', sport_type: 'Ride', type: 'Ride' });
    expect(added.event).toMatchObject({ status: 200, attempts: 1 });
    expect(added.event!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(callback.posts[0]).toEqual({
      object_type: 'activity',
      object_id: added.activity.id,
      aspect_type: 'create',
      updates: {},
      owner_id: athleteId,
      subscription_id: subscriptionId,
      event_time: Math.floor(NOW / 1000),
    });
    expect(await (await get(token, `/activities/${added.activity.id}`)).json()).toMatchObject({
      name: 'Lunch Ride',
      resource_state: 3,
    });

    await fake.updateActivity(added.activity.id, { name: 'Renamed', private: true });
    expect(callback.posts[1]).toMatchObject({
      aspect_type: 'update',
      updates: { title: 'Renamed', private: 'true' },
    });

    await fake.deleteActivity(added.activity.id);
    expect(callback.posts[2]).toMatchObject({ aspect_type: 'delete', object_id: added.activity.id });
    expect((await get(token, `/activities/${added.activity.id}`)).status).toBe(404);

    await fake.deauthorize(athleteId);
    expect(callback.posts[3]).toMatchObject({
      object_type: 'athlete',
      object_id: athleteId,
      aspect_type: 'update',
      updates: { authorized: 'false' },
      owner_id: athleteId,
    });
    expect((await get(token, '/athlete')).status).toBe(401);

    const quiet = await fake.addActivity(athleteId, {}, { notify: false });
    expect(quiet.event).toBeNull();
    expect(callback.posts).toHaveLength(4);
    const sent = await fake.sendEvent({
      object_type: 'activity',
      object_id: 1,
      aspect_type: 'create',
      owner_id: 1,
    });
    expect(sent).toMatchObject({ status: 200, attempts: 1 });
    expect(fake.events.at(-1)).toBe(sent);
  });

  it('retries an event not answered 200 when eventRetries allows', async () => {
    let calls = 0;
    const flaky = await startHttpServer((req, res, url) => {
      if (req.method === 'GET')
        return sendJson(res, 200, { 'hub.challenge': url.searchParams.get('hub.challenge') });
      calls++;
      sendJson(res, calls === 1 ? 500 : 200, {});
    });
    const retrying = await startFakeStrava({ eventRetries: 2 });
    try {
      expect((await retrying.createSubscription(`${flaky.url}/hook`, 't')).status).toBe(201);
      const { event } = await retrying.addActivity(1);
      expect(event).toMatchObject({ status: 200, attempts: 2 });
      expect(calls).toBe(2);
    } finally {
      await retrying.stop();
      await flaky.stop();
    }
  });

  it('without a subscription no event is sent; sendEvent says why', async () => {
    const { event } = await fake.addActivity(4002);
    expect(event).toBeNull();
    await expect(
      fake.sendEvent({ object_type: 'activity', object_id: 1, aspect_type: 'create', owner_id: 1 }),
    ).rejects.toThrow(/subscription/);
  });
});

describe('Strava activity generator', () => {
  it('is deterministic, in the window, sorted, varied and self-consistent', () => {
    const end = Date.UTC(2024, 5, 1, 12);
    const list = generateStravaActivities({ days: 60, end, seed: 2 });
    expect(generateStravaActivities({ days: 60, end, seed: 2 })).toEqual(list);
    expect(list.length).toBeGreaterThan(30);
    const starts = list.map((a) => Date.parse(a.start_date));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(new Set(list.map((a) => a.id)).size).toBe(list.length);
    expect(new Set(list.map((a) => a.sport_type)).size).toBeGreaterThan(4);
    for (const a of list) {
      expect(Date.parse(a.start_date)).toBeGreaterThanOrEqual(end - 60 * DAY_MS);
      expect(Date.parse(a.start_date) + a.elapsed_time * 1000).toBeLessThanOrEqual(end);
      expect(a.moving_time).toBeLessThanOrEqual(a.elapsed_time);
      expect(Date.parse(a.start_date_local) - Date.parse(a.start_date)).toBe(a.utc_offset * 1000);
      if (a.distance > 0) expect(a.average_speed as number).toBeCloseTo(a.distance / a.moving_time, 2);
    }
  });
});
