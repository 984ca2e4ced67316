import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Sample } from '#shared/model/health-data.js';
import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';
import { decodeChunk, encodeChunk, roundValue } from '#shared/store/chunk-codec.js';
import { db, deleteKeys, type Item, isConditionFailure, type Key, queryAll } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import { keys } from '#shared/store/keys.js';
import { writeForUser } from '#shared/store/user-guard.js';

/**
 * Time series are stored as chunks: the samples of one (user, series, source) within one UTC hour, in one item
 * (binary columns, see chunk-codec.ts), keyed PK `TS#<user>#<series>`, SK `<bucket start, epoch s>#<source key>`.
 * An hour keeps the densest realistic series (1 Hz, 3,600 samples) a few KB and bounds what a late sample
 * rewrites, while a minute-resolution hour already amortises the ~100 bytes of keys to under 2 bytes per sample.
 *
 * A registry item per (series, source) in the user partition, written before any chunk, counts the samples
 * and makes every chunk partition of a user discoverable. It is also what keeps an erased user's series erased:
 * it is only ever created under the user guard (store/user-guard.ts), and every write that adds samples updates it
 * afterwards under `attribute_exists`. Erasure deletes registries before it scans the chunks, so a chunk written
 * before that scan is found by it, and a writer whose chunk came later finds its registry gone: recreating it
 * fails with UserGone, and that writer erases what it left (shared/jobs/erasure.ts `purgeUser`).
 */

const BUCKET_MS = 3_600_000;
const WRITE_CONCURRENCY = 8;
const MAX_ATTEMPTS = 20;
const BATCH_GET_LIMIT = 100;

export interface WriteResult {
  received: number;
  newSamples: number;
  changedSamples: number;
  itemsWritten: number;
  consumedWcu: number;
  consumedRcu: number;
  /** Chunk writes retried because another writer changed the chunk between read and write. */
  conflicts: number;
}

export interface SeriesRegistryEntry {
  series: SeriesType;
  sourceKey: string;
  count: number;
  /** Epoch ms of the earliest and latest sample ever written. */
  first: number;
  last: number;
}

export interface SeriesRead {
  sources: Array<{ sourceKey: string; samples: Sample[] }>;
  consumedRcu: number;
}

interface Target {
  userId: string;
  series: SeriesType;
  sourceKey: string;
}

interface Bounds {
  first: number;
  last: number;
}

/** What a registry item without samples compares as: any real bound moves it. */
const NO_BOUNDS: Bounds = { first: Infinity, last: -Infinity };

const registryBounds = (item: Item): Bounds => ({
  first: (item.first as number | undefined) ?? Infinity,
  last: (item.last as number | undefined) ?? -Infinity,
});

interface Chunk {
  version: number;
  samples: Sample[];
}

interface ChunkOutcome {
  newSamples: number;
  changedSamples: number;
  written: boolean;
  wcu: number;
  rcu: number;
  conflicts: number;
}

const bucketStartOf = (timestamp: number) => Math.floor(timestamp / BUCKET_MS) * BUCKET_MS;
const bucketSk = (bucketStart: number) => String(bucketStart / 1000).padStart(10, '0');
const seriesPartition = (userId: string, series: SeriesType) => `TS#${userId}#${series}`;
const chunkKey = ({ userId, series, sourceKey }: Target, bucketStart: number): Key => ({
  PK: seriesPartition(userId, series),
  SK: `${bucketSk(bucketStart)}#${sourceKey}`,
});
const registryKey = ({ userId, series, sourceKey }: Target): Key => ({
  PK: keys.userPartition(userId),
  SK: `SERIES#${series}#${sourceKey}`,
});
const keyId = (key: Key | Item) => `${key.PK}\n${key.SK}`;

function parseChunkSk(sk: string): { bucketStart: number; sourceKey: string } {
  const [seconds, sourceKey] = sk.split('#') as [string, string];
  return { bucketStart: Number(seconds) * 1000, sourceKey };
}

const toChunk = (item: Item): Chunk => ({
  version: item.v as number,
  samples: decodeChunk(parseChunkSk(item.SK as string).bucketStart, item.d as Uint8Array),
});

const capacity = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number =>
  [consumed ?? []].flat().reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jitteredBackoff = (attempt: number) => sleep(Math.random() * Math.min(500, 10 * 2 ** attempt));

/**
 * Upserts samples (same timestamp: the new value, zone offset and flag win), idempotently: chunks whose content
 * would not change are not written, so re-pushing the same data costs reads only. Concurrent writers to one
 * chunk serialise through its version number; a writer that loses re-reads, re-merges and retries.
 */
export async function writeSeriesSamples(
  userId: string,
  sourceKey: string,
  series: SeriesType,
  samples: readonly Sample[],
): Promise<WriteResult> {
  const target = { userId, series, sourceKey };
  const buckets = groupByBucket(samples);
  const result: WriteResult = {
    received: samples.length,
    newSamples: 0,
    changedSamples: 0,
    itemsWritten: 0,
    consumedWcu: 0,
    consumedRcu: 0,
    conflicts: 0,
  };
  if (buckets.size === 0) return result;

  const registry = registryKey(target);
  const stored = await batchGet([registry, ...[...buckets.keys()].map((start) => chunkKey(target, start))]);
  result.consumedRcu += stored.rcu;
  const bounds = {
    first: samples.reduce(minTimestamp, Infinity),
    last: samples.reduce(maxTimestamp, -Infinity),
  };
  const registryItem = stored.items.get(keyId(registry));
  let known = registryItem ? registryBounds(registryItem) : NO_BOUNDS;
  if (!registryItem) {
    addCapacity(result, await recordInRegistry(target, 0, bounds, known, false));
    known = bounds;
  }

  const outcomes = await mapLimit([...buckets], WRITE_CONCURRENCY, ([start, incoming]) => {
    const item = stored.items.get(keyId(chunkKey(target, start)));
    return mergeIntoChunk(target, start, incoming, item && toChunk(item));
  });
  for (const outcome of outcomes) {
    result.newSamples += outcome.newSamples;
    result.changedSamples += outcome.changedSamples;
    result.itemsWritten += outcome.written ? 1 : 0;
    result.conflicts += outcome.conflicts;
    addCapacity(result, outcome);
  }
  if (result.newSamples > 0)
    addCapacity(result, await recordInRegistry(target, result.newSamples, bounds, known, true));
  return result;
}

function addCapacity(result: WriteResult, used: { wcu: number; rcu: number }): void {
  result.consumedWcu += used.wcu;
  result.consumedRcu += used.rcu;
}

const minTimestamp = (min: number, s: Sample) => Math.min(min, s.timestamp);
const maxTimestamp = (max: number, s: Sample) => Math.max(max, s.timestamp);
const byTimestamp = (a: Sample, b: Sample) => a.timestamp - b.timestamp;

/** Per bucket: samples sorted and unique per timestamp (the last one of the input wins), values at 3 decimals. */
function groupByBucket(samples: readonly Sample[]): Map<number, Sample[]> {
  const buckets = new Map<number, Map<number, Sample>>();
  for (const sample of samples) {
    const start = bucketStartOf(sample.timestamp);
    const bucket = buckets.get(start) ?? new Map<number, Sample>();
    bucket.set(sample.timestamp, { ...sample, value: roundValue(sample.value) });
    buckets.set(start, bucket);
  }
  return new Map([...buckets].map(([start, bucket]) => [start, [...bucket.values()].sort(byTimestamp)]));
}

async function mergeIntoChunk(
  target: Target,
  bucketStart: number,
  incoming: Sample[],
  stored: Chunk | undefined,
): Promise<ChunkOutcome> {
  const key = chunkKey(target, bucketStart);
  let current = stored;
  let rcu = 0;
  for (let attempt = 1; ; attempt++) {
    const merged = mergeSamples(current?.samples ?? [], incoming);
    const outcome = { newSamples: merged.newSamples, changedSamples: merged.changedSamples, rcu };
    if (merged.newSamples + merged.changedSamples === 0) {
      return { ...outcome, written: false, wcu: 0, conflicts: attempt - 1 };
    }
    try {
      const wcu = await putChunk(key, bucketStart, merged.samples, current?.version);
      return { ...outcome, written: true, wcu, conflicts: attempt - 1 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series write');
    }
    await jitteredBackoff(attempt);
    const reread = await getItem(key);
    rcu += reread.rcu;
    current = reread.item && toChunk(reread.item);
  }
}

function mergeSamples(existing: Sample[], incoming: Sample[]) {
  const byTime = new Map(existing.map((s) => [s.timestamp, s]));
  let newSamples = 0;
  let changedSamples = 0;
  for (const sample of incoming) {
    const previous = byTime.get(sample.timestamp);
    if (previous && sameSample(previous, sample)) continue;
    if (previous) changedSamples++;
    else newSamples++;
    byTime.set(sample.timestamp, sample);
  }
  return { samples: [...byTime.values()].sort(byTimestamp), newSamples, changedSamples };
}

const sameSample = (a: Sample, b: Sample) =>
  a.value === b.value && a.zoneOffset === b.zoneOffset && a.isDailyTotal === b.isDailyTotal;

async function putChunk(key: Key, bucketStart: number, samples: Sample[], version: number | undefined) {
  const { doc, table } = db();
  const out = await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...key,
        d: encodeChunk(bucketStart, samples),
        n: samples.length,
        v: (version ?? 0) + 1,
        f: samples[0]!.timestamp,
        l: samples.at(-1)!.timestamp,
      },
      ...(version === undefined
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': version } }),
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return capacity(out.ConsumedCapacity);
}

async function getItem(key: Key): Promise<{ item: Item | undefined; rcu: number }> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
  );
  return { item: out.Item, rcu: capacity(out.ConsumedCapacity) };
}

/** Strongly consistent BatchGet of any number of keys, retrying unprocessed keys with backoff. */
async function batchGet(itemKeys: Key[]): Promise<{ items: Map<string, Item>; rcu: number }> {
  const { doc, table } = db();
  const items = new Map<string, Item>();
  let rcu = 0;
  for (let i = 0; i < itemKeys.length; i += BATCH_GET_LIMIT) {
    let pending: Key[] = itemKeys.slice(i, i + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await jitteredBackoff(attempt);
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: pending, ConsistentRead: true } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      rcu += capacity(out.ConsumedCapacity);
      for (const item of out.Responses?.[table] ?? []) items.set(keyId(item), item);
      pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
    }
  }
  return { items, rcu };
}

/**
 * Adds to the sample count and widens the time bounds in one write. DynamoDB has no min/max: a bound is set only
 * when `known` (the registry as last read) says it moves, under a condition; if a concurrent writer moved it
 * meanwhile, the condition fails and the update is retried against a fresh read. A missing registry is created
 * under the user guard (UserGone for a deleted user), never by an update.
 */
async function recordInRegistry(
  target: Target,
  added: number,
  bounds: Bounds,
  known: Bounds,
  exists: boolean,
): Promise<{ wcu: number; rcu: number }> {
  const key = registryKey(target);
  let current = known;
  let present = exists;
  let rcu = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const wcu = present
        ? await updateRegistry(key, target, added, movedBounds(bounds, current))
        : await createRegistry(key, target, added, bounds);
      return { wcu, rcu };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series write');
    }
    const reread = await getItem(key);
    rcu += reread.rcu;
    present = reread.item !== undefined;
    current = reread.item ? registryBounds(reread.item) : NO_BOUNDS;
  }
}

function createRegistry(key: Key, target: Target, count: number, bounds: Bounds): Promise<number> {
  const { table } = db();
  return writeForUser(target.userId, [
    {
      Put: {
        TableName: table,
        Item: { ...key, series: target.series, source_key: target.sourceKey, count, ...bounds },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ]);
}

const movedBounds = (bounds: Bounds, known: Bounds): Partial<Bounds> => ({
  ...(bounds.first < known.first && { first: bounds.first }),
  ...(bounds.last > known.last && { last: bounds.last }),
});

const BEYOND = { first: '>', last: '<' } as const;

async function updateRegistry(key: Key, target: Target, added: number, moved: Partial<Bounds>) {
  const { doc, table } = db();
  const bounds = Object.entries(moved) as Array<[keyof Bounds, number]>;
  const sets = [
    '#series = :series',
    '#sourceKey = :sourceKey',
    ...bounds.map(([name]) => `#${name} = :${name}`),
  ];
  const out = await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')} ADD #count :added`,
      ConditionExpression: [
        'attribute_exists(PK)',
        ...bounds.map(([name]) => `(attribute_not_exists(#${name}) OR #${name} ${BEYOND[name]} :${name})`),
      ].join(' AND '),
      ExpressionAttributeNames: {
        '#series': 'series',
        '#sourceKey': 'source_key',
        '#count': 'count',
        ...Object.fromEntries(bounds.map(([name]) => [`#${name}`, name])),
      },
      ExpressionAttributeValues: {
        ':series': target.series,
        ':sourceKey': target.sourceKey,
        ':added': added,
        ...Object.fromEntries(bounds.map(([name, value]) => [`:${name}`, value])),
      },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return capacity(out.ConsumedCapacity);
}

/**
 * Samples with fromMs <= timestamp < toMs, per source (sorted by source key), each sorted by timestamp.
 * Eventually consistent: readers do not need a sync's last write within the second, and pay half.
 */
export async function readSeriesSamples(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
  options: { sourceKey?: string } = {},
): Promise<SeriesRead> {
  if (toMs <= fromMs) return { sources: [], consumedRcu: 0 };
  const { doc, table } = db();
  const bySource = new Map<string, Sample[]>();
  let consumedRcu = 0;
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': seriesPartition(userId, series),
        ':from': bucketSk(bucketStartOf(fromMs)),
        // '~' sorts after '#<source key>', so the last bucket is included with every source.
        ':to': `${bucketSk(bucketStartOf(toMs - 1))}~`,
      },
      ReturnConsumedCapacity: 'TOTAL',
    },
  );
  for await (const page of pages) {
    consumedRcu += capacity(page.ConsumedCapacity);
    for (const item of page.Items ?? []) {
      const { bucketStart, sourceKey } = parseChunkSk(item.SK as string);
      if (options.sourceKey !== undefined && sourceKey !== options.sourceKey) continue;
      const samples = decodeChunk(bucketStart, item.d as Uint8Array);
      const inRange = item.f >= fromMs && item.l < toMs;
      const list = bySource.get(sourceKey) ?? [];
      for (const s of samples) if (inRange || (s.timestamp >= fromMs && s.timestamp < toMs)) list.push(s);
      bySource.set(sourceKey, list);
    }
  }
  const sources = [...bySource]
    .filter(([, samples]) => samples.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return { sources: sources.map(([sourceKey, samples]) => ({ sourceKey, samples })), consumedRcu };
}

export async function listUserSeries(userId: string): Promise<SeriesRegistryEntry[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': 'SERIES#' },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    series: item.series as SeriesType,
    sourceKey: item.source_key as string,
    count: item.count as number,
    first: item.first as number,
    last: item.last as number,
  }));
}

/**
 * Deletes the chunks of a user's series (all series, one series, and/or one source), page by page, then their
 * registry items, so an interrupted call can simply be repeated. Returns the number of items deleted.
 */
export async function deleteUserSeries(
  userId: string,
  series?: SeriesType,
  sourceKey?: string,
): Promise<number> {
  const entries = (await listUserSeries(userId)).filter(
    (e) =>
      (series === undefined || e.series === series) && (sourceKey === undefined || e.sourceKey === sourceKey),
  );
  const seriesToScan = series === undefined ? [...new Set(entries.map((e) => e.series))] : [series];
  let deleted = 0;
  for (const s of seriesToScan) deleted += await deleteChunks(userId, s, sourceKey);
  await deleteKeys(entries.map((e) => registryKey({ userId, ...e })));
  return deleted + entries.length;
}

/** Series partitions erased at once. */
const ERASE_CONCURRENCY = 8;

/**
 * Erasure of every series of a user: the registries first (a writer adding samples afterwards finds its registry
 * gone, see the top of this file), then the chunk partition of every series type, found by type rather than by
 * registry, so chunks whose registry an interrupted run already deleted are found too. Stops between groups of
 * partitions once `deadline` passes; calling it again continues.
 */
export async function eraseSeries(userId: string, deadline: number): Promise<'done' | 'partial'> {
  const registries = await listUserSeries(userId);
  await deleteKeys(registries.map((entry) => registryKey({ userId, ...entry })));
  for (let i = 0; i < SERIES_TYPE_CODES.length; i += ERASE_CONCURRENCY) {
    if (Date.now() > deadline) return 'partial';
    const group = SERIES_TYPE_CODES.slice(i, i + ERASE_CONCURRENCY);
    await Promise.all(group.map((series) => deleteChunks(userId, series, undefined)));
  }
  return 'done';
}

async function deleteChunks(
  userId: string,
  series: SeriesType,
  sourceKey: string | undefined,
): Promise<number> {
  const { doc, table } = db();
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': seriesPartition(userId, series) },
      ProjectionExpression: 'PK, SK',
      ConsistentRead: true,
    },
  );
  let deleted = 0;
  for await (const page of pages) {
    const chunkKeys = ((page.Items ?? []) as Key[]).filter(
      (k) => sourceKey === undefined || parseChunkSk(k.SK).sourceKey === sourceKey,
    );
    await deleteKeys(chunkKeys);
    deleted += chunkKeys.length;
  }
  return deleted;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
