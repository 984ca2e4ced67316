import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_GARMIN_USER,
  type FakeGarmin,
  garminActivity,
  generateGarminDays,
  startFakeGarmin,
} from '#test/fakes/garmin.js';
import { fakeProviderEnv } from '#test/fakes/provider-env.js';
import {
  DEFAULT_STRAVA_ATHLETE,
  type FakeStrava,
  generateStravaActivities,
  startFakeStrava,
} from '#test/fakes/strava.js';
import { dates, type E2eSession, startE2eSession, until } from '#test/helpers/e2e-session.js';

/**
 * Push providers end to end over HTTP, against fake Garmin and Strava servers speaking their real formats:
 * connect -> the backfill lands (Garmin: requested, then pushed to our webhook; Strava: pulled) -> a new activity
 * pushed or notified is readable through the read API -> Strava update and delete -> deregistration or
 * deauthorisation revokes the connection. Waits are polls bounded well below each test's timeout.
 */
const DAY = 86_400_000;
const VERIFY_TOKEN = 'e2e-strava-verify-token';
/** Each wait of a test with three has 15 s of its 60. */
const WAIT_MS = 15_000;
let garmin: FakeGarmin;
let strava: FakeStrava;
let sandbox: E2eSession;

beforeAll(async () => {
  [garmin, strava] = await Promise.all([startFakeGarmin(), startFakeStrava()]);
  const now = Date.now();
  garmin.seed(
    DEFAULT_GARMIN_USER,
    generateGarminDays({ days: 20, end: now, heartRateSampleSeconds: 300, seed: 5 }),
  );
  strava.setActivities(DEFAULT_STRAVA_ATHLETE, generateStravaActivities({ days: 40, end: now, seed: 5 }));
  sandbox = await startE2eSession({
    env: {
      ...fakeProviderEnv('GARMIN', garmin),
      ...fakeProviderEnv('STRAVA', strava),
      STRAVA_WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
      HISTORICAL_SYNC_ON_CONNECT: 'true',
    },
  });
  garmin.setWebhookUrl(`${sandbox.url}/api/v1/providers/garmin/webhooks`);
}, 60_000);

afterAll(async () => {
  await sandbox?.stop();
  await Promise.all([garmin?.stop(), strava?.stop()]);
});

async function connect(provider: string) {
  const userId = await sandbox.createUser();
  await sandbox.connect(provider, userId);
  return userId;
}

const workouts = async (userId: string, days = 60) =>
  (
    await sandbox.get(
      `/api/v1/users/${userId}/events/workouts?${dates(Date.now() - days * DAY, Date.now() + DAY)}&limit=100`,
    )
  ).data as Array<{ id: string; start_time: string; end_time: string; type: string }>;

type Connection = { provider: string; status: string; scope: string | null };
const connectionOf = async (userId: string, provider: string) =>
  ((await sandbox.get(`/api/v1/users/${userId}/connections`)) as Connection[]).find(
    (c) => c.provider === provider,
  );

describe('Garmin', () => {
  let userId: string;

  it('connect: OAuth 2 with PKCE, permissions as scope, the backfill requested and pushed to our webhook', async () => {
    userId = await connect('garmin');
    const connection = await connectionOf(userId, 'garmin');
    expect(connection).toMatchObject({ status: 'active' });
    expect(connection!.scope).toContain('HISTORICAL_DATA_EXPORT');
    // The backfill requests go out, Garmin answers 202 and later pushes each window that has data to our webhook
    // (windows without data stay `pending` until they time out: Garmin pushes nothing for them).
    const types = ['sleeps', 'dailies', 'activities', 'hrv', 'stressDetails'];
    const status = await until(
      'the backfill pushes',
      async () => {
        const path = `/api/v1/providers/garmin/users/${userId}/backfill/status`;
        const body = await sandbox.get(path);
        return types.every((t) => body.summary[t]?.done > 0) ? body : undefined;
      },
      90_000,
    );
    expect(['in_progress', 'complete']).toContain(status.overall_status);
    expect(garmin.backfills.filter((b) => b.delivered).length).toBeGreaterThan(0);
    const backfilled = await workouts(userId);
    expect(backfilled.length).toBeGreaterThan(5);
    const sleep = await sandbox.get(
      `/api/v1/users/${userId}/events/sleep?${dates(Date.now() - 30 * DAY, Date.now())}`,
    );
    expect(sleep.data.length).toBeGreaterThan(5);
  }, 120_000);

  it('a new activity pushed is readable through the read API within seconds', async () => {
    const before = (await workouts(userId)).length;
    const start = Math.floor(Date.now() / 1000) - 3_600;
    const pushed = await garmin.pushNewActivity(
      DEFAULT_GARMIN_USER,
      garminActivity({
        userId: DEFAULT_GARMIN_USER,
        activityId: 77_000_001,
        start,
        activityType: 'TRAIL_RUNNING',
      }),
    );
    expect(pushed.status).toBe(200);
    const after = await until(
      'the pushed activity',
      async () => {
        const list = await workouts(userId);
        return list.length > before ? list : undefined;
      },
      WAIT_MS,
    );
    expect(
      after.find((w) => w.start_time.startsWith(new Date(start * 1000).toISOString().slice(0, 16))),
    ).toMatchObject({
      type: 'trail_running',
    });
  }, 60_000);

  it('a push without the client id header is refused and stores nothing', async () => {
    const refused = await garmin.push({ dailies: [] }, { clientIdHeader: null });
    expect(refused.status).toBe(401);
  });

  it('a deregistration revokes the connection', async () => {
    await garmin.deregister(DEFAULT_GARMIN_USER);
    await until(
      'the revoked connection',
      async () => ((await connectionOf(userId, 'garmin'))?.status === 'revoked' ? true : undefined),
      WAIT_MS,
    );
  }, 60_000);
});

describe('Strava', () => {
  let userId: string;

  it('subscription through our API: Strava calls our challenge, which answers with the verify token', async () => {
    const created = await sandbox.api(
      'POST',
      `/api/v1/providers/strava/webhooks/subscriptions?callback_url=${encodeURIComponent(`${sandbox.url}/api/v1/providers/strava/webhooks`)}`,
      { headers: sandbox.bearer },
    );
    expect(created.status).toBe(200);
    expect(created.json.subscriptions).toHaveLength(1);
    const listed = await sandbox.api('GET', '/api/v1/providers/strava/webhooks/subscriptions', {
      headers: sandbox.bearer,
    });
    expect(listed.json.subscriptions[0]).toMatchObject({
      callback_url: `${sandbox.url}/api/v1/providers/strava/webhooks`,
    });
    expect(strava.challenges.at(-1)).toMatchObject({ status: 200 });
  });

  it('connect: the activities of the window are pulled page by page', async () => {
    userId = await connect('strava');
    const expected = strava
      .activities(DEFAULT_STRAVA_ATHLETE)
      .filter((a) => Date.parse(a.start_date as string) > Date.now() - 90 * DAY);
    await until(
      'the backfill',
      async () => ((await workouts(userId, 95)).length >= expected.length ? true : undefined),
      90_000,
    );
    expect(await workouts(userId, 95)).toHaveLength(expected.length);
  }, 120_000);

  it('create, update and delete notifications change the workout accordingly', async () => {
    const before = (await workouts(userId)).length;
    const start = new Date(Date.now() - 2 * 3_600_000);
    const { activity } = await strava.addActivity(DEFAULT_STRAVA_ATHLETE, {
      sport_type: 'TrailRun',
      start_date: start.toISOString().replace(/\.\d+Z$/, 'Z'),
      elapsed_time: 3_000,
    });
    const id = Number(activity.id);
    await until(
      'the created workout',
      async () => ((await workouts(userId)).length === before + 1 ? true : undefined),
      WAIT_MS,
    );

    await strava.updateActivity(id, { elapsed_time: 4_200 });
    await until(
      'the updated workout',
      async () => {
        const match = (await workouts(userId)).find((w) =>
          w.start_time.startsWith(start.toISOString().slice(0, 16)),
        );
        return match && Date.parse(match.end_time) - Date.parse(match.start_time) === 4_200_000
          ? true
          : undefined;
      },
      WAIT_MS,
    );
    expect(await workouts(userId)).toHaveLength(before + 1);

    await strava.deleteActivity(id);
    await until(
      'the deleted workout',
      async () => ((await workouts(userId)).length === before ? true : undefined),
      WAIT_MS,
    );
  }, 60_000);

  it('acknowledges every event with 200 (the time it takes is measured by the bench, not asserted)', () => {
    expect(strava.events.length).toBeGreaterThan(0);
    expect(strava.events.every((e) => e.status === 200)).toBe(true);
  });

  it('a deauthorisation revokes the connection', async () => {
    await strava.deauthorize(DEFAULT_STRAVA_ATHLETE);
    await until(
      'the revoked connection',
      async () => ((await connectionOf(userId, 'strava'))?.status === 'revoked' ? true : undefined),
      WAIT_MS,
    );
  }, 60_000);
});

describe('paths provider consoles point at', () => {
  it('serve the same handlers as the canonical path, with their health probes', async () => {
    const challenge = `hub.mode=subscribe&hub.challenge=c-7&hub.verify_token=${VERIFY_TOKEN}`;
    for (const path of [
      '/api/v1/strava/webhooks',
      '/api/v1/strava/webhook',
      '/api/v1/providers/strava/webhooks',
    ]) {
      const answer = await sandbox.api('GET', `${path}?${challenge}`);
      expect(answer.status, path).toBe(200);
      expect(answer.json).toEqual({ 'hub.challenge': 'c-7' });
    }
    for (const path of ['/api/v1/strava/webhooks/health', '/api/v1/strava/webhook/health']) {
      expect((await sandbox.api('GET', path)).json).toEqual({ status: 'ok', service: 'strava-webhooks' });
    }
    for (const path of ['/api/v1/garmin/webhooks/push', '/api/v1/garmin/webhooks/ping']) {
      const refused = await sandbox.api('POST', path, { json: { dailies: [] } });
      expect(refused.status, path).toBe(401);
      expect(refused.json).toEqual({ detail: 'Invalid webhook signature' });
      const accepted = await sandbox.api('POST', path, {
        json: { dailies: [] },
        headers: { 'garmin-client-id': garmin.clientId },
      });
      expect(accepted.json, path).toEqual({ status: 'accepted' });
    }
    const head = await fetch(`${sandbox.url}/api/v1/providers/garmin/webhooks`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const unknown = await sandbox.api('POST', '/api/v1/providers/myspace/webhooks', { json: {} });
    expect(unknown).toMatchObject({ status: 404, json: { detail: "Unknown provider: 'myspace'" } });
  });
});
