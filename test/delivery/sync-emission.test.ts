import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { savePullResult } from '#shared/ingest/persist.js';
import { db } from '#shared/store/client.js';
import {
  connectedUser,
  continuations,
  dataIds,
  job,
  marksOf,
  PER_DAY,
  resultOf,
  run,
  threeDays,
  unitOf,
  useSyncEmission,
} from './sync-emission-fixture.js';

/**
 * A live sync emits the events of what changed the store, not of everything it fetched again (it re-reads hours it
 * stored an hour ago); a run that failed after its writes leaves its mark, and its continuation emits all it saves.
 * The marks themselves: sync-emission-marks.test.ts.
 */
const { emitted, refusedAt } = useSyncEmission();

describe('what a live sync emits', () => {
  it('a live run over data it stored before emits only its sync events; a revision emits what changed', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    expect(dataIds(await emitted())).toHaveLength(3 * PER_DAY);

    expect(await run(days, job(userId))).toBe('completed');
    const again = await emitted();
    expect(dataIds(again)).toEqual([]);
    expect(again.map((e) => e.type).sort()).toEqual(['sync.completed', 'sync.started']);

    // One more hour of heart rate on the last day, and the first night revised.
    const [firstDay, , lastDay] = [...days.keys()];
    days.get(lastDay!)!.heartRate.push(63);
    days.get(firstDay!)!.efficiency = 91;
    expect(await run(days, job(userId))).toBe('completed');
    const revised = (await emitted()).filter((e) => !e.type.startsWith('sync.'));
    expect(revised.map((e) => e.type).sort()).toEqual([
      'heart_rate.created',
      'series.heart_rate.created',
      'sleep.created',
    ]);
    const data = (type: string) => revised.find((e) => e.type === type)!.data as Record<string, unknown>;
    expect(data('series.heart_rate.created').samples).toHaveLength(4);
    expect(data('sleep.created').efficiency_percent).toBe(91);
    expect(await marksOf(userId)).toEqual([]);
  });

  it('a backfill emits all it saves, stored before or not', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    const first = dataIds(await emitted());
    expect(await run(days, job(userId, 'historical'))).toBe('completed');
    expect(dataIds(await emitted())).toEqual(first);
  });

  it('a unit whose events were refused is redone by a continuation that emits them, its data stored', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const [, second, last] = [...days.keys()];
    const work = job(userId);
    const lost = await refusedAt(days, work, last!);
    expect(lost).toHaveLength(PER_DAY);
    expect(await marksOf(userId)).toEqual([work.run_id]);

    const [continuation] = continuations();
    expect(continuation).toMatchObject({ run_id: work.run_id, checkpoint: second });
    expect(await run(days, continuation!)).toBe('completed');
    expect(dataIds(await emitted())).toEqual(lost);
    expect(await marksOf(userId)).toEqual([]);
  });

  it("a chunk write whose answer was lost is a change, though the SDK's retry of it finds the samples stored", async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const { doc } = db();
    const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
    let lost = false;
    vi.spyOn(doc, 'send').mockImplementation((async (command: unknown) => {
      if (!lost && command instanceof PutCommand && String(command.input.Item?.PK).startsWith('TS#')) {
        lost = true;
        // Written, but its answer never came back: the SDK sends it again, and its condition now fails.
        await send(command);
      }
      return send(command);
    }) as never);
    const [first] = days.keys();
    await savePullResult(userId, resultOf(unitOf(first!), days), { identity: 'external', emit: 'changed' });
    expect(lost).toBe(true);
    expect((await emitted()).map((e) => e.type)).toContain('series.heart_rate.created');
  });
});
