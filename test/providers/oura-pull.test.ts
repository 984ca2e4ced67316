import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  bearerGet,
  ProviderRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { ouraModule } from '#shared/providers/oura/index.js';
import { UNIT_DAYS } from '#shared/providers/oura/pull.js';
import type { PullResult } from '#shared/providers/types.js';
import {
  DEFAULT_OURA_USER,
  emptyOuraData,
  type FakeOura,
  generateOuraDays,
  ouraSleep,
  startFakeOura,
} from '#test/fakes/oura.js';

const DAY = 86_400_000;
let fake: FakeOura;

beforeAll(async () => {
  fake = await startFakeOura({ pageSize: 7, heartRatePageSize: 400 });
});
afterAll(() => fake?.stop());
beforeEach(() => {
  fake.requests.length = 0;
});

const client = (userId = DEFAULT_OURA_USER) =>
  bearerGet(fake.apiBaseUrl, fake.issueTokens(userId).access_token as string);

async function pullAll(start: number, end: number, userId = DEFAULT_OURA_USER) {
  const get = client(userId);
  const results: PullResult[] = [];
  for (const unit of ouraModule.units(start, end)) results.push(await ouraModule.pull(get, unit));
  return results;
}

describe('oura units', () => {
  it('per collection, chunks of at most 30 days tile the window exactly; personal info once at the end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
        fc.integer({ min: 1, max: 400 * DAY }),
        (start, length) => {
          const end = start + length;
          const units = ouraModule.units(start, end);
          expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
          const byName = new Map<string, typeof units>();
          for (const unit of units) {
            const name = unit.key.split(':')[0]!;
            byName.set(name, [...(byName.get(name) ?? []), unit]);
          }
          expect([...byName.keys()].sort()).toEqual(
            [
              'daily_activity',
              'daily_cardiovascular_age',
              'daily_readiness',
              'daily_sleep',
              'daily_spo2',
              'heartrate',
              'personal_info',
              'sleep',
              'vO2_max',
              'workout',
            ].sort(),
          );
          for (const [name, list] of byName) {
            if (name === 'personal_info') {
              expect(list).toHaveLength(1);
              expect(list[0]!.end).toBe(end);
              continue;
            }
            expect(list[0]!.start).toBe(start);
            expect(list.at(-1)!.end).toBe(end);
            for (let i = 0; i < list.length; i++) {
              expect(list[i]!.end - list[i]!.start).toBeLessThanOrEqual(UNIT_DAYS * DAY);
              if (i > 0) expect(list[i]!.start).toBe(list[i - 1]!.end);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('oura pull against the fake', () => {
  const end = Date.UTC(2024, 2, 31, 10);
  const start = end - 90 * DAY;

  beforeAll(() => {
    fake.seed(DEFAULT_OURA_USER, generateOuraDays({ days: 95, end, seed: 3 }));
  });

  it('a 90-day backfill reads every page of every collection, with date-only ranges and ≤ 30-day heart rate', async () => {
    const results = await pullAll(start, end);
    const documents = fake.requests.filter((r) => /usercollection\/(?!heartrate|personal_info)/.test(r.path));
    expect(documents.length).toBeGreaterThan(0);
    for (const r of documents) {
      expect(r.query.start_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.query.end_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(documents.some((r) => r.query.next_token)).toBe(true);
    const heart = fake.requests.filter((r) => r.path.endsWith('/heartrate'));
    for (const r of heart)
      expect(Date.parse(r.query.end_datetime!) - Date.parse(r.query.start_datetime!)).toBeLessThanOrEqual(
        30 * DAY,
      );
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);

    const data = fake.data(DEFAULT_OURA_USER);
    const inWindow = (ms: number) => ms >= start && ms < end;
    const pulled = (pick: (r: PullResult) => unknown[]) => new Set(results.flatMap(pick));
    const sleeps = pulled((r) => r.events.filter((e) => e.category === 'sleep').map((e) => e.externalId));
    const expectedSleeps = data.documents.sleep.filter(
      (s) => s.type !== 'rest' && inWindow(Date.parse(s.bedtime_start as string)),
    );
    expect(expectedSleeps.length).toBeGreaterThan(80);
    expect(expectedSleeps.filter((s) => !sleeps.has(s.id))).toEqual([]);
    expect(data.documents.sleep.filter((s) => s.type === 'rest' && sleeps.has(s.id))).toEqual([]);

    const heartRate = pulled((r) =>
      r.series.filter((s) => s.series === 'heart_rate').flatMap((s) => s.samples.map((x) => x.timestamp)),
    );
    const expectedHeartRate = data.heartrate.map((s) => Date.parse(s.timestamp)).filter(inWindow);
    expect(expectedHeartRate.length).toBeGreaterThan(10_000);
    expect(expectedHeartRate.filter((at) => !heartRate.has(at))).toEqual([]);

    const activityScores = pulled((r) =>
      r.scores.filter((s) => s.category === 'activity').map((s) => s.recordedAt),
    );
    const expectedScores = data.documents.daily_activity
      .filter((d) => d.day >= '2024-01-02')
      .map((d) => Date.parse(d.timestamp as string));
    expect(expectedScores.filter((at) => !activityScores.has(at))).toEqual([]);
  });

  it('a live hour sees the local day of a wearer ahead of UTC', async () => {
    const userId = 'east-of-utc';
    // 08:30 on 15 January in UTC+10 is 22:30 on the 14th in UTC.
    const night = ouraSleep({
      day: '2024-01-15',
      start: Date.UTC(2024, 0, 14, 13),
      minutes: 480,
      offset: '+10:00',
    });
    const data = emptyOuraData();
    data.documents.sleep.push(night);
    fake.seed(userId, data);
    const results = await pullAll(Date.UTC(2024, 0, 14, 22), Date.UTC(2024, 0, 14, 23), userId);
    expect(results.flatMap((r) => r.events.map((e) => e.externalId))).toEqual([night.id]);
  });
});

describe('oura errors are classified for the sync engine', () => {
  it('an expired access token is an UnauthorizedError', async () => {
    const get = client();
    fake.oauth.expireAccessTokens();
    await expect(ouraModule.pull(get, ouraModule.units(Date.now() - DAY, Date.now())[0]!)).rejects.toThrow(
      UnauthorizedError,
    );
  });

  it('a collection whose scope was not granted is refused on its own, not as a dead token', async () => {
    const limited = fake.issueTokens(DEFAULT_OURA_USER, 'personal daily heartrate workout spo2');
    const get = bearerGet(fake.apiBaseUrl, limited.access_token as string);
    const units = ouraModule.units(Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 20));
    const unit = (name: string) => units.find((u) => u.key.startsWith(`${name}:`))!;
    const refused = await ouraModule.pull(get, unit('vO2_max')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderRequestError);
    expect(refused).not.toBeInstanceOf(UnauthorizedError);
    expect((await ouraModule.pull(get, unit('sleep'))).events.length).toBeGreaterThan(10);
  });

  it('a 429 is a RateLimitedError at Retry-After', async () => {
    const get = client();
    fake.rateLimitNext(1, 120);
    const before = Date.now();
    const error = await ouraModule.identity(get, {} as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(fake.requests.at(-1)?.status).toBe(429);
  });

  it('a heart rate range over 30 days is a 400 (the units never ask for one)', async () => {
    const get = client();
    const error = await get('/v2/usercollection/heartrate', {
      start_datetime: '2024-01-01T00:00:00Z',
      end_datetime: '2024-02-01T00:00:00Z',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRequestError);
    expect((error as ProviderRequestError).status).toBe(400);
  });

  it('identity: the personal_info id, and the email when granted', async () => {
    fake.setPersonalInfo('someone', { email: 'someone@example.com' });
    expect(await ouraModule.identity(client('someone'), {} as never)).toEqual({
      providerUserId: 'someone',
      providerUsername: 'someone@example.com',
    });
  });
});
