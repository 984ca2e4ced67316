import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Sample } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { decodeChunk, encodeChunk, roundValue } from '#shared/store/chunk-codec.js';
import { db, type Item, isConditionFailure, type Key } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import {
  batchGet,
  bucketStartOf,
  capacity,
  chunkKey,
  getItem,
  jitteredBackoff,
  keyId,
  parseChunkSk,
  registryKey,
  type SeriesTarget,
} from '#shared/store/series-layout.js';
import { NO_BOUNDS, recordInRegistry, registryBounds } from '#shared/store/series-registry.js';

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
 * fails with UserGone, and that writer erases what it left (shared/ingest/persist.ts `writingFor`). A writer that
 * dies between its chunks and its registry update leaves the count short until the next write repairs it
 * (series-journal.ts).
 */

const WRITE_CONCURRENCY = 8;
const MAX_ATTEMPTS = 20;

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

const toChunk = (item: Item): Chunk => ({
  version: item.v as number,
  samples: decodeChunk(parseChunkSk(item.SK as string).bucketStart, item.d as Uint8Array),
});

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
  target: SeriesTarget,
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
