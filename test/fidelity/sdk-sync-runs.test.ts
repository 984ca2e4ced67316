import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { db } from '#shared/store/client.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { startTestSandbox, type TestSandbox } from '#test/helpers/sandbox.js';
import { healthKitPush, healthKitRecord } from '#test/helpers/sdk-payloads.js';

/**
 * Issue 8 item 11: SDK pushes left no trace in the sync status. Each batch is now recorded (contract 6.3.5), and
 * the batches of an iOS 0.15 sync session (`syncSessionId`, `syncType`) make one run, which the SDK's own log
 * events open and complete.
 */

let sandbox: TestSandbox;
let headers: Record<string, string>;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  headers = { 'x-open-wearables-api-key': await testApiKey('sdk-runs') };
});
afterAll(() => sandbox.stop());

const MIDDLEWARE = 'test-injected-failure';
afterEach(() => {
  db().doc.middlewareStack.remove(MIDDLEWARE);
});

const T0 = Date.UTC(2026, 10, 20, 6);
const heartRates = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    healthKitRecord(
      'HKQuantityTypeIdentifierHeartRate',
      from + i * 60_000,
      from + i * 60_000,
      60 + i,
      'count/min',
    ),
  );
const push = (userId: string, body: unknown) =>
  sandbox.api('POST', `/api/v1/sdk/users/${userId}/sync`, { headers, json: body });
const logs = (userId: string, syncSessionId: string, events: unknown[]) =>
  sandbox.api('POST', `/api/v1/sdk/users/${userId}/logs`, {
    headers,
    json: { sdkVersion: '0.15.0', provider: 'apple', syncSessionId, events },
  });
const runs = async (userId: string) =>
  (await sandbox.api('GET', `/api/v1/users/${userId}/sync/runs`, { headers })).json;
const recent = async (userId: string) =>
  (await sandbox.api('GET', `/api/v1/users/${userId}/sync/recent`, { headers })).json;

const typeEnd = (dataType: string, success: boolean, recordCount: number) => ({
  eventType: 'historical_data_type_sync_end',
  timestamp: new Date().toISOString(),
  dataType,
  success,
  recordCount,
  durationMs: 1200,
});

describe('sync status of SDK pushes', () => {
  it('a batch without a session is a completed run of its own, with its counts', async () => {
    const user = await createUser({});
    expect((await push(user.id, healthKitPush({ records: heartRates(T0, 3) }))).status).toBe(202);
    const [event] = await recent(user.id);
    expect(event).toMatchObject({
      user_id: user.id,
      provider: 'apple',
      source: 'sdk',
      stage: 'completed',
      status: 'success',
      message: 'Apple Health batch saved',
      items_processed: 3,
      error: null,
      metadata: {
        records_saved: 3,
        workouts_saved: 0,
        sleep_saved: 0,
        dropped_count: 0,
        sync_session_id: null,
      },
    });
    expect(event.run_id).toBe(event.metadata.batch_id);
    const all = (await sandbox.api('GET', '/api/v1/sync/runs?source=sdk', { headers })).json;
    expect(all.map((r: { run_id: string }) => r.run_id)).toContain(event.run_id);
  });

  it("a historical session's batches make one run that the SDK's log events open and complete", async () => {
    const user = await createUser({});
    const session = randomUUID();
    const envelope = { sdkVersion: '0.15.0', syncSessionId: session, syncType: 'historical' };
    await logs(user.id, session, [
      {
        eventType: 'historical_data_sync_start',
        timestamp: new Date().toISOString(),
        dataTypeCounts: [
          { type: 'heartRate', count: 5 },
          { type: 'steps', count: 0 },
        ],
      },
    ]);
    await push(user.id, healthKitPush({ records: heartRates(T0, 3) }, envelope));
    await push(user.id, healthKitPush({ records: heartRates(T0 + 3_600_000, 2) }, envelope));
    expect(await runs(user.id)).toMatchObject([
      { run_id: `sdk_${session}`, status: 'in_progress', items_processed: 5, items_total: 5 },
    ]);

    await logs(user.id, session, [typeEnd('heartRate', true, 5)]);
    expect((await runs(user.id))[0]).toMatchObject({ status: 'in_progress' });
    await logs(user.id, session, [typeEnd('steps', true, 0)]);
    expect(await runs(user.id)).toMatchObject([
      {
        run_id: `sdk_${session}`,
        stage: 'completed',
        status: 'success',
        message: 'Historical sync completed',
        items_processed: 5,
        items_total: 5,
      },
    ]);
  });

  it('a session where some data types failed ends partial, naming them', async () => {
    const user = await createUser({});
    const session = randomUUID();
    await logs(user.id, session, [
      {
        eventType: 'historical_data_sync_start',
        timestamp: new Date().toISOString(),
        dataTypeCounts: [
          { type: 'heartRate', count: 1 },
          { type: 'workout', count: 1 },
        ],
      },
      typeEnd('heartRate', true, 1),
      typeEnd('workout', false, 0),
    ]);
    expect(await runs(user.id)).toMatchObject([
      { status: 'partial', stage: 'completed', message: 'Historical sync ended; failed: workout' },
    ]);
  });

  it('a batch that cannot be saved is a failed run with a clean error; the retry succeeds', async () => {
    const user = await createUser({});
    db().doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchGetItemCommand' || context.commandName === 'BatchGetCommand') {
          throw Object.assign(new Error('Throughput exceeded at 10.0.0.7'), { name: 'InternalServerError' });
        }
        return next(args);
      },
      { step: 'build', name: MIDDLEWARE },
    );
    const failed = await push(user.id, healthKitPush({ records: heartRates(T0, 2) }));
    db().doc.middlewareStack.remove(MIDDLEWARE);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const [event] = await recent(user.id);
    expect(event).toMatchObject({
      stage: 'failed',
      status: 'failed',
      error: 'The batch could not be saved; it can be sent again',
    });
    expect(JSON.stringify(event)).not.toContain('10.0.0.7');

    expect((await push(user.id, healthKitPush({ records: heartRates(T0, 2) }))).status).toBe(202);
    expect((await recent(user.id))[0]).toMatchObject({ status: 'success' });
  });

  it('an invalid envelope is a 400 and a failed run saying why; odd session fields are ignored', async () => {
    const user = await createUser({});
    const bad = await push(user.id, { ...healthKitPush({}), data: [] });
    expect(bad.status).toBe(400);
    expect((await recent(user.id))[0]).toMatchObject({
      status: 'failed',
      error: 'Invalid sync payload: data must be an object',
    });

    const odd = healthKitPush({ records: heartRates(T0, 1) }, { syncType: 'someday', syncSessionId: 42 });
    expect((await push(user.id, odd)).status).toBe(202);
    expect((await recent(user.id))[0]).toMatchObject({
      status: 'success',
      metadata: { sync_type: null, sync_session_id: null },
    });
  });
});
