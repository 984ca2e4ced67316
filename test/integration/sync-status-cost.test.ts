import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '#shared/identity/users.js';
import { runErasureJob } from '#shared/jobs/erasure.js';
import { db } from '#shared/store/client.js';
import { eraseUserData } from '#shared/store/erase-user.js';
import { itemSize } from '#shared/store/item-size.js';
import { UserGone } from '#shared/store/user-guard.js';
import { tombstoneUser } from '#shared/store/users.js';
import { recordSyncEvent, type SyncEventInput } from '#shared/sync/status.js';
import { runProgress } from '#shared/sync/status-read.js';
import { testApiKey } from '#test/helpers/credentials.js';
import { httpEvent, lambdaContext } from '#test/helpers/events.js';
import { scanTable } from '#test/helpers/table.js';
import { unitsOf, useWriteMeter } from '#test/helpers/write-meter.js';
import { handler } from '../../functions/sync.js';

/**
 * Issue 12: a sync status event is two plain writes (the event, the run's summary) and one strongly consistent
 * read of the profile, no longer a guarded transaction (6 write units). The invariants the transaction kept hold
 * without it: no status of a deleted user is readable or left behind, a late older event never wins, a
 * retried request does not count twice.
 */

const meter = useWriteMeter();
let apiKey: string;
beforeAll(async () => {
  apiKey = await testApiKey('sync-status-cost');
});

const MINUTE = 60_000;
/** The start of a minute well after the other tests' runs, so that this test's runs are the newest. */
const futureMinute = (hoursAhead: number) =>
  Math.floor((Date.now() + hoursAhead * 3_600_000) / MINUTE) * MINUTE;

const middlewares: string[] = [];
afterEach(() => {
  for (const name of middlewares.splice(0)) db().doc.middlewareStack.remove(name);
});

/** Runs `fn` on every document-client command before it is sent. */
function intercept(
  name: string,
  fn: (command: string, input: Record<string, unknown>) => Promise<void> | void,
) {
  middlewares.push(name);
  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      await fn((context.commandName ?? '').replace(/Command$/, ''), args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name },
  );
}

/** Read units of the reads made while `work` runs. */
async function readsDuring(work: () => Promise<unknown>) {
  const reads: Array<{ command: string; units: number }> = [];
  middlewares.push('read-meter');
  db().doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = (context.commandName ?? '').replace(/Command$/, '');
      if (!/^(Get|BatchGet|Query)/.test(command)) return next(args);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      reads.push({ command, units: consumed?.CapacityUnits ?? 0 });
      return result;
    },
    { step: 'initialize', name: 'read-meter' },
  );
  await work();
  return reads;
}

const sdkPush = (userId: string, batchId: string): SyncEventInput => ({
  run_id: batchId,
  user_id: userId,
  provider: 'apple',
  source: 'sdk',
  stage: 'completed',
  status: 'success',
  message: 'Apple Health batch saved (12 record(s) dropped by validation)',
  items_processed: 2_760,
  started_at: new Date().toISOString(),
  ended_at: new Date().toISOString(),
  metadata: {
    batch_id: batchId,
    records_saved: 2_758,
    workouts_saved: 1,
    sleep_saved: 1,
    dropped_count: 12,
    sync_type: 'historical',
    sync_session_id: 'D5F7A1C2-8B3E-4F60-9A1D-2C3B4E5F6A7B',
  },
});

/** A provider sync's progress event, with the metadata the sync worker gives it (run-report.ts). */
const syncProgress = (userId: string, runId: string): SyncEventInput => ({
  run_id: runId,
  user_id: userId,
  provider: 'ultrahuman',
  source: 'pull',
  stage: 'saving',
  status: 'in_progress',
  message: 'Saving 2026-11-30T00:00:00.000Z/2026-12-01T00:00:00.000Z',
  progress: 0.4285714285714286,
  items_processed: 3,
  items_total: 7,
  started_at: new Date().toISOString(),
  metadata: {
    mode: 'historical',
    window_start: '2026-09-02T00:00:00.000Z',
    window_end: '2026-12-01T00:00:00.000Z',
    attempt: 12,
    samples_saved: 123_456,
    events_saved: 1_234,
    scores_saved: 456,
    units_skipped: 12,
  },
});

const runIdOf = () => `pull_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
const ofUser = (userId: string) => (item: Record<string, unknown>) => JSON.stringify(item).includes(userId);
const statusItems = async (userId: string) =>
  (await scanTable()).filter(
    (item) => item.PK === `USER#${userId}` && /^SYNC(EVT|RUN)#/.test(String(item.SK)),
  );

async function get(path: string, query: Record<string, string> = {}) {
  const result = (await handler(
    httpEvent('GET', path, { headers: { 'x-open-wearables-api-key': apiKey }, query }),
    lambdaContext('sync'),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode!, body: result.body ? JSON.parse(result.body) : undefined };
}

describe('what one status event costs', () => {
  it('an SDK push (a run of its own): two plain writes of at most 3 write units, one read unit', async () => {
    const user = await createUser({});
    meter.take();
    const batch = crypto.randomUUID();
    const reads = await readsDuring(() => recordSyncEvent(sdkPush(user.id, batch)));
    const writes = meter.take();
    // Before issue 12: one TransactWriteItems (profile guard, event, summary) of 6 write units.
    expect(writes.map((w) => w.command).sort()).toEqual(['PutItem', 'UpdateItem']);
    // The event and the summary (1 each, under 1 KB) and the summary's new index entry.
    expect(unitsOf(writes)).toBeLessThanOrEqual(3);
    expect(reads).toEqual([{ command: 'GetItem', units: 1 }]);
  });

  it("a run's next event in the same minute: at most 3 write units; the index key moves once a minute", async () => {
    const user = await createUser({});
    const runId = runIdOf();
    const minute = futureMinute(1);
    await recordSyncEvent({ ...syncProgress(user.id, runId), stage: 'started' }, minute + 1_000);
    meter.take();
    await recordSyncEvent(syncProgress(user.id, runId), minute + 2_000);
    const sameMinute = meter.take();
    expect(sameMinute.map((w) => w.command).sort()).toEqual(['PutItem', 'UpdateItem']);
    expect(unitsOf(sameMinute)).toBeLessThanOrEqual(3);
    // The next minute changes the summary's index key: one more unit (the old index entry goes).
    await recordSyncEvent(syncProgress(user.id, runId), minute + MINUTE + 1_000);
    expect(unitsOf(meter.take())).toBeLessThanOrEqual(4);
  });

  it('event and summary items stay under 1 KB (one write unit each) for the usual shapes', async () => {
    const user = await createUser({});
    await recordSyncEvent(sdkPush(user.id, crypto.randomUUID()));
    await recordSyncEvent(syncProgress(user.id, runIdOf()));
    await recordSyncEvent({
      run_id: `wh_${crypto.randomUUID()}`,
      user_id: user.id,
      provider: 'garmin',
      source: 'webhook',
      stage: 'completed',
      status: 'partial',
      started_at: new Date().toISOString(),
      ended_at: new Date().toISOString(),
      message: 'Webhook dailies: 1440 samples, 12 events, 3 scores, 2 items skipped',
      metadata: { kind: 'dailies', received_at: new Date().toISOString(), attempt: 3 },
    });
    const items = await statusItems(user.id);
    expect(items).toHaveLength(6);
    for (const item of items) expect(itemSize(item)).toBeLessThan(1_024);
  });
});

describe('a summary folds each event once', () => {
  it('an SDK session accumulates; a late older event adds its count but does not change the state', async () => {
    const user = await createUser({});
    const runId = 'sdk_cost-session';
    const minute = futureMinute(2);
    const batch = (count: number) => ({ ...sdkPush(user.id, runId), items_processed: count, accumulate: {} });
    await recordSyncEvent({ ...batch(10), stage: 'processing', status: 'in_progress' }, minute + 1_000);
    await recordSyncEvent(batch(20), minute + 3_000);
    await recordSyncEvent({ ...batch(5), stage: 'processing', status: 'in_progress' }, minute + 2_000);
    expect((await runProgress(user.id, runId))?.summary).toMatchObject({
      stage: 'completed',
      status: 'success',
      items_processed: 35,
      last_update: new Date(minute + 3_000).toISOString(),
    });
  });

  it('an update whose answer was lost and that the AWS SDK sends again is not counted twice', async () => {
    const user = await createUser({});
    const runId = 'sdk_cost-retried';
    const minute = futureMinute(3);
    const batch = (count: number) => ({ ...sdkPush(user.id, runId), items_processed: count, accumulate: {} });
    await recordSyncEvent(batch(10), minute + 1_000);
    // Every summary update reaches DynamoDB, then its answer is lost once: the SDK sends the same request again.
    let attempts = 0;
    const answered = new WeakSet<object>();
    middlewares.push('lose-answer');
    db().doc.middlewareStack.add(
      (next, context) => async (args) => {
        const summary =
          context.commandName === 'UpdateItemCommand' && JSON.stringify(args.input).includes('SYNCRUN#');
        if (!summary) return next(args);
        attempts++;
        const result = await next(args);
        if (answered.has(args.input as object)) return result;
        answered.add(args.input as object);
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      },
      // Inside the SDK's retries, around the parsing of the answer.
      { step: 'finalizeRequest', priority: 'low', name: 'lose-answer' },
    );
    await recordSyncEvent(batch(20), minute + 3_000);
    // Late and older: the accumulating update after the failed fold, also answered only on its retry.
    await recordSyncEvent({ ...batch(5), stage: 'processing', status: 'in_progress' }, minute + 2_000);
    // The newer event: applied, then refused as already folded. The late one: refused as older, its count added,
    // then refused as already added.
    expect(attempts).toBe(5);
    expect((await runProgress(user.id, runId))?.summary).toMatchObject({
      stage: 'completed',
      items_processed: 35,
    });
  });
});

describe('a deleted user has no sync status', () => {
  /** Holds the user's status writes until `release()`; `held` resolves once both wait. */
  function holdStatusWrites(userId: string) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrive!: () => void;
    const held = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    let waiting = 0;
    intercept('hold-status-writes', async (command, input) => {
      const key = (input.Item ?? input.Key) as { PK?: string; SK?: string } | undefined;
      if (!['PutItem', 'UpdateItem'].includes(command) || key?.PK !== `USER#${userId}`) return;
      if (!/^SYNC(EVT|RUN)#/.test(key.SK ?? '')) return;
      if (++waiting === 2) arrive();
      await released;
    });
    return { held, release };
  }

  /** DELETE /users/{id} without its queue: the tombstone, then the first pass. */
  async function deleteAndFirstPass(userId: string) {
    await tombstoneUser(userId);
    expect(await eraseUserData(userId, Date.now() + 60_000)).toBe('done');
  }

  async function expectNoStatusReadable(userId: string, runId: string) {
    expect((await get(`/api/v1/users/${userId}/sync/recent`)).status).toBe(404);
    expect((await get(`/api/v1/users/${userId}/sync/runs`)).status).toBe(404);
    expect(await get('/api/v1/sync/runs', { user_id: userId })).toEqual({ status: 200, body: [] });
    const all = await get('/api/v1/sync/runs', { limit: '10000' });
    expect(all.body.map((r: { run_id: string }) => r.run_id)).not.toContain(runId);
  }

  it('a status written after the first erasure pass by a writer that then dies: never readable, gone after the second pass', async () => {
    const [user, other] = [await createUser({}), await createUser({})];
    const runId = runIdOf();
    const otherRun = runIdOf();
    const { held, release } = holdStatusWrites(user.id);
    const writing = recordSyncEvent({
      ...syncProgress(user.id, runId),
      stage: 'completed',
      status: 'success',
    });
    await held;
    await deleteAndFirstPass(user.id);
    // The writer dies after its writes, before it could see that its user is gone.
    let armed = true;
    intercept('writer-dies', (command, input) => {
      const key = input.Key as { PK?: string; SK?: string } | undefined;
      if (armed && command === 'GetItem' && key?.PK === `USER#${user.id}` && key.SK === 'PROFILE') {
        armed = false;
        throw new Error('the writer died');
      }
    });
    release();
    await expect(writing).rejects.toThrow('the writer died');
    await recordSyncEvent({ ...syncProgress(other.id, otherRun), stage: 'completed', status: 'success' });

    expect((await statusItems(user.id)).map((item) => String(item.SK).split('#')[0]).sort()).toEqual([
      'SYNCEVT',
      'SYNCRUN',
    ]);
    await expectNoStatusReadable(user.id, runId);
    const all = await get('/api/v1/sync/runs', { limit: '10000' });
    expect(all.body.map((r: { run_id: string }) => r.run_id)).toContain(otherRun);

    expect(await runErasureJob({ user_id: user.id, final: true }, Date.now() + 60_000)).toBe('done');
    expect((await scanTable()).filter(ofUser(user.id))).toEqual([]);
    await expectNoStatusReadable(user.id, runId);
  });

  it('a writer whose status lands after the first pass deletes it and throws UserGone', async () => {
    const user = await createUser({});
    const { held, release } = holdStatusWrites(user.id);
    const writing = recordSyncEvent(sdkPush(user.id, crypto.randomUUID()));
    await held;
    await deleteAndFirstPass(user.id);
    release();
    await expect(writing).rejects.toBeInstanceOf(UserGone);
    expect((await scanTable()).filter(ofUser(user.id))).toEqual([
      expect.objectContaining({ SK: 'PROFILE', deleted_at: expect.any(String) }),
    ]);
  });

  it('nothing is left for a user deleted before, or for one who never existed', async () => {
    const user = await createUser({});
    await deleteAndFirstPass(user.id);
    await expect(recordSyncEvent(sdkPush(user.id, crypto.randomUUID()))).rejects.toBeInstanceOf(UserGone);
    const nobody = crypto.randomUUID();
    await expect(recordSyncEvent(sdkPush(nobody, crypto.randomUUID()))).rejects.toBeInstanceOf(UserGone);
    expect((await scanTable()).filter(ofUser(user.id))).toEqual([
      expect.objectContaining({ SK: 'PROFILE', deleted_at: expect.any(String) }),
    ]);
    expect((await scanTable()).filter(ofUser(nobody))).toEqual([]);
  });
});

describe('the cross-user listing', () => {
  it('is newest first when runs of one minute sit in the index by run id', async () => {
    const user = await createUser({});
    const minute = futureMinute(5);
    // 17 runs in one minute (so at least two share one of the 16 shards), the later the run id the older the run.
    const runIds = Array.from({ length: 17 }, (_, i) => `pull_cost${String(i).padStart(2, '0')}`);
    for (const [i, runId] of runIds.entries()) {
      await recordSyncEvent(
        { ...syncProgress(user.id, runId), stage: 'started' },
        minute + 59_000 - i * 1_000,
      );
    }
    for (let limit = 1; limit <= runIds.length; limit++) {
      const listed = await get('/api/v1/sync/runs', { limit: String(limit) });
      expect(listed.body.map((r: { run_id: string }) => r.run_id)).toEqual(runIds.slice(0, limit));
    }
  });
});
