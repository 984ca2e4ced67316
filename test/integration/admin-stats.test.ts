import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { resetEnvCache } from '#shared/config/env.js';
import { hashPassword } from '#shared/identity/credentials.js';
import { ensureAdminDeveloper } from '#shared/identity/developers.js';
import { issueTokens } from '#shared/identity/tokens.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import { seedUser } from '#shared/seed/generate.js';
import { seedProfile } from '#shared/seed/profiles.js';
import { forgetDashboardStats } from '#shared/store/dashboard-stats.js';
import { createDeveloper, type Developer, getDeveloperByEmail } from '#shared/store/developers.js';
import { tombstoneUser } from '#shared/store/users.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { handler } from '../../functions/admin.js';

/** Contract 3.2 rows 77-78, 4.16 and test_dashboard.py: GET /dashboard/stats and GET /config. */

async function api(path: string, token?: string) {
  const event = httpEvent('GET', path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const result = (await handler(event, lambdaContext('admin'))) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, json: result.body ? JSON.parse(result.body) : undefined };
}

const tokenOf = async (developer: Developer) =>
  (await issueTokens({ token_type: 'developer', developer_id: developer.id, credential_version: 0 }))
    .access_token;

let token: string;
let otherToken: string;

beforeAll(async () => {
  await ensureAdminDeveloper();
  token = await tokenOf((await getDeveloperByEmail(process.env.ADMIN_EMAIL!))!);
  otherToken = await tokenOf(
    await createDeveloper({ email: 'second@stats.test', password_hash: await hashPassword('password-2') }),
  );
});

const EMPTY = {
  total_users: { count: 0 },
  active_conn: { count: 0 },
  data_points: { count: 0, archived: 0 },
  event_records: { count: 0, workouts: 0, sleep: 0, menstrual_cycles: 0 },
  connections_coverage: { users_with_active: 0, users_with_multi_active: 0, top_providers: [] },
};

/** A user with `providers`' pushes of a small profile: what they hold, counted from the pushes themselves. */
async function userWith(providers: Array<'apple' | 'samsung' | 'health_connect'>, seed: number) {
  const profile = seedProfile.parse({
    providers,
    workout_config: { count: 4, date_range_months: 1 },
    sleep_config: { count: 3, nap_chance_pct: 0, date_range_months: 1 },
    time_series_config: { enabled_types: ['steps'], date_range_months: 1 },
  });
  const seeded = seedUser(profile, seed, 0, Date.now());
  const user = await createUser({});
  let records = 0;
  let workouts = 0;
  for (const push of seeded.pushes) {
    await ingestSdkPush(user.id, push.provider, push.body);
    records += push.body.data.records.length;
    workouts += push.body.data.workouts.length;
  }
  return { id: user.id, records, workouts, sleeps: 3 };
}

describe('GET /dashboard/stats', () => {
  it('answers zeros on an empty instance', async () => {
    forgetDashboardStats();
    expect(await api('/api/v1/dashboard/stats', token)).toEqual({ status: 200, json: EMPTY });
  });

  it('counts users, active connections, samples and events, and ranks the providers', async () => {
    const one = await userWith(['apple'], 1);
    const two = await userWith(['apple', 'samsung'], 2);
    await createUser({});
    forgetDashboardStats();
    const stats = await api('/api/v1/dashboard/stats', token);
    expect(stats.status).toBe(200);
    expect(stats.json).toEqual({
      total_users: { count: 3 },
      active_conn: { count: 3 },
      data_points: { count: one.records + two.records, archived: 0 },
      event_records: {
        count: one.workouts + two.workouts + one.sleeps + two.sleeps,
        workouts: one.workouts + two.workouts,
        sleep: one.sleeps + two.sleeps,
        menstrual_cycles: 0,
      },
      connections_coverage: {
        users_with_active: 2,
        users_with_multi_active: 1,
        top_providers: [
          { provider: 'apple', count: 2 },
          { provider: 'samsung', count: 1 },
        ],
      },
    });
  });

  it('is the same for every developer, and cached: a new user shows after the cache', async () => {
    const first = await api('/api/v1/dashboard/stats', token);
    await createUser({});
    const second = await api('/api/v1/dashboard/stats', otherToken);
    expect(second.json).toEqual(first.json);
    forgetDashboardStats();
    expect((await api('/api/v1/dashboard/stats', otherToken)).json.total_users.count).toBe(
      first.json.total_users.count + 1,
    );
  });

  it('a deleted user leaves every count at once, before erasure removes their data', async () => {
    forgetDashboardStats();
    const before = (await api('/api/v1/dashboard/stats', token)).json;
    const leaving = await userWith(['samsung', 'health_connect'], 4);
    await tombstoneUser(leaving.id);
    forgetDashboardStats();
    expect((await api('/api/v1/dashboard/stats', token)).json).toEqual(before);
  });

  it('needs a developer token', async () => {
    expect((await api('/api/v1/dashboard/stats')).status).toBe(401);
    expect((await api('/api/v1/dashboard/stats', 'not-a-token')).status).toBe(401);
  });
});

describe('GET /config', () => {
  it('tells whether the outgoing webhook routes answer (OUTGOING_WEBHOOKS_ENABLED)', async () => {
    expect(await api('/api/v1/config', token)).toEqual({
      status: 200,
      json: { outgoing_webhooks_enabled: true },
    });
    process.env.OUTGOING_WEBHOOKS_ENABLED = 'false';
    resetEnvCache();
    try {
      expect((await api('/api/v1/config', token)).json).toEqual({ outgoing_webhooks_enabled: false });
    } finally {
      delete process.env.OUTGOING_WEBHOOKS_ENABLED;
      resetEnvCache();
    }
    expect((await api('/api/v1/config')).status).toBe(401);
  });
});
