import { DeleteCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { type DayAggregate, sampleCount } from '#shared/archival/day-aggregate.js';
import type { SeriesType } from '#shared/model/series.js';
import { decodeMonth, encodeMonth, type MonthDays } from '#shared/store/archive-codec.js';
import { db, deleteKeys, type Item, isConditionFailure, type Key, queryAll } from '#shared/store/client.js';
import { itemSize } from '#shared/store/item-size.js';
import { keys } from '#shared/store/keys.js';
import { DAY_MS, type SeriesTarget } from '#shared/store/series-layout.js';

/**
 * The archive of time series (data lifecycle, contract 10.2): the daily aggregates of archived days, one item per
 * (series, source, UTC month) in the user's partition, SK `ARCHIVE#<series>#<YYYY-MM>#<source key>`, its days in
 * `d` (archive-codec.ts). A month rather than a day per item: the ~100 bytes of keys and DynamoDB's per-item
 * overhead would otherwise outweigh the ~14 bytes of a day, a month is read as one item and rewritten for one write
 * unit. In the user partition, erasure removes it with the rest of the user (store/erase-user.ts). Every write is
 * conditioned on the item's version `v`, so concurrent archival runs serialise.
 */

export const ARCHIVE_PREFIX = 'ARCHIVE#';

export const monthOf = (timestamp: number) => new Date(timestamp).toISOString().slice(0, 7);
const monthStart = (month: string) => Date.parse(`${month}-01T00:00:00Z`);
/** Epoch ms of the first instant after the month. */
export function monthEnd(month: string): number {
  const start = new Date(monthStart(month));
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1);
}

export const archiveKey = ({ userId, series, sourceKey }: SeriesTarget, month: string): Key => ({
  PK: keys.userPartition(userId),
  SK: `${ARCHIVE_PREFIX}${series}#${month}#${sourceKey}`,
});

export interface ArchiveMonth {
  days: MonthDays;
  /** Absent: no item yet. */
  version: number | undefined;
}

export interface ArchivedDay {
  sourceKey: string;
  /** Epoch ms of the UTC day start. */
  day: number;
  aggregate: DayAggregate;
}

const dayIndex = (day: number) => new Date(day).getUTCDate();
const dayStartIn = (month: string, index: number) => monthStart(month) + (index - 1) * DAY_MS;

/** The item of an archive month with its days; what `version` the next write must find. */
export function monthItem(target: SeriesTarget, month: string, days: MonthDays, version: number | undefined) {
  const d = encodeMonth(days);
  const base = {
    ...archiveKey(target, month),
    series: target.series,
    source_key: target.sourceKey,
    month,
    v: (version ?? 0) + 1,
    d,
    n: days.size,
    c: [...days.values()].reduce((total, day) => total + sampleCount(day), 0),
  };
  return { ...base, b: itemSize(base) };
}

export const versionCondition = (version: number | undefined) =>
  version === undefined
    ? { ConditionExpression: 'attribute_not_exists(PK)' }
    : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': version } };

export const toMonthDays = (item: Item | undefined): ArchiveMonth => ({
  days: item ? decodeMonth(item.d as Uint8Array) : new Map(),
  version: item?.v as number | undefined,
});

/** Whether the month's days hold the UTC day starting at `day`. */
export const hasDay = (days: MonthDays, day: number) => days.has(dayIndex(day));

/** Adds day aggregates (keyed by UTC day start) to a month's days. */
export function withDays(
  days: MonthDays,
  added: Map<number, DayAggregate>,
  merge: (a: DayAggregate, b: DayAggregate) => DayAggregate,
) {
  const next = new Map(days);
  for (const [day, aggregate] of added) {
    const index = dayIndex(day);
    const known = next.get(index);
    next.set(index, known ? merge(known, aggregate) : aggregate);
  }
  return next;
}

/** Archived days of one series, every source, with fromMs <= day start < toMs (eventually consistent). */
export async function readArchivedDays(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<ArchivedDay[]> {
  if (toMs <= fromMs) return [];
  const prefix = `${ARCHIVE_PREFIX}${series}#`;
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.userPartition(userId),
      ':from': `${prefix}${monthOf(fromMs)}`,
      ':to': `${prefix}${monthOf(toMs - 1)}~`,
    },
  });
  return items.flatMap((item) =>
    [...decodeMonth(item.d as Uint8Array)]
      .map(([index, aggregate]) => ({
        sourceKey: item.source_key as string,
        day: dayStartIn(item.month as string, index),
        aggregate,
      }))
      .filter(({ day }) => day >= fromMs && day < toMs),
  );
}

/**
 * The latest archived day of one (series, source) starting before `beforeMs`, reading archive months newest first
 * until one has such a day (eventually consistent).
 */
export async function latestArchivedDay(
  target: SeriesTarget,
  beforeMs: number,
): Promise<ArchivedDay | undefined> {
  const { doc, table } = db();
  const prefix = `${ARCHIVE_PREFIX}${target.series}#`;
  const pages = paginateQuery(
    { client: doc, pageSize: 12 },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      FilterExpression: 'source_key = :source',
      ExpressionAttributeValues: {
        ':pk': keys.userPartition(target.userId),
        ':from': prefix,
        ':to': `${prefix}${monthOf(beforeMs - 1)}~`,
        ':source': target.sourceKey,
      },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const month = item.month as string;
      const days = [...decodeMonth(item.d as Uint8Array)]
        .map(([index, aggregate]) => ({
          sourceKey: target.sourceKey,
          day: dayStartIn(month, index),
          aggregate,
        }))
        .filter(({ day }) => day < beforeMs);
      if (days.length > 0) return days.reduce((a, b) => (b.day > a.day ? b : a));
    }
  }
  return undefined;
}

/** Every archive item of a user (consistent), for the purge and the storage estimate. */
export const listArchiveItems = (userId: string, projection?: string) =>
  queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': ARCHIVE_PREFIX },
    ...(projection ? { ProjectionExpression: projection } : {}),
    ConsistentRead: true,
  });

/**
 * Drops the archived days before `beforeMs` (a UTC day start) of every series of a user; a month left empty is
 * deleted. A month another run rewrote meanwhile is left for the next run. Returns the days dropped.
 */
export async function purgeArchivedBefore(userId: string, beforeMs: number): Promise<number> {
  const { doc, table } = db();
  let dropped = 0;
  for (const item of await listArchiveItems(userId)) {
    const month = item.month as string;
    if (monthStart(month) >= beforeMs) continue;
    const { days, version } = toMonthDays(item);
    const kept = new Map([...days].filter(([index]) => dayStartIn(month, index) >= beforeMs));
    if (kept.size === days.size) continue;
    const target = { userId, series: item.series as SeriesType, sourceKey: item.source_key as string };
    try {
      if (kept.size === 0) {
        await doc.send(
          new DeleteCommand({
            TableName: table,
            Key: archiveKey(target, month),
            ...versionCondition(version),
          }),
        );
      } else {
        await doc.send(
          new PutCommand({
            TableName: table,
            Item: monthItem(target, month, kept, version),
            ...versionCondition(version),
          }),
        );
      }
      dropped += days.size - kept.size;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return dropped;
}

/**
 * Deletes the archive of one source of a user (what `DELETE /users/{id}/connections/{provider}/data` removes with
 * the source's samples). Returns the items deleted.
 */
export async function deleteSourceArchives(userId: string, sourceKey: string): Promise<number> {
  const items = (await listArchiveItems(userId, 'PK, SK, source_key')).filter(
    (item) => item.source_key === sourceKey,
  );
  await deleteKeys(items.map((item) => ({ PK: item.PK as string, SK: item.SK as string })));
  return items.length;
}
