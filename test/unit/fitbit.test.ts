import { describe, expect, it } from 'vitest';
import { WORKOUT_TYPES } from '#shared/model/workout-types.js';
import { activityUnits, pullActivities, UNIT_DAYS } from '#shared/providers/fitbit/activities.js';
import { fitbit, fitbitIdentity } from '#shared/providers/fitbit/index.js';
import {
  FITBIT_ACTIVITY_NAMES,
  FITBIT_ACTIVITY_TYPE_IDS,
  fitbitWorkoutType,
  mapActivity,
  parseStartTime,
} from '#shared/providers/fitbit/mapping.js';
import type { ProviderGet, TokenSet } from '#shared/providers/types.js';

const DAY_MS = 86_400_000;

/** The example of providers.md 4.7. */
const EXAMPLE = {
  logId: 12345678,
  activityName: 'Run',
  activityTypeId: 90009,
  logType: 'auto_detected',
  startTime: '2024-01-15T07:30:00.000+00:00',
  originalStartTime: '2024-01-15T07:30:00.000+00:00',
  duration: 3600000,
  activeDuration: 3540000,
  calories: 500,
  distance: 10.0,
  distanceUnit: 'Kilometer',
  steps: 8000,
  averageHeartRate: 155,
  source: { id: '310990433', name: 'Fitbit Charge 6', type: 'tracker' },
};

const tokens = (extras: Record<string, unknown>, scope: string | null = null): TokenSet => ({
  accessToken: 'at',
  refreshToken: 'rt',
  expiresAt: Date.now() + 3_600_000,
  scope,
  extras,
});

describe('fitbit activity mapping', () => {
  it('maps the providers.md example (golden)', () => {
    const start = Date.UTC(2024, 0, 15, 7, 30);
    expect(mapActivity(EXAMPLE)).toEqual({
      category: 'workout',
      type: 'running',
      source: {
        provider: 'fitbit',
        deviceModel: 'Fitbit Charge 6',
        sourceName: 'Fitbit Charge 6',
        softwareVersion: null,
        originalSourceName: 'Fitbit Charge 6',
      },
      start,
      end: start + 3_600_000,
      zoneOffset: '+00:00',
      durationSeconds: 3600,
      externalId: '12345678',
      details: {
        heart_rate_avg: 155,
        energy_burned: 500,
        distance: 10_000,
        steps_count: 8000,
        moving_time_seconds: 3540,
      },
    });
  });

  it('keeps the zone offset and converts the local start to UTC', () => {
    const event = mapActivity({ ...EXAMPLE, startTime: '2024-01-15T07:30:00.000+05:30' });
    expect(event?.start).toBe(Date.UTC(2024, 0, 15, 2, 0));
    expect(event?.zoneOffset).toBe('+05:30');
    expect(mapActivity({ ...EXAMPLE, startTime: '2024-01-15T07:30:00-0800' })?.zoneOffset).toBe('-08:00');
    expect(mapActivity({ ...EXAMPLE, startTime: '2024-01-15T07:30:00Z' })?.zoneOffset).toBe('+00:00');
  });

  it('needs a start time with an offset and a duration', () => {
    expect(mapActivity({ ...EXAMPLE, startTime: '2024-01-15T07:30:00.000' })).toBeNull();
    expect(mapActivity({ ...EXAMPLE, startTime: '01/15/24 07:30:00' })).toBeNull();
    expect(mapActivity({ ...EXAMPLE, startTime: undefined })).toBeNull();
    expect(mapActivity({ ...EXAMPLE, duration: undefined })).toBeNull();
    expect(mapActivity('not an activity')).toBeNull();
    expect(parseStartTime('2024-01-15T07:30:00.000+15:00')).toBeNull();
  });

  it('converts distance units and defaults the source to Fitbit', () => {
    const { source: _, ...manual } = EXAMPLE;
    const event = mapActivity({ ...manual, distance: 3.1, distanceUnit: 'Mile', logType: 'manual' });
    expect(event?.details.distance).toBe(4988.966);
    expect(event?.source).toMatchObject({
      deviceModel: 'Fitbit',
      sourceName: 'Fitbit',
      originalSourceName: null,
    });
    expect(mapActivity({ ...EXAMPLE, distanceUnit: undefined })?.details.distance).toBe(10_000);
    expect(mapActivity({ ...EXAMPLE, distance: 1.2345 })?.details.distance).toBe(1234.5);
    expect(mapActivity({ ...EXAMPLE, distanceUnit: 'Furlong' })?.details.distance).toBeUndefined();
  });

  it('leaves out what the log does not carry', () => {
    const event = mapActivity({
      logId: 1,
      activityName: 'Yoga',
      activityTypeId: 52001,
      startTime: '2024-01-15T18:00:00.000+01:00',
      duration: 1800000,
      elevationGain: 0,
    });
    expect(event?.details).toEqual({ total_elevation_gain: 0 });
    expect(event?.type).toBe('yoga');
  });
});

describe('fitbit workout types', () => {
  it('maps every id and name to a unified workout type', () => {
    const valid = new Set<string>(WORKOUT_TYPES);
    for (const type of Object.values(FITBIT_ACTIVITY_TYPE_IDS)) expect(valid.has(type)).toBe(true);
    for (const [name, type] of Object.entries(FITBIT_ACTIVITY_NAMES)) {
      expect(valid.has(type)).toBe(true);
      expect(name).toBe(name.trim().toLowerCase());
    }
    for (const [id, type] of Object.entries(FITBIT_ACTIVITY_TYPE_IDS))
      expect(fitbitWorkoutType(Number(id), 'something unknown')).toBe(type);
    for (const [name, type] of Object.entries(FITBIT_ACTIVITY_NAMES))
      expect(fitbitWorkoutType(1, name)).toBe(type);
  });

  it.each([
    // ids (Fitbit catalogue; the reference's agree for these)
    [90009, 'Run', 'running'],
    [90013, 'Walk', 'walking'],
    [90001, 'Bike', 'cycling'],
    [52001, 'Yoga', 'yoga'],
    // ids the reference maps differently: Fitbit's own names decide
    [2131, 'Weights', 'strength_training'],
    [90024, 'Swim', 'swimming'],
    [1071, 'Outdoor Bike', 'cycling'],
    [90019, 'Treadmill', 'treadmill'],
    [3000, 'Workout', 'generic'],
    [55001, 'Spinning', 'indoor_cycling'],
    [20047, 'Elliptical', 'elliptical'],
    [90012, 'Hike', 'hiking'],
    // name fallback for ids outside the map (the reference's examples), case-insensitive
    [999_001, 'run', 'running'],
    [999_002, 'WALK', 'walking'],
    [999_003, 'Bike', 'cycling'],
    [999_004, ' Swim ', 'swimming'],
    [999_005, 'Weights', 'strength_training'],
    [999_006, 'Stair  Climbing', 'stair_climbing'],
    [999_007, 'Dance', 'dance'],
    [null, 'Kickboxing', 'martial_arts'],
    ['90009', 'anything', 'running'],
    // else other
    [999_008, 'Underwater basket weaving', 'other'],
    [null, null, 'other'],
  ])('%s %s -> %s', (id, name, type) => {
    expect(fitbitWorkoutType(id, name)).toBe(type);
  });

  it('prefers the id over the name', () => {
    expect(fitbitWorkoutType(90009, 'Walk')).toBe('running');
  });
});

describe('fitbit activity units', () => {
  it('cover a midnight-aligned 90-day window with three 30-day units', () => {
    const start = Date.UTC(2024, 0, 1);
    const units = activityUnits(start, start + 90 * DAY_MS);
    expect(units).toEqual([
      { key: 'activities:2024-01-01', start, end: start + 30 * DAY_MS },
      { key: 'activities:2024-01-31', start: start + 30 * DAY_MS, end: start + 60 * DAY_MS },
      { key: 'activities:2024-03-01', start: start + 60 * DAY_MS, end: start + 90 * DAY_MS },
    ]);
  });

  it('cover any window exactly: contiguous, disjoint, at most 30 days, unique keys', () => {
    const end = Date.UTC(2024, 5, 30, 13, 37, 12, 345);
    for (const days of [90, 30, 1, 0.25, 365]) {
      const start = end - days * DAY_MS;
      const units = activityUnits(start, end);
      expect(units[0]!.start).toBe(start);
      expect(units.at(-1)!.end).toBe(end);
      for (const [i, unit] of units.entries()) {
        expect(unit.end).toBeGreaterThan(unit.start);
        expect(unit.end - unit.start).toBeLessThanOrEqual(UNIT_DAYS * DAY_MS);
        if (i > 0) {
          expect(unit.start).toBe(units[i - 1]!.end);
          expect(unit.start % DAY_MS).toBe(0);
        }
      }
      expect(new Set(units.map((u) => u.key)).size).toBe(units.length);
    }
    expect(activityUnits(end - 90 * DAY_MS, end)).toHaveLength(4);
  });

  it('is empty for an empty or inverted window', () => {
    expect(activityUnits(5, 5)).toEqual([]);
    expect(activityUnits(10, 5)).toEqual([]);
    expect(activityUnits(Number.NaN, 5)).toEqual([]);
  });
});

describe('fitbit identity', () => {
  it('takes user_id from the token response and the display name from the profile', async () => {
    const calls: string[] = [];
    const get: ProviderGet = async (path) => {
      calls.push(path);
      return { user: { encodedId: 'ABC123', displayName: 'Jo' } };
    };
    expect(await fitbit.identity(get, tokens({ user_id: 'ABC123' }, 'activity profile'))).toEqual({
      providerUserId: 'ABC123',
      providerUsername: 'Jo',
    });
    expect(calls).toEqual(['/1/user/-/profile.json']);
  });

  it('skips the profile request without the profile scope, and survives a failing one', async () => {
    const failing: ProviderGet = async () => {
      throw new Error('boom');
    };
    expect(await fitbitIdentity(failing, tokens({ user_id: 'ABC123' }, 'activity heartrate'))).toEqual({
      providerUserId: 'ABC123',
      providerUsername: null,
    });
    expect(await fitbitIdentity(failing, tokens({ user_id: 'ABC123' }))).toEqual({
      providerUserId: 'ABC123',
      providerUsername: null,
    });
    await expect(fitbitIdentity(failing, tokens({}))).rejects.toThrow('boom');
  });

  it('falls back to the profile encodedId without user_id', async () => {
    const get: ProviderGet = async () => ({ user: { encodedId: 'XYZ789', fullName: 'Jo Smith' } });
    expect(await fitbitIdentity(get, tokens({}))).toEqual({
      providerUserId: 'XYZ789',
      providerUsername: 'Jo Smith',
    });
  });
});

describe('fitbit pull (scripted responses)', () => {
  const unit = { key: 'activities:2024-01-10', start: Date.UTC(2024, 0, 10), end: Date.UTC(2024, 0, 20) };
  const at = (iso: string, logId: number) => ({ ...EXAMPLE, logId, startTime: iso });

  it('asks from the day before, keeps starts in [start, end) in UTC, follows next as given', async () => {
    const calls: Array<[string, unknown]> = [];
    const pages: Record<string, unknown> = {
      first: {
        activities: [
          at('2024-01-09T23:30:00.000+00:00', 1), // before the unit
          at('2024-01-10T00:30:00.000+01:00', 2), // 2024-01-09T23:30Z: before the unit
          at('2024-01-09T20:00:00.000-05:00', 3), // 2024-01-10T01:00Z: in
        ],
        pagination: {
          next: 'https://api.fitbit.com/1/user/-/activities/list.json?offset=3&limit=3&sort=asc&afterDate=2024-01-09',
        },
      },
      'https://api.fitbit.com/1/user/-/activities/list.json?offset=3&limit=3&sort=asc&afterDate=2024-01-09': {
        activities: [
          at('2024-01-19T22:59:00.000+00:00', 4), // in
          at('2024-01-19T20:00:00.000-04:00', 5), // 2024-01-20T00:00Z: at the end, out
          at('2024-01-19T20:00:00.000-04:00', 4), // same logId again: once
        ],
        pagination: { next: '' },
      },
    };
    const get: ProviderGet = async (path, query) => {
      calls.push([path, query]);
      return path.startsWith('http') ? pages[path] : pages.first;
    };
    const events = await pullActivities(get, unit);
    expect(calls[0]).toEqual([
      '/1/user/-/activities/list.json',
      { afterDate: '2024-01-09', sort: 'asc', limit: 100, offset: 0 },
    ]);
    expect(calls).toHaveLength(2);
    expect(calls[1]![0]).toMatch(/^https:\/\/api\.fitbit\.com\/.*offset=3/);
    expect(events.map((e) => e.externalId)).toEqual(['3', '4']);
  });

  it('stops paging once the listing is past the unit end', async () => {
    let calls = 0;
    const get: ProviderGet = async () => {
      calls++;
      return {
        activities: [at('2024-01-21T14:00:01.000+00:00', calls)],
        pagination: { next: `https://api.fitbit.com/next?page=${calls}` },
      };
    };
    expect(await pullActivities(get, unit)).toEqual([]);
    expect(calls).toBe(1);
  });

  it('rejects a body without activities and a next link that repeats', async () => {
    await expect(pullActivities(async () => ({ errors: [] }), unit)).rejects.toThrow(
      /unexpected activities body/,
    );
    const looping: ProviderGet = async () => ({
      activities: [at('2024-01-11T10:00:00Z', 1)],
      pagination: { next: 'https://x/same' },
    });
    await expect(pullActivities(looping, unit)).rejects.toThrow(/paging does not end/);
  });

  it('an activities unit returns workouts only', async () => {
    const get: ProviderGet = async () => ({
      activities: [at('2024-01-11T10:00:00Z', 1)],
      pagination: { next: '' },
    });
    const result = await fitbit.pull(get, unit);
    expect(result.series).toEqual([]);
    expect(result.scores).toEqual([]);
    expect(result.events).toHaveLength(1);
  });
});
