import { DeleteCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { db, type Item, isConditionFailure, type Key, queryAll } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import {
  DAY_MS,
  dayStartOf,
  isSourceRegistry,
  legacyRegistryKey,
  parseChunkSk,
  REGISTRY_PREFIX,
  type SeriesTarget,
  seriesCode,
  seriesOfCode,
  seriesPartition,
  sourceRegistryKey,
} from '#shared/store/series-layout.js';

/**
 * The registry of a source: one item per (user, source), `SERIES#@<source key>`, holding for each of its series
 * the sample count and time bounds (`c`, `f`, `l` + the series code, series-layout.ts), and the marks of writers
 * in flight (series-journal.ts). The UTC day of `l` is the series' open day: a push whose samples of the source all
 * fall in the open days of series already listed does not write the registry at all (series-journal.ts), so its
 * samples are counted later, when a write moves the open day on and recounts the day it closes from its chunks
 * (`d` + the series code: how many samples of the open day `c` holds). Counts may thus lag by the open day, and
 * the newest bound a reader gets is the end of the open day. It is the proof that the user's series exist (erasure and the read API find
 * series through it), and it keeps an erased user's series erased: it is only ever created under the user guard,
 * before any chunk of the source is written, and otherwise updated under `attribute_exists`, so a writer whose
 * chunks came after erasure's scan finds it gone (UserGone, see timeseries.ts). One item per source means a push
 * of many series updates one item, not one per series. Items of the per-(series, source) layout written by
 * earlier versions are read alongside and their figures added.
 */

export interface SeriesRegistryEntry {
  series: SeriesType;
  sourceKey: string;
  /** Samples, up to the ones written into the open day since its last registry write. */
  count: number;
  /** Epoch ms: no sample of the series is before `first` or after `last` (the end of the open day). */
  first: number;
  last: number;
  /** The open day (its start) and how many of its samples `count` holds, where the registry keeps that. */
  open?: { day: number; counted: number };
}

export interface Bounds {
  first: number;
  last: number;
}

/** Samples a write added to one series (in all, and per UTC day), and the bounds of what it wrote. */
export interface SeriesChange extends Bounds {
  added: number;
  addedByDay: Map<number, number>;
}

export const COUNT = 'c';
export const FIRST = 'f';
export const LAST = 'l';
/** Samples of the open day (the UTC day of `l`) that the count holds. */
export const OPEN = 'd';
export const MARK_PREFIX = 'o';

/** The attribute of one figure of one series in a source registry. */
export const name = (field: string, series: SeriesType) => `${field}${seriesCode(series)}`;

/** The series entries of one source registry item. */
export function sourceEntries(item: Item): SeriesRegistryEntry[] {
  const entries: SeriesRegistryEntry[] = [];
  for (const [attribute, value] of Object.entries(item)) {
    if (attribute.length !== 5 || !attribute.startsWith(COUNT)) continue;
    const series = seriesOfCode(attribute.slice(1));
    if (!series) continue;
    entries.push({
      series,
      sourceKey: item.source_key as string,
      count: value as number,
      first: (item[name(FIRST, series)] as number | undefined) ?? Infinity,
      last: openDayEnd(item[name(LAST, series)] as number | undefined),
      ...openOf(item, series),
    });
  }
  return entries;
}

const openOf = (item: Item, series: SeriesType) => {
  const last = item[name(LAST, series)];
  const counted = item[name(OPEN, series)];
  return typeof last === 'number' && typeof counted === 'number'
    ? { open: { day: dayStartOf(last), counted } }
    : {};
};

/** The last millisecond of the UTC day of `last`: the newest a sample of the series can be. */
const openDayEnd = (last: number | undefined) =>
  last === undefined ? -Infinity : dayStartOf(last) + DAY_MS - 1;

const legacyEntry = (item: Item): SeriesRegistryEntry => ({
  series: item.series as SeriesType,
  sourceKey: item.source_key as string,
  count: item.count as number,
  first: (item.first as number | undefined) ?? Infinity,
  last: (item.last as number | undefined) ?? -Infinity,
});

/** Every registry item of the user (both layouts) and the journals of earlier versions, in one query. */
export const registryItems = (userId: string) =>
  queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': 'SERIES' },
    ConsistentRead: true,
  });

/** One entry per (series, source), both layouts added up, ordered by series then source. */
export function mergeEntries(items: Item[]): SeriesRegistryEntry[] {
  const merged = new Map<string, SeriesRegistryEntry>();
  for (const item of items) {
    if (!(item.SK as string).startsWith(REGISTRY_PREFIX)) continue;
    for (const entry of isSourceRegistry(item) ? sourceEntries(item) : [legacyEntry(item)]) {
      const id = `${entry.series}\n${entry.sourceKey}`;
      const known = merged.get(id);
      merged.set(
        id,
        known
          ? {
              ...known,
              count: known.count + entry.count,
              first: Math.min(known.first, entry.first),
              last: Math.max(known.last, entry.last),
              ...((known.open ?? entry.open) && { open: known.open ?? entry.open }),
            }
          : entry,
      );
    }
  }
  return [...merged.values()].sort((a, b) =>
    a.series === b.series ? (a.sourceKey < b.sourceKey ? -1 : 1) : a.series < b.series ? -1 : 1,
  );
}

export async function listUserSeries(userId: string): Promise<SeriesRegistryEntry[]> {
  return mergeEntries(await registryItems(userId));
}

export interface ExactCount extends Bounds {
  count: number;
  /** Samples in the UTC day of `last`. */
  open: number;
}

/** The exact count and bounds of a (series, source), from its chunks (a full, consistent read of the series). */
export async function countChunks(target: SeriesTarget): Promise<ExactCount> {
  const { doc, table } = db();
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': seriesPartition(target.userId, target.series) },
      ProjectionExpression: 'SK, n, f, l',
      ConsistentRead: true,
    },
  );
  let count = 0;
  let first = Infinity;
  let last = -Infinity;
  const byDay = new Map<number, number>();
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { sourceKey, bucketStart } = parseChunkSk(item.SK as string);
      if (sourceKey !== target.sourceKey || item.n === 0) continue;
      count += item.n as number;
      first = Math.min(first, item.f as number);
      last = Math.max(last, item.l as number);
      const day = dayStartOf(bucketStart);
      byDay.set(day, (byDay.get(day) ?? 0) + (item.n as number));
    }
  }
  return { count, first, last, open: byDay.get(dayStartOf(last)) ?? 0 };
}

/**
 * Sets the count and bounds of a (series, source) to an exact recount, unless its count moved since
 * `expectedCount` was read (another writer is active: the recount is left for later). True when it was set. The
 * figures of an item of earlier versions stay; the registry of the source takes the difference.
 */
export async function setRegistryCount(
  target: SeriesTarget,
  expectedCount: number,
  exact: ExactCount,
): Promise<boolean> {
  const items = await registryItems(target.userId);
  const total = mergeEntries(items).find(
    (e) => e.series === target.series && e.sourceKey === target.sourceKey,
  );
  if ((total?.count ?? 0) !== expectedCount) return false;
  const source = items.find((item) => isSourceRegistry(item) && item.source_key === target.sourceKey);
  const legacy = items.find((item) => item.SK === legacyRegistryKey(target).SK);
  if (!source && !legacy) return false;
  const own = source ? sourceEntries(source).find((e) => e.series === target.series)?.count : undefined;
  const [c, f, l] = source
    ? [name(COUNT, target.series), name(FIRST, target.series), name(LAST, target.series)]
    : ['count', 'first', 'last'];
  // A legacy item's figures stay as they are: the open-day count belongs to the source registry alone.
  const open = source ? { '#d': name(OPEN, target.series) } : undefined;
  const count = source ? exact.count - ((legacy?.count as number | undefined) ?? 0) : exact.count;
  const expected = source ? own : (legacy!.count as number);
  const bounds = `${exact.count > 0 ? ', #f = :f, #l = :l' : ''}${open ? ', #d = :d' : ''}`;
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: source ? sourceRegistryKey(target.userId, target.sourceKey) : legacyRegistryKey(target),
        UpdateExpression: `SET #c = :count${bounds}`,
        ConditionExpression: `attribute_exists(PK) AND ${expected === undefined ? 'attribute_not_exists(#c)' : '#c = :expected'}`,
        ExpressionAttributeNames: { '#c': c, ...(exact.count > 0 && { '#f': f, '#l': l }), ...open },
        ExpressionAttributeValues: {
          ':count': count,
          ...(expected !== undefined && { ':expected': expected }),
          ...(exact.count > 0 && { ':f': exact.first, ':l': exact.last }),
          ...(open && { ':d': exact.open }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Removes attributes (writers' marks) from the registry of a source, if it still exists. */
export async function removeFromSourceRegistry(userId: string, sourceKey: string, attributes: string[]) {
  if (attributes.length === 0) return;
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: sourceRegistryKey(userId, sourceKey),
        UpdateExpression: `REMOVE ${attributes.map((_, i) => `#a${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#a${i}`, a])),
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Removes the figures of some series from the registry of a source (all of them: the item is deleted). Resolves
 * to the number of (series, source) entries removed.
 */
export async function dropFromSourceRegistry(item: Item, series?: SeriesType): Promise<number> {
  const entries = sourceEntries(item).filter((e) => series === undefined || e.series === series);
  const key: Key = { PK: item.PK as string, SK: item.SK as string };
  const { doc, table } = db();
  if (series === undefined) {
    await doc.send(new DeleteCommand({ TableName: table, Key: key }));
    return entries.length;
  }
  if (entries.length === 0) return 0;
  await removeFromSourceRegistry(
    keyUser(key),
    item.source_key as string,
    [COUNT, FIRST, LAST, OPEN].map((field) => name(field, series)),
  );
  return entries.length;
}

const keyUser = (key: Key) => key.PK.slice('USER#'.length);
