import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKFILL_ENDPOINTS,
  BACKFILL_TYPES,
  BACKFILL_WINDOW_DAYS,
  backfillUnits,
  requestBackfill,
} from '#shared/providers/garmin/backfill.js';
import { PERMISSIONS_PATH, USER_ID_PATH } from '#shared/providers/garmin/identity.js';
import { garminModule } from '#shared/providers/garmin/index.js';
import { DATA_TYPES } from '#shared/providers/garmin/mapping.js';
import {
  PermissionDeniedError,
  ProviderRequestError,
  TransientProviderError,
} from '#shared/providers/http.js';
import type { ProviderGet, SyncUnit, TokenSet } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

const DAY_MS = 86_400_000;

/** A fake ProviderGet: records the calls, answers by path (a function, a value, or an error to throw). */
function fakeGet(answers: Record<string, unknown> = {}) {
  const calls: Array<{ path: string; query: Record<string, string | number> | undefined }> = [];
  const get: ProviderGet = async (path, query) => {
    calls.push({ path, query });
    const answer = answers[path];
    if (answer instanceof Error) throw answer;
    return answer ?? null;
  };
  return { get, calls };
}

const tokens: TokenSet = { accessToken: 'at', refreshToken: 'rt', expiresAt: 0, scope: null, extras: {} };

describe('garmin module', () => {
  it('declares identity by external id, a bucket within 100 a minute and the webhook', () => {
    expect(garminModule).toMatchObject({
      name: 'garmin',
      eventIdentity: 'external',
      budget: { kind: 'bucket', perMinute: 90, burst: 10 },
    });
    expect(garminModule.webhook?.settings).toEqual(['GARMIN_CLIENT_ID']);
    expect(garminModule.webhook?.challenge).toBeUndefined();
    expect(garminModule.webhook?.subscriptions).toBeUndefined();
  });
});

describe('garmin identity', () => {
  it('reads the user id and the sorted permissions as scope', async () => {
    const { get, calls } = fakeGet({
      [USER_ID_PATH]: { userId: '4aacafe8' },
      [PERMISSIONS_PATH]: { permissions: ['HISTORICAL_DATA_EXPORT', 'ACTIVITY_EXPORT', 'HEALTH_EXPORT'] },
    });
    expect(await garminModule.identity(get, tokens)).toEqual({
      providerUserId: '4aacafe8',
      providerUsername: null,
      scope: 'ACTIVITY_EXPORT HEALTH_EXPORT HISTORICAL_DATA_EXPORT',
    });
    expect(calls.map((c) => c.path)).toEqual([
      '/partner-gateway/rest/user/id',
      '/partner-gateway/rest/user/permissions',
    ]);
  });

  it('keeps the id when the permissions cannot be read, and fails without an id', async () => {
    const failing = fakeGet({
      [USER_ID_PATH]: { userId: 'u' },
      [PERMISSIONS_PATH]: new ProviderRequestError(403, ''),
    });
    expect(await garminModule.identity(failing.get, tokens)).toMatchObject({
      providerUserId: 'u',
      scope: null,
    });
    await expect(garminModule.identity(fakeGet({ [USER_ID_PATH]: {} }).get, tokens)).rejects.toBeInstanceOf(
      ProviderRequestError,
    );
  });
});

describe('garmin backfill units', () => {
  it('requests every mapped type (all data types but activityFiles)', () => {
    expect([...BACKFILL_TYPES].sort()).toEqual(DATA_TYPES.filter((t) => t !== 'activityFiles').sort());
    expect(BACKFILL_ENDPOINTS).toMatchObject({
      allDayRespiration: 'respiration',
      pulseox: 'pulseOx',
      moveIQActivities: 'moveiq',
    });
  });

  it('cuts 30-day windows at UTC midnights, newest first, one unit per type', () => {
    const start = Date.UTC(2024, 0, 1, 12);
    const end = Date.UTC(2024, 2, 1, 8);
    const units = garminModule.units(start, end);
    expect(units).toHaveLength(3 * BACKFILL_TYPES.length);
    const windows = [...new Map(units.map((u) => [u.key.split(':')[1], [u.start, u.end]])).entries()];
    expect(windows).toEqual([
      ['2024-03-01', [Date.UTC(2024, 2, 1), end]],
      ['2024-01-31', [Date.UTC(2024, 0, 31), Date.UTC(2024, 2, 1)]],
      ['2024-01-01', [start, Date.UTC(2024, 0, 31)]],
    ]);
    expect(units.slice(0, BACKFILL_TYPES.length).map((u) => u.key)).toEqual(
      BACKFILL_TYPES.map((t) => `${t}:2024-03-01`),
    );
    expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
    for (const unit of units)
      expect(unit.end - unit.start).toBeLessThanOrEqual(BACKFILL_WINDOW_DAYS * DAY_MS);
  });

  it('tile the window per type: UTC-midnight cuts, at most 30 days, newest first, dated keys (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 400 * DAY_MS }),
        (start, length) => {
          const end = start + length;
          const units = backfillUnits(start, end);
          // The same windows as the pull providers' chunks (shared/providers/units.ts).
          const windows = dayChunks(start, end, BACKFILL_WINDOW_DAYS, 'w').reverse();
          expect(units).toHaveLength(windows.length * BACKFILL_TYPES.length);
          windows.forEach((window, i) => {
            const date = new Date(window.start).toISOString().slice(0, 10);
            expect(units.slice(i * BACKFILL_TYPES.length, (i + 1) * BACKFILL_TYPES.length)).toEqual(
              BACKFILL_TYPES.map((type) => ({
                key: `${type}:${date}`,
                start: window.start,
                end: window.end,
              })),
            );
            expect(window.end - window.start).toBeLessThanOrEqual(BACKFILL_WINDOW_DAYS * DAY_MS);
            if (window.start !== start) expect(window.start % DAY_MS).toBe(0);
          });
          expect(windows.at(-1)?.start).toBe(start);
          expect(windows[0]?.end).toBe(end);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('has no unit for an empty window and one window for a short one', () => {
    expect(backfillUnits(10, 10)).toEqual([]);
    expect(backfillUnits(Number.NaN, 10)).toEqual([]);
    const short = backfillUnits(Date.UTC(2024, 0, 1, 1), Date.UTC(2024, 0, 1, 2));
    expect(short.map((u) => u.key)).toEqual(BACKFILL_TYPES.map((t) => `${t}:2024-01-01`));
  });
});

describe('garmin backfill requests', () => {
  const unit = (type: string): SyncUnit => ({
    key: `${type}:2024-01-31`,
    start: Date.UTC(2024, 0, 31),
    end: Date.UTC(2024, 2, 1) - 0.5,
  });

  it('requests the endpoint with the window in seconds and saves nothing (202, empty body)', async () => {
    const { get, calls } = fakeGet();
    expect(await garminModule.pull(get, unit('allDayRespiration'))).toEqual({
      series: [],
      events: [],
      scores: [],
    });
    await garminModule.pull(get, unit('pulseox'));
    await garminModule.pull(get, unit('moveIQActivities'));
    await garminModule.pull(get, unit('sleeps'));
    const query = {
      summaryStartTimeInSeconds: Date.UTC(2024, 0, 31) / 1000,
      summaryEndTimeInSeconds: Date.UTC(2024, 2, 1) / 1000,
    };
    expect(calls).toEqual([
      { path: '/wellness-api/rest/backfill/respiration', query },
      { path: '/wellness-api/rest/backfill/pulseOx', query },
      { path: '/wellness-api/rest/backfill/moveiq', query },
      { path: '/wellness-api/rest/backfill/sleeps', query },
    ]);
  });

  const failingWith =
    (error: Error): ProviderGet =>
    async () => {
      throw error;
    };

  it('treats 409 as already requested and 400 "min start time" as nothing available', async () => {
    expect(
      await requestBackfill(failingWith(new ProviderRequestError(409, 'duplicate')), 'hrv', 0, 1000),
    ).toBe('already_requested');
    const tooOld = new ProviderRequestError(
      400,
      '{"errorMessage":"start time is before min start time 1700000000"}',
    );
    expect(await requestBackfill(failingWith(tooOld), 'hrv', 0, 1000)).toBe('unavailable');
    expect(await garminModule.pull(failingWith(tooOld), unit('dailies'))).toEqual({
      series: [],
      events: [],
      scores: [],
    });
    expect(await requestBackfill(fakeGet().get, 'hrv', 0, 1000)).toBe('requested');
  });

  it.each([403, 412])('throws PermissionDeniedError on %i', async (status) => {
    await expect(
      garminModule.pull(failingWith(new ProviderRequestError(status, 'no permission')), unit('epochs')),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('lets other errors propagate', async () => {
    const badRequest = new ProviderRequestError(400, 'invalid range');
    await expect(garminModule.pull(failingWith(badRequest), unit('epochs'))).rejects.toBe(badRequest);
    const transient = new TransientProviderError('503');
    await expect(garminModule.pull(failingWith(transient), unit('epochs'))).rejects.toBe(transient);
    await expect(
      garminModule.pull(fakeGet().get, { key: 'nonsense:2024-01-01', start: 0, end: 1 }),
    ).rejects.toThrow(/not a Garmin backfill unit/);
  });
});
