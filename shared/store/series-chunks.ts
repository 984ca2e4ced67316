import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Sample } from '#shared/model/health-data.js';
import { decodeChunk, encodeChunk } from '#shared/store/chunk-codec.js';
import {
  batchGet,
  capacity,
  db,
  getItem,
  type Item,
  isConditionFailure,
  jitteredBackoff,
  type Key,
  keyId,
} from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import {
  BUCKET_MS,
  bucketStartOf,
  chunkKey,
  DAY_MS,
  dayChunkKey,
  daySkRange,
  parseChunkSk,
  type SeriesTarget,
} from '#shared/store/series-layout.js';

/**
 * Where the samples of one (series, source, UTC day) live, and their merge into those items (timeseries.ts).
 *
 * A day starts as one day chunk, so a sparse series (5-minute provider data, a few readings a day) costs one
 * small item a day rather than 24. Once the day chunk would outgrow one write unit it is sealed at an hour
 * boundary S: samples at or after S go to hour chunks, earlier ones stay in the day chunk. Where a sample lives
 * is thus a function of stored state that only ever moves one way (a seal is set once, an hour chunk once
 * created stays), so two writers never place one timestamp in two items: hour chunks are created only by a
 * writer that read the seal, and a writer that read the day chunk before the seal loses its versioned write and
 * places again. A day whose hour chunks were written by an earlier version (no day chunk) stays in hour chunks.
 * The seal is never before the day's second hour, so a day's items, ordered by SK, hold successive time ranges:
 * the day chunk [day start, S), then hour chunks from S on.
 */

const MAX_ATTEMPTS = 20;
/** Encoded bytes a day chunk may hold: with its keys and attributes, the item stays under 1 KB (one write unit). */
export const DAY_CHUNK_MAX_BYTES = 850;

export interface ChunkOutcome {
  newSamples: number;
  changedSamples: number;
  itemsWritten: number;
  wcu: number;
  rcu: number;
  conflicts: number;
}

interface Chunk {
  version: number;
  samples: Sample[];
  /** Day chunks only: the hour from which samples go to hour chunks. */
  seal?: number;
}

const toChunk = (item: Item): Chunk => ({
  version: item.v as number,
  samples: decodeChunk(parseChunkSk(item.SK as string).bucketStart, item.d as Uint8Array),
  seal: item.s as number | undefined,
});

const hoursOf = (samples: readonly Sample[]) => [...new Set(samples.map((s) => bucketStartOf(s.timestamp)))];

/** The keys a write of these samples of one day reads first: its day chunk and the hour chunks they fall in. */
export const dayKeys = (target: SeriesTarget, dayStart: number, samples: readonly Sample[]): Key[] => [
  dayChunkKey(target, dayStart),
  ...hoursOf(samples).map((hour) => chunkKey(target, hour)),
];

const byTimestamp = (a: Sample, b: Sample) => a.timestamp - b.timestamp;

export function mergeSamples(existing: Sample[], incoming: Sample[]) {
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

const fits = (dayStart: number, samples: Sample[]) =>
  encodeChunk(dayStart, samples).length <= DAY_CHUNK_MAX_BYTES;

/**
 * The latest hour boundary up to which the day chunk still fits, never before the hour after its last stored
 * sample (stored samples do not move) nor before the day's second hour.
 */
function sealPoint(dayStart: number, stored: Sample[], incoming: Sample[]): number {
  const last = stored.at(-1)?.timestamp ?? dayStart;
  let seal = bucketStartOf(last) + BUCKET_MS;
  while (seal + BUCKET_MS < dayStart + DAY_MS) {
    const next = seal + BUCKET_MS;
    if (
      !fits(
        dayStart,
        mergeSamples(
          stored,
          incoming.filter((s) => s.timestamp < next),
        ).samples,
      )
    )
      break;
    seal = next;
  }
  return seal;
}

const none = (): ChunkOutcome => ({
  newSamples: 0,
  changedSamples: 0,
  itemsWritten: 0,
  wcu: 0,
  rcu: 0,
  conflicts: 0,
});

function add(total: ChunkOutcome, part: ChunkOutcome): ChunkOutcome {
  for (const field of Object.keys(total) as Array<keyof ChunkOutcome>) total[field] += part[field];
  return total;
}

/**
 * Merges the samples of one UTC day (sorted, unique per timestamp) into its chunks, `stored` being what was read
 * of `dayKeys`. `beforeWrite` runs before the first chunk is written (the registry must exist by then).
 */
export async function writeDay(
  target: SeriesTarget,
  dayStart: number,
  incoming: Sample[],
  stored: Map<string, Item>,
  beforeWrite: () => Promise<void>,
): Promise<ChunkOutcome> {
  const dayKey = dayChunkKey(target, dayStart);
  const total = none();
  let items = stored;
  for (let attempt = 1; ; attempt++) {
    const dayItem = items.get(keyId(dayKey));
    const day = dayItem && toChunk(dayItem);
    const hours = new Map<number, Chunk>();
    for (const hour of hoursOf(incoming)) {
      const item = items.get(keyId(chunkKey(target, hour)));
      if (item) hours.set(hour, toChunk(item));
    }
    const sealed = (s: Sample) => day?.seal !== undefined && s.timestamp >= day.seal;
    const hourly = (s: Sample) => hours.has(bucketStartOf(s.timestamp)) || sealed(s);
    const layout =
      !day && incoming.some((s) => !hourly(s)) ? await storedLayout(target, dayStart, total) : 'none';
    if (layout === 'day') {
      // The day chunk exists after all (an eventually consistent read missed it): read again strongly. Not a
      // conflict: nothing was written, so nothing may have changed.
      if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series write');
      const reread = await batchGet(dayKeys(target, dayStart, incoming));
      total.rcu += reread.rcu;
      items = reread.items;
      continue;
    }
    const earlierVersion = layout === 'hours';
    let toDay = earlierVersion ? [] : incoming.filter((s) => !hourly(s));
    let merged = mergeSamples(day?.samples ?? [], toDay);
    let seal = day?.seal;
    if (merged.newSamples > 0 && seal === undefined && !fits(dayStart, merged.samples)) {
      const at = sealPoint(dayStart, day?.samples ?? [], toDay);
      seal = at;
      toDay = toDay.filter((s) => s.timestamp < at);
      merged = mergeSamples(day?.samples ?? [], toDay);
    }
    if (merged.newSamples + merged.changedSamples > 0 || seal !== day?.seal) {
      await beforeWrite();
      try {
        total.wcu += await putChunk(dayKey, dayStart, merged.samples, day?.version, seal);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series write');
        total.conflicts++;
        await jitteredBackoff(attempt);
        const reread = await batchGet(dayKeys(target, dayStart, incoming));
        total.rcu += reread.rcu;
        items = reread.items;
        continue;
      }
      total.itemsWritten++;
      total.newSamples += merged.newSamples;
      total.changedSamples += merged.changedSamples;
    }
    const inDay = new Set(toDay);
    const byHour = new Map<number, Sample[]>();
    for (const s of incoming) {
      if (inDay.has(s)) continue;
      const hour = bucketStartOf(s.timestamp);
      byHour.set(hour, [...(byHour.get(hour) ?? []), s]);
    }
    for (const [hour, samples] of byHour) {
      add(total, await mergeIntoChunk(chunkKey(target, hour), hour, samples, hours.get(hour), beforeWrite));
    }
    return total;
  }
}

/**
 * What a strongly consistent read finds of this source on a day its first read showed no day chunk of (rare): its
 * day chunk after all (`day`: that read was eventually consistent and stale), hour chunks an earlier version wrote
 * (`hours`), or neither.
 */
async function storedLayout(
  target: SeriesTarget,
  dayStart: number,
  total: ChunkOutcome,
): Promise<'day' | 'hours' | 'none'> {
  const { doc, table } = db();
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': chunkKey(target, dayStart).PK,
        ...daySkRange(dayStart),
      },
      ProjectionExpression: 'SK',
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  total.rcu += capacity(out.ConsumedCapacity);
  const own = (out.Items ?? [])
    .map((item) => parseChunkSk(item.SK as string))
    .filter((chunk) => chunk.sourceKey === target.sourceKey);
  if (own.some((chunk) => chunk.day)) return 'day';
  return own.length > 0 ? 'hours' : 'none';
}

async function mergeIntoChunk(
  key: Key,
  bucketStart: number,
  incoming: Sample[],
  stored: Chunk | undefined,
  beforeWrite: () => Promise<void>,
): Promise<ChunkOutcome> {
  const outcome = none();
  let current = stored;
  for (let attempt = 1; ; attempt++) {
    const merged = mergeSamples(current?.samples ?? [], incoming);
    if (merged.newSamples + merged.changedSamples === 0) return outcome;
    await beforeWrite();
    try {
      outcome.wcu += await putChunk(key, bucketStart, merged.samples, current?.version, undefined);
      return {
        ...outcome,
        newSamples: merged.newSamples,
        changedSamples: merged.changedSamples,
        itemsWritten: 1,
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series write');
    }
    outcome.conflicts++;
    await jitteredBackoff(attempt);
    const reread = await getItem(key);
    outcome.rcu += reread.rcu;
    current = reread.item && toChunk(reread.item);
  }
}

async function putChunk(
  key: Key,
  bucketStart: number,
  samples: Sample[],
  version: number | undefined,
  seal: number | undefined,
) {
  const { doc, table } = db();
  const out = await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...key,
        d: encodeChunk(bucketStart, samples),
        n: samples.length,
        v: (version ?? 0) + 1,
        f: samples[0]?.timestamp,
        l: samples.at(-1)?.timestamp,
        s: seal,
      },
      ...(version === undefined
        ? { ConditionExpression: 'attribute_not_exists(PK)' }
        : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': version } }),
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return capacity(out.ConsumedCapacity);
}
