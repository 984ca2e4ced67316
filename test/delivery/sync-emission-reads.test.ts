import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { db } from '#shared/store/client.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import {
  connectedUser,
  DAY,
  FIRST_DAY,
  job,
  run,
  threeDays,
  useSyncEmission,
} from './sync-emission-fixture.js';

/**
 * A live sync compares what it re-reads with what is stored through eventually consistent reads, at half the read
 * units (shared/ingest/persist.ts `savePullResult`); a stale answer must cost a retry, never data. Every other
 * write path reads strongly.
 */
const { emitted } = useSyncEmission();

interface BatchRead {
  prefix: string;
  consistent: boolean | undefined;
}

/** Records every BatchGet (the prefix of its first key's PK, and its consistency); `stale` may hide its answer. */
function watchBatchGets(stale?: (read: BatchRead) => boolean): BatchRead[] {
  const { doc, table } = db();
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  const reads: BatchRead[] = [];
  vi.spyOn(doc, 'send').mockImplementation((async (command: unknown) => {
    if (!(command instanceof BatchGetCommand)) return send(command);
    const request = command.input.RequestItems![table]!;
    const read = { prefix: String(request.Keys![0]!.PK).split('#')[0]!, consistent: request.ConsistentRead };
    reads.push(read);
    const out = (await send(command)) as { Responses?: Record<string, unknown[]> };
    // Not yet visible to an eventually consistent read: the items written a moment ago are missing.
    return stale?.(read) ? { ...out, Responses: { [table]: [] } } : out;
  }) as never);
  return reads;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('how a sync reads what it compares with', () => {
  it('a live run reads its chunks, sources and scores eventually consistently; a backfill strongly', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId, 'historical'))).toBe('completed');
    const live = watchBatchGets();
    expect(await run(days, job(userId))).toBe('completed');
    const chunks = live.filter((r) => r.prefix === 'TS');
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((r) => r.consistent === false)).toBe(true);
    expect(live.filter((r) => r.prefix === 'USER').every((r) => r.consistent === false)).toBe(true);

    vi.restoreAllMocks();
    const backfill = watchBatchGets();
    expect(await run(days, job(userId, 'historical'))).toBe('completed');
    expect(backfill.length).toBeGreaterThan(0);
    expect(backfill.every((r) => r.consistent === true)).toBe(true);
  });

  it('a stale read costs a retry: the revised day is stored whole and announced', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    await emitted();

    const [, , lastDay] = [...days.keys()];
    days.get(lastDay!)!.heartRate.push(63);
    const reads = watchBatchGets((read) => read.prefix === 'TS' && read.consistent === false);
    expect(await run(days, job(userId))).toBe('completed');
    // Each chunk's conditional write failed on the stale read and was read again strongly.
    expect(reads.some((r) => r.prefix === 'TS' && r.consistent === true)).toBe(true);

    const stored = await readSeriesSamples(userId, 'heart_rate', FIRST_DAY, FIRST_DAY + 3 * DAY);
    expect(stored.sources).toHaveLength(1);
    expect(stored.sources[0]!.samples.map((s) => s.value)).toEqual([60, 61, 62, 60, 61, 62, 60, 61, 62, 63]);
    const types = (await emitted()).map((e) => e.type);
    expect(types).toContain('series.heart_rate.created');
  });
});
