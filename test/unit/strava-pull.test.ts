import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activityUnits } from '#shared/providers/fitbit/index.js';
import { UnauthorizedError } from '#shared/providers/http.js';
import { stravaModule } from '#shared/providers/strava/index.js';
import { MAX_PAGES, PER_PAGE, pullActivities, stravaIdentity } from '#shared/providers/strava/pull.js';
import type { ProviderGet, TokenSet } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

const DAY_MS = 86_400_000;

const tokens = (extras: Record<string, unknown> = {}): TokenSet => ({
  accessToken: 'at',
  refreshToken: 'rt',
  expiresAt: Date.now() + 3_600_000,
  scope: 'activity:read_all,profile:read_all',
  extras,
});

const activity = (id: number, startDate: string) => ({
  id,
  type: 'Ride',
  sport_type: 'Ride',
  start_date: startDate,
  utc_offset: 0,
  elapsed_time: 600,
});

describe('strava module', () => {
  it('declares its identity, budget and webhook', () => {
    expect(stravaModule.name).toBe('strava');
    expect(stravaModule.eventIdentity).toBe('external');
    expect(stravaModule.budget).toEqual({ kind: 'headers' });
    expect(stravaModule.webhook?.settings).toEqual([
      'STRAVA_WEBHOOK_VERIFY_TOKEN',
      'STRAVA_CLIENT_ID',
      'STRAVA_CLIENT_SECRET',
      'STRAVA_SUBSCRIPTION_ID',
    ]);
  });
});

describe('day chunks (shared by fitbit and strava)', () => {
  it('keeps fitbit’s keys and ranges', () => {
    const start = Date.UTC(2024, 0, 1);
    const expected = [
      { key: 'activities:2024-01-01', start, end: start + 30 * DAY_MS },
      { key: 'activities:2024-01-31', start: start + 30 * DAY_MS, end: start + 60 * DAY_MS },
      { key: 'activities:2024-03-01', start: start + 60 * DAY_MS, end: start + 90 * DAY_MS },
    ];
    expect(activityUnits(start, start + 90 * DAY_MS)).toEqual(expected);
    expect(stravaModule.units(start, start + 90 * DAY_MS)).toEqual(expected);
  });

  it('cover any window exactly: contiguous, disjoint, bounded, later ones at UTC midnight, unique keys', () => {
    const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) });
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 400 * DAY_MS }),
        fc.integer({ min: 1, max: 60 }),
        (start, span, days) => {
          const units = dayChunks(start, start + span, days, 'x');
          expect(units[0]!.start).toBe(start);
          expect(units.at(-1)!.end).toBe(start + span);
          for (const [i, unit] of units.entries()) {
            expect(unit.end).toBeGreaterThan(unit.start);
            expect(unit.end - unit.start).toBeLessThanOrEqual(days * DAY_MS);
            expect(unit.key).toBe(`x:${new Date(unit.start).toISOString().slice(0, 10)}`);
            if (i > 0) {
              expect(unit.start).toBe(units[i - 1]!.end);
              expect(unit.start % DAY_MS).toBe(0);
            }
          }
          expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
        },
      ),
    );
  });

  it('is empty for an empty or inverted window and refuses a chunk that is not whole days', () => {
    expect(dayChunks(5, 5, 30, 'a')).toEqual([]);
    expect(dayChunks(10, 5, 30, 'a')).toEqual([]);
    expect(dayChunks(Number.NaN, 5, 30, 'a')).toEqual([]);
    expect(() => dayChunks(0, DAY_MS, 0, 'a')).toThrow(RangeError);
    expect(() => dayChunks(0, DAY_MS, 1.5, 'a')).toThrow(RangeError);
  });
});

describe('strava identity', () => {
  it('reads id and username from GET /athlete', async () => {
    const calls: string[] = [];
    const get: ProviderGet = async (path) => {
      calls.push(path);
      return { id: 134815, username: 'marianne_t', resource_state: 3 };
    };
    expect(await stravaIdentity(get, tokens())).toEqual({
      providerUserId: '134815',
      providerUsername: 'marianne_t',
    });
    expect(calls).toEqual(['/athlete']);
  });

  it('falls back to the athlete of the token response when the request fails', async () => {
    const failing: ProviderGet = async () => {
      throw new UnauthorizedError('no');
    };
    expect(await stravaIdentity(failing, tokens({ athlete: { id: 7, username: null } }))).toEqual({
      providerUserId: '7',
      providerUsername: null,
    });
    await expect(stravaIdentity(failing, tokens())).rejects.toThrow(UnauthorizedError);
  });

  it('leaves what the body lacks null', async () => {
    expect(await stravaIdentity(async () => ({ username: '  ' }), tokens())).toEqual({
      providerUserId: null,
      providerUsername: null,
    });
  });
});

describe('strava pull (scripted pages)', () => {
  const unit = { key: 'activities:2024-01-10', start: Date.UTC(2024, 0, 10), end: Date.UTC(2024, 0, 20) };

  it('asks with exclusive second bounds and pages until a short page', async () => {
    const calls: Array<[string, unknown]> = [];
    const full = Array.from({ length: PER_PAGE }, (_, i) =>
      activity(1000 + i, new Date(Date.UTC(2024, 0, 11) + i * 60_000).toISOString().replace('.000', '')),
    );
    const get: ProviderGet = async (path, query) => {
      calls.push([path, query]);
      if (query?.page === 1) return full;
      return [
        activity(1, '2024-01-09T23:59:59Z'), // before the unit
        activity(2, '2024-01-10T00:00:00Z'), // at the start: in
        activity(3, '2024-01-19T23:59:59Z'), // in
        activity(4, '2024-01-20T00:00:00Z'), // at the end: out
        { id: 5, name: 'no start' }, // malformed: skipped
        activity(3, '2024-01-19T23:59:59Z'), // repeated: once
      ];
    };
    const events = await pullActivities(get, unit);
    expect(calls).toEqual([
      ['/athlete/activities', { after: 1704844799, before: 1705708800, page: 1, per_page: 200 }],
      ['/athlete/activities', { after: 1704844799, before: 1705708800, page: 2, per_page: 200 }],
    ]);
    expect(events).toHaveLength(PER_PAGE + 2);
    expect(events[0]!.externalId).toBe('2');
    expect(events.at(-1)!.externalId).toBe('3');
    expect(events.every((e, i) => i === 0 || e.start >= events[i - 1]!.start)).toBe(true);
  });

  it('stops after one request when the first page is short or empty', async () => {
    let calls = 0;
    const get: ProviderGet = async () => {
      calls++;
      return [];
    };
    expect(await stravaModule.pull(get, unit)).toEqual({ series: [], events: [], scores: [] });
    expect(calls).toBe(1);
  });

  it('gives up after the page bound when every page is full', async () => {
    let calls = 0;
    const get: ProviderGet = async () => {
      calls++;
      return Array.from({ length: PER_PAGE }, () => activity(1, '2024-01-11T10:00:00Z'));
    };
    await expect(pullActivities(get, unit)).rejects.toThrow(/paging does not end/);
    expect(calls).toBe(MAX_PAGES);
  });

  it('rejects a body that is not a list', async () => {
    await expect(pullActivities(async () => ({ message: 'Bad' }), unit)).rejects.toThrow(
      /unexpected activities body/,
    );
  });
});
