import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { aggregateByDay, DAY_MS, dayStartOf } from '#shared/archival/day-aggregate.js';
import type { SeriesType } from '#shared/model/series.js';
import {
  absorbRaw,
  loadMonth,
  RAW_ITEMS_PER_TRANSACTION,
  type RawItem,
  rawItemsIn,
} from '#shared/store/archive-absorb.js';
import { db, deleteKeys, isConditionFailure } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import { monthEnd, monthOf, purgeArchivedBefore } from '#shared/store/series-archive.js';
import { seriesPartition } from '#shared/store/series-layout.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries } from '#shared/store/series-registry.js';

/**
 * The data lifecycle of one user (contract 10.2): samples before `archiveBefore` (a UTC day start) become daily
 * aggregates per (series, source, day) and leave the raw store; without archival, samples before `purgeBefore` are
 * simply deleted; aggregates before `purgeBefore` go. Every step is idempotent (archive-absorb.ts), so a run that
 * stops at its deadline, or dies, is finished by the next one.
 */

export interface Cutoffs {
  archiveBefore: number | null;
  purgeBefore: number | null;
}

export interface UserOutcome {
  done: boolean;
  rawItemsArchived: number;
  rawItemsDeleted: number;
  aggregatesPurged: number;
}

const MONTH_ATTEMPTS = 5;

export async function runUserLifecycle(
  userId: string,
  cutoffs: Cutoffs,
  deadline: number,
): Promise<UserOutcome> {
  const outcome: UserOutcome = { done: true, rawItemsArchived: 0, rawItemsDeleted: 0, aggregatesPurged: 0 };
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
        outcome.rawItemsArchived += await archiveSeries(
          userId,
          series,
          first,
          cutoffs.archiveBefore,
          deadline,
        );
      } else {
        const raw = await rawItemsIn(userId, series, 0, rawBefore, 'PK, SK');
        await deleteKeys(raw.map((r) => r.key));
        outcome.rawItemsDeleted += raw.length;
      }
    }
  }
  if (outcome.done && cutoffs.purgeBefore !== null) {
    outcome.aggregatesPurged = await purgeArchivedBefore(userId, cutoffs.purgeBefore);
  }
  return outcome;
}

/** Archives the raw items of one series before `before`, month by month; returns the raw items archived. */
async function archiveSeries(
  userId: string,
  series: SeriesType,
  first: number,
  before: number,
  deadline: number,
): Promise<number> {
  let archived = 0;
  for (let from = Date.UTC(...ymOf(first)); from < before; from = monthEnd(monthOf(from))) {
    if (Date.now() > deadline) break;
    archived += await archiveMonth(userId, series, from, Math.min(monthEnd(monthOf(from)), before));
  }
  return archived;
}

const ymOf = (ms: number): [number, number] => {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth()];
};

/**
 * One month of one series, every source, [fromMs, toMs): per source, batches of whole UTC days of raw items, each
 * read as the samples of those days (exactly its items' samples) and absorbed in one transaction. A transaction that
 * lost to a writer or another run is retried from a fresh read.
 */
async function archiveMonth(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<number> {
  const month = monthOf(fromMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await archiveMonthOnce(userId, series, month, fromMs, toMs);
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
): Promise<number> {
  const bySource = new Map<string, RawItem[]>();
  for (const raw of await rawItemsIn(userId, series, fromMs, toMs)) {
    bySource.set(raw.sourceKey, [...(bySource.get(raw.sourceKey) ?? []), raw]);
  }
  let archived = 0;
  for (const [sourceKey, raws] of bySource) {
    const target = { userId, series, sourceKey };
    let current = await loadMonth(target, month);
    for (const batch of wholeDays(raws)) {
      const from = dayStartOf(batch[0]!.bucketStart);
      const to = dayStartOf(batch.at(-1)!.bucketStart) + DAY_MS;
      const read = await readSeriesSamples(userId, series, from, to, { sourceKey });
      const samples = read.sources.flatMap((s) => s.samples);
      current = await absorbRaw(target, month, current, aggregateByDay(samples), batch);
      archived += batch.length;
    }
  }
  return archived;
}

/**
 * The raw items of one source grouped into batches of whole UTC days, each fitting one transaction. The raw
 * store's items (hour and day chunks) never hold samples outside the UTC day their bucket starts in.
 */
function wholeDays(raws: RawItem[]): RawItem[][] {
  const byDay = new Map<number, RawItem[]>();
  for (const raw of raws) {
    const day = dayStartOf(raw.bucketStart);
    byDay.set(day, [...(byDay.get(day) ?? []), raw]);
  }
  const batches: RawItem[][] = [];
  let batch: RawItem[] = [];
  for (const [, items] of [...byDay].sort(([a], [b]) => a - b)) {
    if (items.length > RAW_ITEMS_PER_TRANSACTION)
      throw new RangeError('a day of raw items exceeds a transaction');
    if (batch.length + items.length > RAW_ITEMS_PER_TRANSACTION) {
      batches.push(batch);
      batch = [];
    }
    batch.push(...items);
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
  return sk === undefined ? undefined : Number(sk.slice(0, 10)) * 1000;
}

export const startOfUtcDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
