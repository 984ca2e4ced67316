import type { DayAggregate } from '#shared/archival/day-aggregate.js';
import { mergeDays } from '#shared/archival/day-aggregate.js';
import type { Sample } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { decodeChunk } from '#shared/store/chunk-codec.js';
import { db, getItem, type Item, type Key, queryAll } from '#shared/store/client.js';
import { itemSize } from '#shared/store/item-size.js';
import {
  type ArchiveMonth,
  archiveKey,
  monthItem,
  toMonthDays,
  versionCondition,
  withDays,
} from '#shared/store/series-archive.js';
import { parseChunkSk, type SeriesTarget, seriesPartition } from '#shared/store/series-layout.js';
import { GUARDED_ITEMS_PER_TRANSACTION, type TransactItem, writeForUser } from '#shared/store/user-guard.js';

/**
 * Moving raw samples into the archive atomically: one transaction adds the aggregates of some raw items (decoded
 * from the items as read, never from a second read) to their archive month and deletes those items, each delete
 * conditioned on the item's version `v` as read. So a crash leaves every raw item either still raw or archived
 * (never both, never lost), a re-run finds only what is left, and a sample a writer adds meanwhile fails the
 * transaction instead of being deleted unseen. The raw store's invariants used here: every item of a series is in
 * `TS#<user>#<series>` with an SK starting with its bucket's 10-digit start in epoch seconds, its samples lie in the
 * UTC day of that start and decode with the store's chunk codec.
 */

/** Raw items per transaction: the user guard and the archive month take the other two places. */
export const RAW_ITEMS_PER_TRANSACTION = GUARDED_ITEMS_PER_TRANSACTION - 1;
/** What the deletes' conditions may weigh in one transaction (DynamoDB takes 4 MB), the month item aside. */
export const CONDITION_BYTES_PER_TRANSACTION = 3_000_000;
const KEY_BYTES = 200;

export interface RawItem {
  item: Item;
  key: Key;
  bucketStart: number;
  sourceKey: string;
}

const epochSk = (ms: number) => String(Math.floor(ms / 1000)).padStart(10, '0');

/** The raw items of a series (every source) whose bucket starts in [fromMs, toMs), strongly consistent. */
export async function rawItemsIn(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
  projection?: string,
): Promise<RawItem[]> {
  const items = await queryAll({
    // An SK longer than `:to` with `:to` as its prefix sorts after it: BETWEEN is [from, to) on bucket starts.
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': seriesPartition(userId, series),
      ':from': epochSk(fromMs),
      ':to': epochSk(toMs),
    },
    ...(projection ? { ProjectionExpression: projection } : {}),
    ConsistentRead: true,
  });
  return items.map((item) => ({
    item,
    key: { PK: item.PK as string, SK: item.SK as string },
    bucketStart: Number((item.SK as string).slice(0, 10)) * 1000,
    sourceKey: parseChunkSk(item.SK as string).sourceKey,
  }));
}

/** The samples of a raw item as it was read. */
export const samplesOf = (raw: RawItem): Sample[] => decodeChunk(raw.bucketStart, raw.item.d as Uint8Array);

/** The request bytes of a raw item's conditional delete: its version, else every attribute as read. */
export const conditionBytes = (raw: RawItem) =>
  KEY_BYTES + (raw.item.v === undefined ? itemSize(raw.item) : 0);

/** The item's version as read, else every attribute as read: any write to it since fails the condition. */
function unchanged(item: Item) {
  if (item.v !== undefined) {
    return { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': item.v } };
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = ['attribute_exists(PK)'];
  Object.keys(item)
    .filter((name) => name !== 'PK' && name !== 'SK')
    .forEach((name, i) => {
      names[`#a${i}`] = name;
      values[`:a${i}`] = item[name];
      parts.push(`#a${i} = :a${i}`);
    });
  return {
    ConditionExpression: parts.join(' AND '),
    ...(parts.length > 1 ? { ExpressionAttributeNames: names, ExpressionAttributeValues: values } : {}),
  };
}

/** The archive month as stored now (consistent read). */
export async function loadMonth(target: SeriesTarget, month: string): Promise<ArchiveMonth> {
  return toMonthDays((await getItem(archiveKey(target, month))).item);
}

/**
 * Adds `days` (aggregates of samples of `raw`) to the archive month and deletes `raw`, in one guarded transaction
 * (at most RAW_ITEMS_PER_TRANSACTION raw items, CONDITION_BYTES_PER_TRANSACTION of conditions). Throws a condition failure when the month or a raw
 * item changed since read, UserGone when the user was deleted. Returns the month as written.
 */
export async function absorbRaw(
  target: SeriesTarget,
  month: string,
  current: ArchiveMonth,
  days: Map<number, DayAggregate>,
  raw: RawItem[],
): Promise<ArchiveMonth> {
  if (
    raw.length > RAW_ITEMS_PER_TRANSACTION ||
    raw.reduce((total, r) => total + conditionBytes(r), 0) > CONDITION_BYTES_PER_TRANSACTION
  )
    throw new RangeError('too many raw items for one transaction');
  const { table } = db();
  const next = withDays(current.days, days, mergeDays);
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table,
        Item: monthItem(target, month, next, current.version),
        ...versionCondition(current.version),
      },
    },
    ...raw.map(({ key, item }) => ({ Delete: { TableName: table, Key: key, ...unchanged(item) } })),
  ];
  await writeForUser(target.userId, items);
  return { days: next, version: (current.version ?? 0) + 1 };
}
