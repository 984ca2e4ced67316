import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { savePullResult } from '#shared/ingest/persist.js';
import type { PullResult } from '#shared/providers/types.js';
import { db } from '#shared/store/client.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { sourceRef } from '#test/helpers/health-data.js';
import {
  connectedUser,
  DAY,
  FIRST_DAY,
  job,
  PROVIDER,
  run,
  threeDays,
  useSyncEmission,
  watchBatchGets,
} from './sync-emission-fixture.js';

/**
 * A live sync compares what it re-reads with what is stored through eventually consistent reads, at half the read
 * units (shared/ingest/persist.ts `savePullResult`); a stale answer must cost a retry, never data. Every other
 * write path reads strongly.
 */
const { emitted } = useSyncEmission();

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

describe('a stale read of a sealed day', () => {
  it('that misses its day chunk is read again strongly: no sample is stored twice', async () => {
    const userId = await connectedUser();
    const source = sourceRef(PROVIDER, 'Ring Air', 'Ultrahuman');
    // A sample a minute: more than one day chunk holds, so the day is sealed and goes on in hour chunks.
    const samples = Array.from({ length: 1_440 }, (_, minute) => ({
      timestamp: FIRST_DAY + minute * 60_000,
      value: 60 + (minute % 30),
      zoneOffset: null,
      isDailyTotal: null,
    }));
    const result: PullResult = {
      series: [{ source, series: 'heart_rate', samples }],
      events: [],
      scores: [],
    };
    await savePullResult(userId, result, { identity: 'external' });

    // The live sync's first read misses the day chunk (it was written a moment ago); the hour chunks are there.
    const { doc, table } = db();
    const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
    let hidden = 0;
    vi.spyOn(doc, 'send').mockImplementation((async (command: unknown) => {
      const out = await send(command);
      if (!(command instanceof BatchGetCommand) || command.input.RequestItems![table]!.ConsistentRead)
        return out;
      const items = (
        (out as { Responses?: Record<string, Array<{ SK: string }>> }).Responses?.[table] ?? []
      ).filter((item) => !item.SK.endsWith('#d'));
      hidden++;
      return { ...(out as object), Responses: { [table]: items } };
    }) as never);
    await savePullResult(userId, result, { identity: 'external', emit: 'changed' });
    expect(hidden).toBeGreaterThan(0);

    const stored = await readSeriesSamples(userId, 'heart_rate', FIRST_DAY, FIRST_DAY + DAY);
    const timestamps = stored.sources.flatMap((s) => s.samples.map((x) => x.timestamp));
    expect(timestamps).toHaveLength(1_440);
    expect(new Set(timestamps).size).toBe(1_440);
  });
});
