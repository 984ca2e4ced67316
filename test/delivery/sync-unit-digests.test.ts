import { afterEach, describe, expect, it, vi } from 'vitest';
import { removeEvent } from '#shared/data/events.js';
import { acquireLease } from '#shared/store/connection-leases.js';
import { getConnection } from '#shared/store/connections.js';
import { queryEvents } from '#shared/store/events.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import {
  connect,
  connectedUser,
  DAY,
  dataIds,
  FIRST_DAY,
  job,
  PER_DAY,
  PROVIDER,
  run,
  threeDays,
  useSyncEmission,
  watchBatchGets,
} from './sync-emission-fixture.js';

/**
 * A live run skips saving a unit that pulled what the last live run saved (shared/sync/run-support.ts
 * `UnitDigests`): no reads to compare it with the store, no writes, no events. Everything else saves as before.
 */
const { emitted } = useSyncEmission();

/** The user's stored nights (their sources are not needed here). */
const nights = (userId: string) => queryEvents(userId, 'sleep', 0, Date.now() + DAY, () => ({}) as never);

const digestsOf = async (userId: string) => (await getConnection(userId, PROVIDER))!.unit_digests ?? {};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('unit digests', () => {
  it('a live run saves only the units whose pull changed since the last live run', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    expect(Object.keys(await digestsOf(userId)).sort()).toEqual([...days.keys()].sort());
    await emitted();

    const reads = watchBatchGets();
    expect(await run(days, job(userId))).toBe('completed');
    expect(reads).toEqual([]);
    expect(dataIds(await emitted())).toEqual([]);

    const [, , lastDay] = [...days.keys()];
    days.get(lastDay!)!.heartRate.push(63);
    expect(await run(days, job(userId))).toBe('completed');
    expect(reads.filter((r) => r.prefix === 'TS').length).toBeGreaterThan(0);
    const types = (await emitted()).filter((e) => !e.type.startsWith('sync.')).map((e) => e.type);
    expect(types.sort()).toEqual(['heart_rate.created', 'series.heart_rate.created']);
    const stored = await readSeriesSamples(userId, 'heart_rate', FIRST_DAY, FIRST_DAY + 3 * DAY);
    expect(stored.sources[0]!.samples).toHaveLength(10);
  });

  it('a backfill saves and emits every unit, digested or not, and leaves the digests as they are', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    const digests = await digestsOf(userId);
    await emitted();
    expect(await run(days, job(userId, 'historical'))).toBe('completed');
    expect(dataIds(await emitted())).toHaveLength(3 * PER_DAY);
    expect(await digestsOf(userId)).toEqual(digests);
  });

  it('a run that takes over a lapsed lease ignores the digests: the lapsed run may still be writing', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    // A run that died holding the lease (or still runs, frozen, past its lease).
    const connection = (await getConnection(userId, PROVIDER))!;
    expect(await acquireLease(connection, 'sync', 'lapsed-run', Date.now() - 1)).not.toBeNull();
    const reads = watchBatchGets();
    expect(await run(days, job(userId))).toBe('completed');
    expect(reads.filter((r) => r.prefix === 'TS').length).toBeGreaterThan(0);
    // Its own digests are kept for the next run, which skips again.
    reads.length = 0;
    expect(await run(days, job(userId))).toBe('completed');
    expect(reads).toEqual([]);
  });

  it('a night deleted through the API is written back by the next live run, as before digests', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    const [night] = await nights(userId);
    await removeEvent(userId, 'sleep', night!.id);
    await emitted();
    expect(await run(days, job(userId))).toBe('completed');
    expect((await nights(userId)).map((e) => e.id)).toContain(night!.id);
    const types = (await emitted()).filter((e) => !e.type.startsWith('sync.')).map((e) => e.type);
    expect(types).toEqual(['sleep.created']);
  });

  it('a night deleted while a live run holds the lease: the digests that run gives back are forgotten too', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    const [night] = await nights(userId);
    // The run took the lease (and the digests) before the delete; it skips every unit and gives the digests back.
    let deleted = false;
    const during = async () => {
      if (deleted) return;
      deleted = true;
      await removeEvent(userId, 'sleep', night!.id);
    };
    expect(await run(days, job(userId), { during })).toBe('completed');
    expect((await nights(userId)).map((e) => e.id)).not.toContain(night!.id);
    await emitted();
    expect(await run(days, job(userId))).toBe('completed');
    expect((await nights(userId)).map((e) => e.id)).toContain(night!.id);
  });

  it('a reconnect starts without digests: its first live run saves every unit again', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    expect(await run(days, job(userId))).toBe('completed');
    await connect(userId, 'sealed again');
    expect(await digestsOf(userId)).toEqual({});
    const reads = watchBatchGets();
    expect(await run(days, job(userId))).toBe('completed');
    expect(reads.filter((r) => r.prefix === 'TS').length).toBeGreaterThan(0);
  });
});
