import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';
import { healthKitPush, healthKitRecord } from '#test/helpers/sdk-payloads.js';

/**
 * Issue 8 items 8 and 9: with a Watch that records heart rate and a phone that counts steps, the daily activity
 * summary said `steps: null` (one best source per day); sedentary minutes counted every minute between the first
 * and last step sample. Now each field comes from the best source that has it, and sedentary minutes follow the
 * reference (minutes with step data minus active minutes).
 */

let sandbox: TestSandbox;
let headers: Record<string, string>;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  headers = { 'x-open-wearables-api-key': await testApiKey('summaries') };
});
afterAll(() => sandbox.stop());

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 5, 8);

describe('daily activity from the right sources', () => {
  it('takes steps from the phone and heart rate from the Watch, and names the steps source', async () => {
    const user = await createUser({});
    const steps = (at: number, value: number) =>
      healthKitRecord('HKQuantityTypeIdentifierStepCount', at, at + MINUTE, value, 'count', 'phone');
    const heartRate = (at: number, value: number) =>
      healthKitRecord('HKQuantityTypeIdentifierHeartRate', at, at, value, 'count/min', 'watch');
    const records = [
      steps(T0, 4),
      steps(T0 + 60 * MINUTE, 3),
      steps(T0 + 61 * MINUTE, 95),
      heartRate(T0, 72),
      heartRate(T0 + 30 * MINUTE, 90),
    ];
    const pushed = await sandbox.api('POST', `/api/v1/sdk/users/${user.id}/sync`, {
      headers,
      json: healthKitPush({ records }),
    });
    expect(pushed.json).toMatchObject({ records_saved: 5, dropped_count: 0 });

    const { json } = await sandbox.api(
      'GET',
      `/api/v1/users/${user.id}/summaries/activity?start_date=2026-11-05&end_date=2026-11-06`,
      { headers },
    );
    expect(json.data).toEqual([
      expect.objectContaining({
        date: '2026-11-05',
        source: expect.objectContaining({ provider: 'apple', device: 'iPhone16,1', device_type: 'phone' }),
        steps: 102,
        heart_rate: { avg_bpm: 81, max_bpm: 90, min_bpm: 72 },
        active_minutes: 1,
        // three minutes with step data, one of them active: not the 61 minutes between first and last
        sedentary_minutes: 2,
      }),
    ]);
  });
});
