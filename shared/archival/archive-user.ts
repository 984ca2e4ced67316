import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { aggregateByDay } from '#shared/archival/day-aggregate.js';
import { recountSources } from '#shared/archival/registry-recount.js';
import type { SeriesType } from '#shared/model/series.js';
import {
  absorbRaw,
  CONDITION_BYTES_PER_TRANSACTION,
  conditionBytes,
  loadMonth,
  RAW_ITEMS_PER_TRANSACTION,
  type RawItem,
  rawItemsIn,
  samplesOf,
} from '#shared/store/archive-absorb.js';
import { db, deleteKeys, isConditionFailure } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import { hasDay, monthEnd, monthOf, purgeArchivedBefore } from '#shared/store/series-archive.js';
import { dayStartOf, parseChunkSk, seriesPartition } from '#shared/store/series-layout.js';
import { listUserSeries } from '#shared/store/series-registry.js';

/**
 * The data lifecycle of one user (contract 10.2): samples before `archiveBefore` (a UTC day start) become daily
 * aggregates per (series, source, day) and leave the raw store; without archival, samples before `purgeBefore` are
 * simply deleted; aggregates before `purgeBefore` go. Every step is idempotent (archive-absorb.ts), so a run that
 * stops at its deadline, or dies, is finished by the next one. An archived day is authoritative: raw items of a
 * day that already has an aggregate for its (series, source) (samples sent again after it was archived) are
 * deleted without being merged, and the readers ignore them meanwhile (archived-reads.ts). The registry counts of
 * the pairs touched are recounted afterwards (registry-recount.ts).
 */

export interface Cutoffs {
  archiveBefore: number | null;
  purgeBefore: number | null;
}

export interface UserOutcome {
  done: boolean;
  rawItemsArchived: number;
  /** Raw items of days archived already, deleted unmerged. */
  rawItemsDiscarded: number;
  rawItemsDeleted: number;
  aggregatesPurged: number;
}

export const noOutcome = (): UserOutcome => ({
  done: true,
  rawItemsArchived: 0,
  rawItemsDiscarded: 0,
  rawItemsDeleted: 0,
  aggregatesPurged: 0,
});

interface Removed {
  archived: number;
  discarded: number;
  sourceKeys: Set<string>;
}

const MONTH_ATTEMPTS = 5;

export async function runUserLifecycle(
  userId: string,
  cutoffs: Cutoffs,
  deadline: number,
): Promise<UserOutcome> {
  const outcome = noOutcome();
  const rawBefore = cutoffs.archiveBefore ?? cutoffs.purgeBefore;
  if (rawBefore !== null) {
    const seriesList = [...new Set((await listUserSeries(userId)).map((e) => e.series))];
    for (const series of seriesList) {
      if (Date.now() > deadline) {
        outcome.done = false;
        break;
      }
      const first = await earliestRawBucket(userId, series);
      if (first === undefined || first >= rawBefore) continue;
      if (cutoffs.archiveBefore !== null) {
        const removed = await archiveSeries(userId, series, first, cutoffs.archiveBefore, deadline);
        outcome.rawItemsArchived += removed.archived;
        outcome.rawItemsDiscarded += removed.discarded;
        await recountSources(userId, series, removed.sourceKeys);
      } else {
        const raw = await rawItemsIn(userId, series, 0, rawBefore, 'PK, SK');
        await deleteKeys(raw.map((r) => r.key));
        outcome.rawItemsDeleted += raw.length;
        await recountSources(userId, series, new Set(raw.map((r) => r.sourceKey)));
      }
    }
  }
  if (outcome.done && cutoffs.purgeBefore !== null) {
    outcome.aggregatesPurged = await purgeArchivedBefore(userId, cutoffs.purgeBefore);
  }
  return outcome;
}

/** Archives the raw items of one series before `before`, month by month. */
async function archiveSeries(
  userId: string,
  series: SeriesType,
  first: number,
  before: number,
  deadline: number,
): Promise<Removed> {
  const removed: Removed = { archived: 0, discarded: 0, sourceKeys: new Set() };
  for (let from = Date.UTC(...ymOf(first)); from < before; from = monthEnd(monthOf(from))) {
    if (Date.now() > deadline) break;
    const month = await archiveMonth(userId, series, from, Math.min(monthEnd(monthOf(from)), before));
    removed.archived += month.archived;
    removed.discarded += month.discarded;
    for (const key of month.sourceKeys) removed.sourceKeys.add(key);
  }
  return removed;
}

const ymOf = (ms: number): [number, number] => {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth()];
};

/**
 * One month of one series, every source, [fromMs, toMs): per source, batches of whole UTC days of raw items, each
 * absorbed in one transaction with the aggregates of exactly its items' samples (decoded from the items as read).
 * A transaction that lost to a writer or another run is retried from a fresh read.
 */
async function archiveMonth(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<Removed> {
  const month = monthOf(fromMs);
  // What committed before a transaction lost still counts, and its sources still want their recount.
  const removed: Removed = { archived: 0, discarded: 0, sourceKeys: new Set() };
  for (let attempt = 1; ; attempt++) {
    try {
      await archiveMonthOnce(userId, series, month, fromMs, toMs, removed);
      return removed;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (attempt === MONTH_ATTEMPTS) throw new ContentionError('archiving a month of samples');
    }
  }
}

async function archiveMonthOnce(
  userId: string,
  series: SeriesType,
  month: string,
  fromMs: number,
  toMs: number,
  removed: Removed,
): Promise<void> {
  const bySource = new Map<string, RawItem[]>();
  for (const raw of await rawItemsIn(userId, series, fromMs, toMs)) {
    bySource.set(raw.sourceKey, [...(bySource.get(raw.sourceKey) ?? []), raw]);
  }
  for (const [sourceKey, raws] of bySource) {
    const target = { userId, series, sourceKey };
    removed.sourceKeys.add(sourceKey);
    let current = await loadMonth(target, month);
    for (const batch of wholeDays(raws)) {
      const fresh = batch.filter((raw) => !hasDay(current.days, dayStartOf(raw.bucketStart)));
      const days = aggregateByDay(fresh.flatMap(samplesOf));
      current = await absorbRaw(target, month, current, days, batch);
      removed.archived += fresh.length;
      removed.discarded += batch.length - fresh.length;
    }
  }
}

/**
 * The raw items of one source grouped into batches of whole UTC days, each fitting one transaction (items and
 * request bytes). The raw store's items never hold samples outside the UTC day their bucket starts in.
 */
function wholeDays(raws: RawItem[]): RawItem[][] {
  const byDay = new Map<number, RawItem[]>();
  for (const raw of raws) {
    const day = dayStartOf(raw.bucketStart);
    byDay.set(day, [...(byDay.get(day) ?? []), raw]);
  }
  const batches: RawItem[][] = [];
  let batch: RawItem[] = [];
  let bytes = 0;
  for (const [, items] of [...byDay].sort(([a], [b]) => a - b)) {
    const dayBytes = items.reduce((total, raw) => total + conditionBytes(raw), 0);
    if (items.length > RAW_ITEMS_PER_TRANSACTION || dayBytes > CONDITION_BYTES_PER_TRANSACTION)
      throw new RangeError('a day of raw items exceeds a transaction');
    if (
      batch.length + items.length > RAW_ITEMS_PER_TRANSACTION ||
      bytes + dayBytes > CONDITION_BYTES_PER_TRANSACTION
    ) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(...items);
    bytes += dayBytes;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Bucket start of the earliest raw item of a series (any source). */
async function earliestRawBucket(userId: string, series: SeriesType): Promise<number | undefined> {
  const { doc, table } = db();
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': seriesPartition(userId, series) },
      ProjectionExpression: 'SK',
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const sk = out.Items?.[0]?.SK as string | undefined;
  return sk === undefined ? undefined : parseChunkSk(sk).bucketStart;
}
