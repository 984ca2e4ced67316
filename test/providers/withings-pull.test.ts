import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bearerGet,
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { ProviderGet, PullResult } from '#shared/providers/types.js';
import { withingsModule } from '#shared/providers/withings/index.js';
import { SUBSCRIBED_APPLIS } from '#shared/providers/withings/notify.js';
import { pullUnit, withingsUnits } from '#shared/providers/withings/pull.js';
import { statusError, withingsCall } from '#shared/providers/withings/status.js';
import {
  DAY_MS,
  DEFAULT_WITHINGS_USER,
  type FakeWithings,
  isoDate,
  startFakeWithings,
} from '#test/fakes/withings.js';

/**
 * The pull against the fake Withings API: units by kind, every action's envelope unwrapped, paging with
 * `more`/`offset`, windows respected, and each non-zero status classified as the sync engine needs it.
 */
let fake: FakeWithings;
let get: ProviderGet;
const END = Date.parse('2024-07-20T12:00:00Z');

beforeAll(async () => {
  fake = await startFakeWithings({ pageSize: 7, requestsPerMinute: null });
  fake.seed(DEFAULT_WITHINGS_USER, { days: 40, end: END, seed: 'pull', timezone: 'Europe/Paris' });
  const tokens = fake.issueTokens(DEFAULT_WITHINGS_USER);
  get = bearerGet(fake.apiBaseUrl, tokens.access_token as string);
});
afterAll(() => fake?.stop());
beforeEach(() => {
  fake.requests.length = 0;
});

const count = (result: PullResult, series: string) =>
  result.series.filter((s) => s.series === series).reduce((n, s) => n + s.samples.length, 0);

describe('units and budget', () => {
  it('cuts a window by kind: 30-day measures, activity and workouts, 7-night sleep, 1-day intraday', () => {
    const units = withingsModule.units(END - 40 * DAY_MS, END);
    const byKind = (kind: string) => units.filter((u) => u.key.startsWith(`${kind}:`));
    expect(byKind('measures')).toHaveLength(2);
    expect(byKind('activity')).toHaveLength(2);
    expect(byKind('workouts')).toHaveLength(2);
    expect(byKind('sleep')).toHaveLength(6);
    expect(byKind('intraday')).toHaveLength(41);
    expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
    for (const kind of ['measures', 'sleep', 'intraday']) {
      const list = byKind(kind);
      expect(list[0]!.start).toBe(END - 40 * DAY_MS);
      expect(list.at(-1)!.end).toBe(END);
      for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBe(list[i - 1]!.end);
    }
  });

  it('budget: a full bucket plus a minute of refill plus one connect stays within 120 requests in 60 s', () => {
    const budget = withingsModule.budget;
    expect(budget?.kind).toBe('bucket');
    const { perMinute, burst } = budget?.kind === 'bucket' ? budget : { perMinute: 0, burst: 0 };
    expect((burst ?? perMinute) + perMinute + SUBSCRIBED_APPLIS.length).toBeLessThanOrEqual(120);
    expect(perMinute).toBeGreaterThanOrEqual(100);
  });
});

describe('pull against the fake', () => {
  const window = { start: END - 30 * DAY_MS, end: END };

  it('measures: every page of the window (more/offset), each group once', async () => {
    const [unit] = withingsUnits(window.start, window.end, ['measures']);
    const out = await pullUnit(get, unit!);
    const expected = fake
      .user(DEFAULT_WITHINGS_USER)
      .measureGroups.filter(
        (g) => (g.date as number) * 1000 >= unit!.start && (g.date as number) * 1000 < unit!.end,
      );
    const weighIns = expected.filter((g) =>
      (g.measures as Array<{ type: number }>).some((m) => m.type === 1),
    );
    expect(count(out.result(), 'weight')).toBe(weighIns.length);
    expect(weighIns.length).toBeGreaterThan(20);
    const pages = fake.requests.filter((r) => r.action === 'getmeas');
    expect(pages.length).toBe(Math.ceil(expected.length / 7));
    expect(out.skipped).toBe(0);
  });

  it('daily activity: one daily total per day of the unit, in kcal, meters and minutes', async () => {
    const [unit] = withingsUnits(window.start, window.end, ['activity']);
    const result = (await pullUnit(get, unit!)).result();
    const days = fake
      .user(DEFAULT_WITHINGS_USER)
      .activities.filter(
        (a) => (a.date as string) >= isoDate(unit!.start) && (a.date as string) <= isoDate(unit!.end - 1),
      );
    expect(count(result, 'steps')).toBe(days.length);
    const steps = result.series.find((s) => s.series === 'steps')!.samples;
    expect(steps.every((s) => s.isDailyTotal === true)).toBe(true);
    const first = days[0]!;
    expect(steps[0]!.value).toBe(first.steps);
    const active = result.series.find((s) => s.series === 'active_time')!.samples[0]!;
    expect(active.value).toBeCloseTo((first.active as number) / 60, 3);
  });

  it('workouts and sleep of the unit: events with Withings ids, stages and scores', async () => {
    const units = withingsUnits(window.start, window.end, ['workouts', 'sleep']);
    const results = await Promise.all(units.map(async (u) => (await pullUnit(get, u)).result()));
    const events = results.flatMap((r) => r.events);
    const user = fake.user(DEFAULT_WITHINGS_USER);
    const inWindow = (date: unknown) =>
      (date as string) >= isoDate(window.start) && (date as string) <= isoDate(window.end - 1);
    expect(
      events
        .filter((e) => e.category === 'workout')
        .map((e) => e.externalId)
        .sort(),
    ).toEqual(
      user.workouts
        .filter((w) => inWindow(w.date))
        .map((w) => String(w.id))
        .sort(),
    );
    const nights = events.filter((e) => e.category === 'sleep');
    expect(nights).toHaveLength(user.sleeps.filter((s) => inWindow(s.date)).length);
    expect(nights.every((n) => n.category === 'sleep' && (n.details.sleep_stages?.length ?? 0) > 3)).toBe(
      true,
    );
    expect(results.flatMap((r) => r.scores)).toHaveLength(nights.length);
    // One summary request per sleep unit, one detail request per night.
    expect(fake.requests.filter((r) => r.action === 'get')).toHaveLength(nights.length);
  });

  it('intraday: the samples of one day, intraday (not daily totals)', async () => {
    const unit = withingsUnits(END - 2 * DAY_MS, END, ['intraday'])[1]!;
    const result = (await pullUnit(get, unit)).result();
    expect(count(result, 'steps')).toBeGreaterThan(30);
    expect(count(result, 'heart_rate')).toBe(count(result, 'steps'));
    const steps = result.series.find((s) => s.series === 'steps')!.samples;
    expect(
      steps.every((s) => s.isDailyTotal === false && s.timestamp >= unit.start && s.timestamp < unit.end),
    ).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('errors: a non-zero status is never a 200 to trust', () => {
  const call = () => withingsCall(get, '/measure', 'getmeas', { meastypes: '1' });

  it.each([
    [401, UnauthorizedError],
    [100, UnauthorizedError],
    [601, RateLimitedError],
    [522, TransientProviderError],
    [2555, ProviderRequestError],
    [2557, TransientProviderError],
    [503, ProviderRequestError],
    [286, ProviderRequestError],
  ])('status %i -> %s', async (status, type) => {
    fake.failNext(status);
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    if (error instanceof ProviderRequestError) expect(error.status).toBe(status);
  });

  it('an expired or unknown token is refused with status 401, surfaced as UnauthorizedError', async () => {
    const stale = bearerGet(fake.apiBaseUrl, 'not-a-token');
    await expect(withingsCall(stale, '/measure', 'getmeas')).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('601 retries after Withings one-minute window', () => {
    const error = statusError(601, 'Too Many Requests', 1_000) as RateLimitedError;
    expect(error.retryAt).toBe(61_000);
  });

  it('a body that is not the envelope is retried, not trusted', async () => {
    const gateway: ProviderGet = async () => ({ html: 'Bad gateway' });
    await expect(withingsCall(gateway, '/measure', 'getmeas')).rejects.toBeInstanceOf(TransientProviderError);
  });

  it('paging that does not advance is an error, not a loop', async () => {
    const stuck: ProviderGet = async () => ({ status: 0, body: { measuregrps: [], more: 1, offset: 0 } });
    const [unit] = withingsUnits(END - DAY_MS, END, ['measures']);
    await expect(pullUnit(stuck, unit!)).rejects.toBeInstanceOf(ProviderRequestError);
  });

  it('the fake answers 601 past its requests per minute', async () => {
    const limited = await startFakeWithings({ requestsPerMinute: 3 });
    try {
      const token = limited.issueTokens(DEFAULT_WITHINGS_USER).access_token as string;
      const client = bearerGet(limited.apiBaseUrl, token);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => withingsCall(client, '/v2/user', 'getdevice')),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
      expect(
        outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof RateLimitedError),
      ).toHaveLength(2);
      expect(limited.maxRequestsPerMinute()).toBe(5);
    } finally {
      await limited.stop();
    }
  });
});
