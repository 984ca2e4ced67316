import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { toCanonicalUnit } from '#shared/ingest/sdk-units.js';
import { logger } from '#shared/observability.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';
import {
  healthConnectRecord,
  healthConnectRound,
  healthKitPush,
  healthKitRecord,
  healthKitWorkout,
} from '#test/helpers/sdk-payloads.js';

/**
 * Issue 8 items 7 and 13: values the iOS SDK sends in metres or as HealthKit fractions came back 100x off
 * (stride length 1.1 cm, waist 0.85 cm, humidity 0.65 %), and category samples and nutrition records vanished
 * without a trace. Now each is converted, mapped where the unified model has a type, or dropped and counted.
 */

let sandbox: TestSandbox;
let headers: Record<string, string>;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  headers = { 'x-open-wearables-api-key': await testApiKey('units') };
});
afterAll(() => sandbox.stop());

const T0 = Date.UTC(2026, 10, 2, 7);
const MINUTE = 60_000;
const push = (userId: string, body: unknown) =>
  sandbox.api('POST', `/api/v1/sdk/users/${userId}/sync`, { headers, json: body });
async function values(userId: string, type: string) {
  const { json } = await sandbox.api(
    'GET',
    `/api/v1/users/${userId}/timeseries?types=${type}&start_time=2026-11-01T00:00:00Z&end_time=2026-11-04T00:00:00Z`,
    { headers },
  );
  return json.data.map((s: { value: number; unit: string }) => [s.value, s.unit]);
}

describe('units', () => {
  it('stores stride length, waist circumference and humidity in the units the API states', async () => {
    const user = await createUser({});
    const run = healthKitWorkout(T0, T0 + 40 * MINUTE, [
      { type: 'duration', value: 2400, unit: 's' },
      { type: 'averageRunningStrideLength', value: 1.1, unit: 'm' },
      { type: 'weatherHumidity', value: 0.65, unit: '%' },
    ]);
    const watchOs11Run = healthKitWorkout(T0 + 3 * 3_600_000, T0 + 3 * 3_600_000 + 30 * MINUTE, [
      { type: 'weatherHumidity', value: 9400, unit: '%' },
    ]);
    const waist = healthKitRecord('HKQuantityTypeIdentifierWaistCircumference', T0, T0, 0.85, 'm', 'phone');
    const answer = await push(user.id, healthKitPush({ records: [waist], workouts: [run, watchOs11Run] }));
    expect(answer.json).toMatchObject({ status_code: 202, dropped_count: 0 });

    expect(await values(user.id, 'running_stride_length')).toEqual([[110, 'cm']]);
    expect(await values(user.id, 'waist_circumference')).toEqual([[85, 'cm']]);
    expect(await values(user.id, 'weather_humidity')).toEqual([
      [65, 'percent'],
      [94, 'percent'],
    ]);
  });

  it('humidity comes out in percent whichever of the three HealthKit scales it arrived in', () => {
    const percent = fc.double({ min: 1.01, max: 100, noNaN: true });
    fc.assert(
      fc.property(percent, (p) => {
        for (const sent of [p / 100, p, p * 100]) {
          expect(toCanonicalUnit('weather_humidity', sent, '%', 'apple')).toBeCloseTo(p, 9);
        }
      }),
    );
  });

  it('converts lengths and volumes by the unit sent, and refuses units it cannot convert', () => {
    expect(toCanonicalUnit('height', 1.82, 'm', 'apple')).toBeCloseTo(182);
    expect(toCanonicalUnit('height', 182, 'cm', 'samsung')).toBe(182);
    expect(toCanonicalUnit('running_vertical_oscillation', 8.4, 'cm', 'apple')).toBe(8.4);
    expect(toCanonicalUnit('waist_circumference', 34, 'in', 'apple')).toBeCloseTo(86.36);
    expect(toCanonicalUnit('hydration', 0.5, 'L', 'apple')).toBe(500);
    expect(toCanonicalUnit('hydration', 250, 'mL', 'health_connect')).toBe(250);
    expect(toCanonicalUnit('height', 6, 'furlong', 'apple')).toBeNull();
  });
});

describe('category samples and nutrition', () => {
  it('maps what the unified model has a type for and counts the rest, with reasons in the logs', async () => {
    const user = await createUser({});
    const info = vi.spyOn(logger, 'info');
    const category = (type: string, minutes: number, value: number) =>
      healthKitRecord(`HKCategoryTypeIdentifier${type}`, T0, T0 + minutes * MINUTE, value, null, 'phone');
    const records = [
      category('MindfulSession', 10, 0),
      category('MenstrualFlow', 24 * 60, 3),
      category('OvulationTestResult', 1, 2),
      healthKitRecord('HKQuantityTypeIdentifierDietaryWater', T0, T0, 0.33, 'L', 'phone'),
      healthKitRecord('HKQuantityTypeIdentifierDietaryProtein', T0, T0, 31, 'g', 'phone'),
    ];
    const answer = await push(user.id, healthKitPush({ records }));
    expect(answer.json).toMatchObject({ records_saved: 1, workouts_saved: 1, dropped_count: 3 });

    expect(await values(user.id, 'hydration')).toEqual([[330, 'mL']]);
    const { json } = await sandbox.api(
      'GET',
      `/api/v1/users/${user.id}/events/workouts?start_date=2026-11-01&end_date=2026-11-04`,
      { headers },
    );
    expect(json.data).toMatchObject([
      { type: 'meditation', duration_seconds: 600, start_time: '2026-11-02T07:00:00Z' },
    ]);
    const logged = info.mock.calls.find(([message]) => message === 'sdk push items dropped');
    expect(logged?.[1]).toMatchObject({
      reasons: {
        'no unified type for HKCategoryTypeIdentifierMenstrualFlow': 1,
        'no unified type for HKCategoryTypeIdentifierOvulationTestResult': 1,
        'no unified type for HKQuantityTypeIdentifierDietaryProtein': 1,
      },
    });
    info.mockRestore();
  });

  it('a Health Connect meal: the water is stored, the nutrients are counted as dropped', async () => {
    const user = await createUser({});
    const meal = { ...healthConnectRecord('FOOD', T0, 1, 'count'), id: 'meal-1', unit: null };
    const protein = { ...healthConnectRecord('DIETARY_PROTEIN', T0, 38.2, 'g'), parentId: 'meal-1' };
    const water = healthConnectRecord('HYDRATION', T0, 250, 'mL');
    const round = healthConnectRound({ start: T0, count: 2 }, { records: [meal, protein, water] });
    const answer = await push(user.id, round);
    expect(answer.json).toMatchObject({ records_saved: 3, dropped_count: 2 });
    expect(await values(user.id, 'hydration')).toEqual([[250, 'mL']]);
  });
});
