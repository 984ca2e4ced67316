import { beforeEach, describe, expect, it } from 'vitest';
import { listSleepSessions } from '#shared/data/events.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { createUser } from '#shared/identity/users.js';
import { ingestSdkPush } from '#shared/ingest/sdk-ingest.js';
import { emitStaleSleepEvents, finaliseStaleSleep } from '#shared/ingest/sleep-sessions.js';
import { pendingSleepEmissions } from '#shared/store/sleep-pending.js';
import { recordSyncEvent } from '#shared/sync/status.js';
import { userSyncRuns } from '#shared/sync/status-read.js';
import { healthKitPush, healthKitRecord, healthKitSleep } from '#test/helpers/sdk-payloads.js';
import { queueDown, useEventsQueue } from './events-queue.js';

/**
 * No fact goes unannounced. Writes whose retry would not emit again keep their events when the events queue is
 * unreachable: sleep nights keep theirs committed until emitted (the next sleep write or the finaliser emits
 * them, same ids), a sync status is recorded anyway and its emission only logged. Ids never merge two facts:
 * each recorded sync status has its own.
 */
const { emitted } = useEventsQueue((events) => {
  sent.push(...events);
});
/** Every event handed to SQS, accepted or not. */
let sent: DomainEvent[] = [];
beforeEach(() => {
  sent = [];
});

const sleepIds = (events: DomainEvent[]) => events.filter((e) => e.type === 'sleep.created').map((e) => e.id);

const HOUR = 3_600_000;
const nightAt = (start: number) => [
  healthKitSleep('light', start, start + 2 * HOUR),
  healthKitSleep('deep', start + 2 * HOUR, start + 5 * HOUR),
];
const nightsOf = async (userId: string) =>
  (
    await listSleepSessions(userId, {
      startMs: 0,
      endMs: Date.UTC(2100, 0),
      limit: 100,
      filterByPriority: false,
    })
  ).data;

describe('emission after a committed write fails', () => {
  it('a night the finaliser closed while the queue was down is emitted by its next run, same id', async () => {
    const user = await createUser({});
    const now = Date.now();
    await ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: nightAt(now - 6 * HOUR) }));
    expect(await nightsOf(user.id)).toEqual([]);
    await emitted();
    sent = [];

    const later = now + 3 * HOUR;
    await queueDown(() => finaliseStaleSleep(later, Date.now() + 20_000));
    const [night] = await nightsOf(user.id);
    expect(night).toBeDefined();
    const refused = sleepIds(sent);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(new RegExp(`^sleep\\.created\\.${night!.id}\\.`));
    expect(await emitted()).toEqual([]);
    expect(await pendingSleepEmissions(user.id)).toHaveLength(1);

    // The night's segments left the pending slot: a finaliser pass has nothing left to close...
    expect(await finaliseStaleSleep(later, Date.now() + 20_000)).toBe(0);
    // ...but the next run re-emits the committed event, once.
    await emitStaleSleepEvents(later + 2 * 60_000, Date.now() + 20_000);
    expect(sleepIds(await emitted())).toEqual(refused);
    expect(await pendingSleepEmissions(user.id)).toEqual([]);
    await emitStaleSleepEvents(later + 2 * 60_000, Date.now() + 20_000);
    expect(await emitted()).toEqual([]);
  });

  it("an SDK push's night not emitted with the queue down is emitted by the user's next sleep push", async () => {
    const user = await createUser({});
    const first = Date.now() - 48 * HOUR;
    // Only sleep (and bookkeeping whose emission is logged): the push itself succeeds.
    await queueDown(() => ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: nightAt(first) })));
    const refused = sleepIds(sent);
    expect(refused).toHaveLength(1);
    expect(await nightsOf(user.id)).toHaveLength(1);
    expect(await emitted()).toEqual([]);

    await ingestSdkPush(user.id, 'apple', healthKitPush({ sleep: nightAt(first + 24 * HOUR) }));
    const ids = sleepIds(await emitted());
    expect(ids).toHaveLength(2);
    expect(ids).toContain(refused[0]);
    expect(await pendingSleepEmissions(user.id)).toEqual([]);
  });

  it('a sync status is recorded with the queue down; its emission is only logged', async () => {
    const user = await createUser({});
    const run = { run_id: 'run-down', user_id: user.id, provider: 'oura', source: 'pull' as const };
    const event = await queueDown(() =>
      recordSyncEvent({ ...run, stage: 'completed', status: 'success', items_processed: 3 }),
    );
    expect(sent.map((e) => e.id)).toEqual([`sync.completed.run-down.${event.event_id}`]);
    expect((await userSyncRuns(user.id, 10)).map((r) => [r.run_id, r.stage])).toEqual([
      ['run-down', 'completed'],
    ]);
    expect(await emitted()).toEqual([]);
  });

  it('two SDK batches of one sync session complete its run twice: two sync.completed events', async () => {
    const user = await createUser({});
    const session = { syncSessionId: 'session-7', syncType: 'live' };
    const at = Date.UTC(2026, 2, 2, 6);
    for (const offset of [0, 60_000]) {
      const record = healthKitRecord(
        'HKQuantityTypeIdentifierHeartRate',
        at + offset,
        at + offset,
        61,
        'count/min',
      );
      await ingestSdkPush(user.id, 'apple', healthKitPush({ records: [record] }, session));
    }
    const completions = (await emitted()).filter((e) => e.type === 'sync.completed');
    expect(completions).toHaveLength(2);
    expect(new Set(completions.map((e) => e.id)).size).toBe(2);
    for (const event of completions) {
      expect(event.id).toMatch(/^sync\.completed\.sdk_session-7\.[0-9a-f-]{36}$/);
      expect(event.data).toMatchObject({ run_id: 'sdk_session-7', status: 'success', items_processed: 1 });
    }
  });
});
