import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dates, type E2eSession, startE2eSession, times, until } from '#test/helpers/e2e-session.js';

/**
 * Seed data end to end (contract 10.4, issue 13 "so a new operator sees every endpoint answer"): POST
 * /settings/seed answers 202 at once; the pushes go through the uploads bucket (a folder here), the sdk-uploads
 * queue and the sdk-upload worker, after which the users list, time series, workouts, sleep and summaries answer.
 */

let sandbox: E2eSession;
beforeAll(async () => {
  sandbox = await startE2eSession();
}, 60_000);
afterAll(() => sandbox?.stop());

const WAIT_MS = 120_000;

describe('seed data through the sandbox', () => {
  it('seeds users whose data every read endpoint then serves', async () => {
    const { api, bearer, get } = sandbox;
    const profile = {
      providers: ['apple', 'samsung'],
      workout_config: { count: 6, date_range_months: 1 },
      sleep_config: { count: 4, nap_chance_pct: 0, date_range_months: 1 },
      time_series_config: { enabled_types: ['heart_rate', 'steps'], date_range_months: 1 },
    };
    const seeded = await api('POST', '/api/v1/settings/seed', {
      headers: bearer,
      json: { num_users: 2, random_seed: 2026, profile },
    });
    expect(seeded.status).toBe(202);
    expect(seeded.json).toMatchObject({ status: 'dispatched', seed_used: 2026 });

    const users = await get('/api/v1/users?search=seed.example.com&limit=100');
    expect(users.total).toBe(2);
    const now = Date.now();
    const window = times(now - 40 * 86_400_000, now);
    const range = dates(now - 40 * 86_400_000, now);
    for (const user of users.items as Array<{ id: string; first_name: string }>) {
      expect(user.first_name).toBeTruthy();
      const workouts = await until(
        'six workouts',
        async () => {
          const page = await get(`/api/v1/users/${user.id}/events/workouts?${range}&limit=100`);
          return page.pagination.total_count === 6 ? page : undefined;
        },
        WAIT_MS,
      );
      expect(new Set(workouts.data.map((w: { source: { provider: string } }) => w.source.provider))).toEqual(
        new Set(['apple', 'samsung']),
      );
      const sleep = await until(
        'four sleep sessions',
        async () => {
          const page = await get(`/api/v1/users/${user.id}/events/sleep?${range}&limit=100`);
          return page.pagination.total_count === 4 ? page : undefined;
        },
        WAIT_MS,
      );
      for (const session of sleep.data) {
        expect(session.sleep_stage_intervals.length).toBeGreaterThan(3);
        expect(session.stages.deep_minutes).toBeGreaterThan(0);
      }
      const summaries = await get(`/api/v1/users/${user.id}/summaries/sleep?${range}`);
      expect(summaries.data.length).toBe(4);
      // Steps travel in later pushes than the events: wait for them too.
      const hasSteps = (page: { data: Array<{ steps: number | null }> }) =>
        page.data.some((day) => (day.steps ?? 0) > 0);
      const activity = await until(
        'steps in the activity summary',
        async () => {
          const page = await get(`/api/v1/users/${user.id}/summaries/activity?${range}`);
          return hasSteps(page) ? page : undefined;
        },
        WAIT_MS,
      );
      expect(hasSteps(activity)).toBe(true);
      const heartRate = await until(
        'heart rate samples',
        async () => {
          const page = await get(`/api/v1/users/${user.id}/timeseries?types=heart_rate&${window}&limit=10`);
          return page.data.length > 0 ? page : undefined;
        },
        WAIT_MS,
      );
      expect(heartRate.data[0].value).toBeGreaterThan(30);
      const connections = await get(`/api/v1/users/${user.id}/connections`);
      expect(connections.map((c: { provider: string }) => c.provider).sort()).toEqual(['apple', 'samsung']);
    }

    const stats = await api('GET', '/api/v1/dashboard/stats', { headers: bearer });
    expect(stats.status).toBe(200);
    expect(stats.json.total_users.count).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
