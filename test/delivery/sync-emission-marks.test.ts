import { describe, expect, it } from 'vitest';
import { savePullResult } from '#shared/ingest/persist.js';
import { PermissionDeniedError } from '#shared/providers/http.js';
import { acquireLease } from '#shared/store/connection-leases.js';
import { getConnection } from '#shared/store/connections.js';
import { updateProviderSettings } from '#shared/store/provider-settings.js';
import { queueDown } from './events-queue.js';
import {
  connectedUser,
  continuations,
  DAY,
  dataIds,
  daysFrom,
  FIRST_DAY,
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
 * The announcement marks (store/connection-leases.ts): whatever may have written without emitting leaves one, a
 * live sync that finds one emits all it saves, and only what re-read the writes a mark stands for removes it.
 */
const { emitted, sent, refusedAt, refusedWebhook } = useSyncEmission();

describe('announcement marks', () => {
  it('after a run that died between its writes and its events, runs emit all until a live one ends', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    // What the dead run left: its mark (it took the lease, which lapsed), a day's data stored, its events not sent.
    const connection = (await getConnection(userId, 'ultrahuman'))!;
    const dead = await acquireLease(connection, 'sync', 'dead', Date.now() - 1, { run: 'pull_dead' });
    expect(dead).toEqual({ unannounced: [], digests: { epoch: 0, units: {} } });
    const [first] = days.keys();
    await expect(
      queueDown(() =>
        savePullResult(userId, resultOf(unitOf(first!), days), { identity: 'external', emit: 'changed' }),
      ),
    ).rejects.toThrow();
    const unannounced = dataIds(sent());
    expect(unannounced).toHaveLength(PER_DAY);

    // A manual run emits all it saves but leaves the mark: its window need not cover what the dead run wrote.
    expect(await run(days, job(userId, 'manual'))).toBe('completed');
    const manual = dataIds(await emitted());
    expect(manual).toHaveLength(3 * PER_DAY);
    expect(manual).toEqual(expect.arrayContaining(unannounced));
    expect(await marksOf(userId)).toEqual(['pull_dead']);

    // A live run re-reads everything since the cursor: it emits all, then removes the mark.
    expect(await run(days, job(userId))).toBe('completed');
    expect(dataIds(await emitted())).toEqual(manual);
    expect(await marksOf(userId)).toEqual([]);
    expect(await run(days, job(userId))).toBe('completed');
    expect(dataIds(await emitted())).toEqual([]);
  });

  it("a backfill's continuation emits all it saves, though a live run removed its mark in between", async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const [, second, last] = [...days.keys()];
    const backfill = job(userId, 'historical');
    const lost = await refusedAt(days, backfill, last!);
    expect(lost).toHaveLength(PER_DAY);
    expect(await marksOf(userId)).toEqual([backfill.run_id]);

    // The hourly live sync runs before the continuation, from a cursor past the three days.
    expect(await run(days, job(userId), { from: FIRST_DAY + 3 * DAY })).toBe('completed');
    expect(dataIds(await emitted())).toEqual([]);
    expect(await marksOf(userId)).toEqual([]);

    const [continuation] = continuations();
    expect(continuation).toMatchObject({ run_id: backfill.run_id, checkpoint: second });
    expect(await run(days, continuation!)).toBe('completed');
    expect(dataIds(await emitted())).toEqual(lost);
  });

  it("a live run between a backfill's invocations keeps its own mark when the backfill removes the one it found", async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const [, , last] = [...days.keys()];
    // A backfill of the first day holds a mark (its lease lapsed: it was deferred).
    const backfill = { ...job(userId, 'historical'), window: { start: FIRST_DAY, end: FIRST_DAY + DAY - 1 } };
    const connection = (await getConnection(userId, 'ultrahuman'))!;
    await acquireLease(connection, 'sync', 'backfill', Date.now() - 1, { run: backfill.run_id });
    const live = job(userId);
    const lost = await refusedAt(days, live, last!);
    expect(lost).toHaveLength(PER_DAY);
    expect(await marksOf(userId)).toEqual([backfill.run_id, live.run_id].sort());

    expect(await run(days, backfill)).toBe('completed');
    await emitted();
    expect(await marksOf(userId)).toEqual([live.run_id]);
    const [continuation] = continuations();
    expect(continuation).toMatchObject({ run_id: live.run_id });
    expect(await run(days, continuation!)).toBe('completed');
    expect(dataIds(await emitted())).toEqual(lost);
    expect(await marksOf(userId)).toEqual([]);
  });

  it('a webhook delivery whose events were refused marks the connection: the next live sync emits all', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const [first] = days.keys();
    const unannounced = await refusedWebhook(userId, resultOf(unitOf(first!), days));
    expect(unannounced).toHaveLength(PER_DAY);
    const [mark] = await marksOf(userId);
    expect(mark).toMatch(/^webhook#/);

    expect(await run(days, job(userId))).toBe('completed');
    expect(dataIds(await emitted())).toEqual(expect.arrayContaining(unannounced));
    expect(await marksOf(userId)).toEqual([]);
  });

  it('a mark added while a run holds the lease, or between its invocations, outlives the run', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const [first, , last] = [...days.keys()];
    const live = job(userId);
    expect(await refusedAt(days, live, last!)).toHaveLength(PER_DAY);
    // The first day revised at the provider, pushed by webhook, and refused by the events queue.
    days.get(first!)!.efficiency = 95;
    const revision = await refusedWebhook(userId, resultOf(unitOf(first!), days));
    expect(revision).toHaveLength(PER_DAY);
    const [continuation] = continuations();
    expect(await run(days, continuation!)).toBe('completed');
    await emitted();
    // The continuation re-read only the last day: the webhook's mark stays, and the next live sync emits all.
    const [webhookMark] = await marksOf(userId);
    expect(webhookMark).toMatch(/^webhook#/);
    expect(await run(days, job(userId))).toBe('completed');
    expect(dataIds(await emitted())).toEqual(expect.arrayContaining(revision));
    expect(await marksOf(userId)).toEqual([]);
  });

  it('a live job reaches until it runs: it covers a mark left after it was queued', async () => {
    const userId = await connectedUser();
    const today = Math.floor(Date.now() / DAY) * DAY;
    const days = daysFrom(today - DAY, 2);
    const [, now] = [...days.keys()];
    // Queued yesterday (its window as the dispatcher set it then), run today after a webhook's save failed.
    const queued = { ...job(userId), window: { start: today - 31 * DAY, end: today - 1 } };
    const unannounced = await refusedWebhook(userId, resultOf(unitOf(now!), days));
    expect(await run(days, queued, { from: today - DAY })).toBe('completed');
    const ids = dataIds(await emitted());
    expect(ids).toEqual(expect.arrayContaining(unannounced));
    expect(ids).toHaveLength(2 * PER_DAY);
    expect(await marksOf(userId)).toEqual([]);
  });

  it('a webhook delivery of a provider in webhook mode leaves no mark: no live sync would read it', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const [first] = days.keys();
    await updateProviderSettings('ultrahuman', { live_sync_mode: 'webhook' });
    try {
      expect(await refusedWebhook(userId, resultOf(unitOf(first!), days))).toHaveLength(PER_DAY);
    } finally {
      await updateProviderSettings('ultrahuman', { live_sync_mode: 'pull' });
    }
    expect(await marksOf(userId)).toEqual([]);
  });

  it('a run refused before it writes anything leaves no mark; one whose save failed keeps it', async () => {
    const userId = await connectedUser();
    const days = threeDays();
    const refuse = () => {
      throw new PermissionDeniedError('no access to this data');
    };
    for (const mode of ['catchup', 'live'] as const) {
      expect(await run(days, job(userId, mode), { during: refuse })).toBe('failed');
    }
    expect(await marksOf(userId)).toEqual([]);

    const [, , last] = [...days.keys()];
    const live = job(userId);
    expect(await refusedAt(days, live, last!)).toHaveLength(PER_DAY);
    expect(await marksOf(userId)).toEqual([live.run_id]);
  });
});
