import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerGet,
  ProviderRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { MAX_PAGES, PAGE_LIMIT } from '#shared/providers/suunto/api.js';
import { suuntoModule } from '#shared/providers/suunto/index.js';
import { pullSuunto, suuntoIdentity, UNIT_DAYS } from '#shared/providers/suunto/pull.js';
import type { ProviderGet, PullResult, TokenSet } from '#shared/providers/types.js';
import {
  DEFAULT_SUUNTO_USER,
  type FakeSuunto,
  generateSuuntoDays,
  type SuuntoDataset,
  startFakeSuunto,
} from '#test/fakes/suunto.js';

const DAY_MS = 86_400_000;
const END = Date.UTC(2026, 4, 20, 9, 30);
const OFFSET_MINUTES = 120;

let fake: FakeSuunto;
let dataset: SuuntoDataset;
let token: string;

beforeAll(async () => {
  fake = await startFakeSuunto({ autoApprove: true });
  dataset = generateSuuntoDays({ days: 15, end: END, seed: 11, workoutSampleSeconds: 60 });
  fake.seed(DEFAULT_SUUNTO_USER, dataset, OFFSET_MINUTES);
  token = fake.issueTokens(DEFAULT_SUUNTO_USER).access_token as string;
});
afterAll(() => fake?.stop());

const tokens = (accessToken: string, extras: Record<string, unknown> = {}): TokenSet => ({
  accessToken,
  refreshToken: 'rt',
  expiresAt: Date.now() + 3_600_000,
  scope: null,
  extras,
});

/** A client as the workers build it: bearer token plus the module's subscription-key header. */
const client = (key: string | null = fake.subscriptionKey, accessToken = token): ProviderGet =>
  bearerGet(
    fake.apiBaseUrl,
    accessToken,
    undefined,
    suuntoModule.requestHeaders!((name) =>
      name === 'SUUNTO_SUBSCRIPTION_KEY' ? (key ?? undefined) : undefined,
    ),
  );

async function pullWindow(get: ProviderGet, start: number, end: number): Promise<PullResult[]> {
  const results: PullResult[] = [];
  for (const unit of suuntoModule.units(start, end)) results.push(await suuntoModule.pull(get, unit));
  return results;
}

const samplesOf = (results: PullResult[], series: string) =>
  results.flatMap((r) => r.series.filter((s) => s.series === series).flatMap((s) => s.samples));

describe('suunto identity', () => {
  it('is the username of the JWT access token (webhooks name users by it), not its sub', async () => {
    expect(suuntoModule.identity).toBe(suuntoIdentity);
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ user: DEFAULT_SUUNTO_USER, sub: fake.subOf(DEFAULT_SUUNTO_USER) });
    expect(await suuntoIdentity(client(), tokens(token))).toEqual({
      providerUserId: DEFAULT_SUUNTO_USER,
      providerUsername: DEFAULT_SUUNTO_USER,
    });
  });

  it('falls back to the token response’s user for a token that is not a JWT; else unknown', async () => {
    expect((await suuntoIdentity(client(), tokens('opaque', { user: 'hiker7' }))).providerUserId).toBe(
      'hiker7',
    );
    expect(await suuntoIdentity(client(), tokens('opaque'))).toEqual({
      providerUserId: null,
      providerUsername: null,
    });
  });
});

describe('suunto pull', () => {
  it('cuts a window into 20-day UTC chunks', () => {
    const units = suuntoModule.units(END - 90 * DAY_MS, END);
    expect(units).toHaveLength(5);
    expect(units[0]).toEqual({
      key: `suunto:${new Date(END - 90 * DAY_MS).toISOString().slice(0, 10)}`,
      start: END - 90 * DAY_MS,
      end: Math.floor((END - 90 * DAY_MS) / DAY_MS) * DAY_MS + UNIT_DAYS * DAY_MS,
    });
    expect(units.at(-1)!.end).toBe(END);
  });

  it('a backfill brings every workout with its samples, every night, sample and recovery, and the daily totals', async () => {
    const before = fake.requests.length;
    const results = await pullWindow(client(), END - 20 * DAY_MS, END);
    const workouts = results.flatMap((r) => r.events.filter((e) => e.category === 'workout'));
    expect(new Set(workouts.map((w) => w.externalId))).toEqual(
      new Set(dataset.workouts.map((w) => w.workout.workoutKey)),
    );
    const first = dataset.workouts[0]!;
    const mapped = workouts.find((w) => w.externalId === first.workout.workoutKey)!;
    expect(mapped).toMatchObject({ start: first.workout.startTime, zoneOffset: '+02:00' });
    expect(mapped.category === 'workout' && mapped.details.average_speed).toBe(first.workout.avgSpeed);
    const speeds = samplesOf(results, 'speed').filter(
      (s) => s.timestamp >= first.workout.startTime && s.timestamp <= first.workout.stopTime,
    );
    expect(speeds.map((s) => s.value)).toEqual(first.samples.map((s) => s.speed));

    const nights = results.flatMap((r) => r.events.filter((e) => e.category === 'sleep'));
    expect(new Set(nights.map((n) => n.externalId))).toEqual(
      new Set(dataset.sleep.map((s) => String(s.entryData.SleepId))),
    );
    expect(nights.some((n) => n.category === 'sleep' && n.details.is_nap)).toBe(
      dataset.sleep.some((s) => s.entryData.IsNap),
    );
    const heartRates = new Set(samplesOf(results, 'heart_rate').map((s) => s.timestamp));
    for (const item of dataset.activity) expect(heartRates.has(Date.parse(item.timestamp))).toBe(true);
    const recovery = results.flatMap((r) => r.scores.filter((s) => s.category === 'recovery'));
    expect(new Set(recovery.map((s) => s.recordedAt)).size).toBe(dataset.recovery.length);

    // A full day's total equals the sum of its intraday steps (the fake adds up what it serves).
    const day = Date.parse('2026-05-15T00:00:00+02:00');
    const total = samplesOf(results, 'steps').find((s) => s.isDailyTotal && s.timestamp === day);
    const intraday = dataset.activity
      .filter((a) => Date.parse(a.timestamp) >= day && Date.parse(a.timestamp) < day + DAY_MS)
      .reduce((sum, a) => sum + (a.entryData.StepCount as number), 0);
    expect(total).toMatchObject({ value: intraday, zoneOffset: '+02:00' });

    // Every request carried the key and stayed within Suunto's 28-day cap (the fake answers 401/400 otherwise).
    const made = fake.requests.slice(before);
    expect(made.every((r) => r.status === 200)).toBe(true);
    expect(made.filter((r) => r.route === 'workout-samples')).toHaveLength(dataset.workouts.length);
  });

  it('the 24/7 requests reach a day back: an hourly sync still gets the night and today’s growing total', async () => {
    const before = fake.requests.length;
    const [result] = await pullWindow(client(), END - 3_600_000, END);
    const made = fake.requests.slice(before);
    const sleep = made.find((r) => r.route === '247samples/sleep')!;
    expect(Number(sleep.query.from)).toBe(END - 3_600_000 - DAY_MS);
    const statistics = made.find((r) => r.route === 'daily-activity-statistics')!;
    expect(statistics.query.startdate).toBe(`${new Date(END - DAY_MS).toISOString().slice(0, 10)}T00:00:00`);
    const lastNight = dataset.sleep.filter((s) => !s.entryData.IsNap).at(-1)!;
    expect(result!.events.some((e) => e.externalId === String(lastNight.entryData.SleepId))).toBe(true);
    const today = Date.parse('2026-05-20T00:00:00+02:00');
    expect(
      result!.series
        .find((s) => s.series === 'steps')
        ?.samples.some((s) => s.isDailyTotal && s.timestamp === today),
    ).toBe(true);
  });

  it('the same pull twice gives the same result', async () => {
    const unit = suuntoModule.units(END - 5 * DAY_MS, END)[0]!;
    expect(await pullSuunto(client(), unit)).toEqual(await pullSuunto(client(), unit));
  });

  it('lists workouts by modification time, 100 a page, until a short page', async () => {
    const queries: Array<Record<string, string | number>> = [];
    const get: ProviderGet = async (path, query = {}) => {
      if (path === '/v3/workouts/') {
        queries.push(query);
        const offset = Number(query.offset);
        const count = Math.max(0, Math.min(PAGE_LIMIT, 250 - offset));
        const payload = Array.from({ length: count }, (_, i) => ({
          workoutKey: `w${offset + i}`,
          startTime: END - DAY_MS + (offset + i) * 1000,
          totalTime: 60,
        }));
        return { error: null, payload, metadata: {} };
      }
      if (path.startsWith('/v2/workout/samples/')) throw new ProviderRequestError(404, 'not found');
      return [];
    };
    const unit = { key: 'suunto:x', start: END - DAY_MS, end: END };
    const result = await pullSuunto(get, unit);
    expect(result.events).toHaveLength(250);
    expect(queries).toEqual(
      [0, 100, 200].map((offset) => ({
        since: unit.start,
        until: unit.end,
        limit: 100,
        offset,
        'filter-by-modification-time': 'true',
      })),
    );
  });

  it('a paging that never ends fails the unit instead of looping', async () => {
    const get: ProviderGet = async () => ({
      error: null,
      payload: Array.from({ length: PAGE_LIMIT }, () => ({})),
    });
    await expect(pullSuunto(get, { key: 'k', start: 0, end: DAY_MS })).rejects.toThrow(`after ${MAX_PAGES}`);
  });
});

describe('suunto errors', () => {
  const unit = () => suuntoModule.units(END - DAY_MS, END)[0]!;

  it('without the subscription key (or with a wrong one) API management answers 401', async () => {
    expect(suuntoModule.requestHeaders!(() => undefined)).toEqual({});
    await expect(pullSuunto(client(null), unit())).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(pullSuunto(client('stolen-key'), unit())).rejects.toBeInstanceOf(UnauthorizedError);
    expect(fake.requests.at(-1)).toMatchObject({ status: 401, username: null });
  });

  it('an unknown or revoked access token is a 401; a 429 is a rate limit until Retry-After', async () => {
    await expect(pullSuunto(client(fake.subscriptionKey, 'not-a-token'), unit())).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    fake.rateLimitNext(1, 30);
    const before = Date.now();
    const error = await pullSuunto(client(), unit()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAt).toBeGreaterThanOrEqual(before + 30_000);
  });

  it('an error in a 200 envelope, or a body that is not a list, is a refused request', async () => {
    const refusing: ProviderGet = async () => ({
      error: { code: '403', description: 'No access' },
      payload: null,
    });
    await expect(pullSuunto(refusing, unit())).rejects.toThrow(ProviderRequestError);
    await expect(pullSuunto(refusing, unit())).rejects.toThrow(/No access/);
    const odd: ProviderGet = async (path) =>
      path === '/v3/workouts/' ? { error: null, payload: [] } : { items: [] };
    await expect(pullSuunto(odd, unit())).rejects.toThrow(/unexpected \/247samples\/sleep body/);
  });

  it('an empty 24/7 answer is no data', async () => {
    const empty: ProviderGet = async (path) =>
      path === '/v3/workouts/' ? { error: null, payload: [] } : null;
    expect(await pullSuunto(empty, unit())).toEqual({ series: [], events: [], scores: [] });
  });
});
