import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { db, queryAll } from '#shared/store/client.js';
import {
  bucketSk,
  bucketStartOf,
  daySkRange,
  dayStartOf,
  parseChunkSk,
  type SeriesTarget,
  seriesPartition,
} from '#shared/store/series-layout.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries, type SeriesRegistryEntry } from '#shared/store/series-registry.js';

export interface ChunkCount {
  sourceKey: string;
  /** Epoch ms of the chunk's start: a UTC hour, or a UTC day. */
  start: number;
  count: number;
}

/**
 * How many samples of one series each (source, chunk) holds in [fromMs, toMs), without decoding the chunks: a chunk
 * wholly inside the window counts its `n`, one wholly outside none; the few across either end of it are read over
 * their own time span and counted (the chunks of one source hold disjoint spans, series-chunks.ts). Eventually
 * consistent, like the sample reads.
 */
export async function countSamplesByChunk(
  userId: string,
  series: SeriesType,
  fromMs: number,
  toMs: number,
): Promise<ChunkCount[]> {
  if (toMs <= fromMs) return [];
  const counts: ChunkCount[] = [];
  const edges: Array<{ sourceKey: string; start: number; first: number; last: number }> = [];
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': seriesPartition(userId, series),
      // From the day's start: a day chunk is keyed by it.
      ':from': bucketSk(dayStartOf(fromMs)),
      ':to': `${bucketSk(bucketStartOf(toMs - 1))}~`,
    },
    ProjectionExpression: 'SK, n, f, l',
  });
  for (const item of items) {
    if (!item.n) continue;
    const { bucketStart: start, sourceKey } = parseChunkSk(item.SK as string);
    const [first, last] = [item.f as number, item.l as number];
    if (last < fromMs || first >= toMs) continue;
    if (first >= fromMs && last < toMs) counts.push({ sourceKey, start, count: item.n as number });
    else edges.push({ sourceKey, start, first, last });
  }
  const read = await Promise.all(
    edges.map((e) =>
      readSeriesSamples(userId, series, Math.max(fromMs, e.first), Math.min(toMs, e.last + 1), {
        sourceKey: e.sourceKey,
      }),
    ),
  );
  edges.forEach((e, i) => {
    const count = read[i]!.sources.reduce((total, s) => total + s.samples.length, 0);
    counts.push({ sourceKey: e.sourceKey, start: e.start, count });
  });
  return counts;
}

/** The exact number of samples of a (series, source) in one UTC day, from its chunks (consistent). */
export async function countDay(
  target: SeriesTarget,
  dayStart: number,
): Promise<{ count: number; rcu: number }> {
  const { doc, table } = db();
  let count = 0;
  let rcu = 0;
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': seriesPartition(target.userId, target.series),
        ...daySkRange(dayStart),
      },
      ProjectionExpression: 'SK, n',
      ConsistentRead: true,
      ReturnConsumedCapacity: 'TOTAL',
    },
  );
  for await (const page of pages) {
    rcu += page.ConsumedCapacity?.CapacityUnits ?? 0;
    for (const item of page.Items ?? []) {
      if (parseChunkSk(item.SK as string).sourceKey === target.sourceKey) count += item.n as number;
    }
  }
  return { count, rcu };
}

/**
 * The registry's entries with the samples of each series' open day that their counts do not hold yet (one day of
 * chunks read per series): exact counts for a user's data summary.
 */
export async function currentSeriesCounts(userId: string): Promise<SeriesRegistryEntry[]> {
  return Promise.all(
    (await listUserSeries(userId)).map(async (entry) => {
      if (!entry.open) return entry;
      const target = { userId, series: entry.series, sourceKey: entry.sourceKey };
      const { count } = await countDay(target, entry.open.day);
      return { ...entry, count: entry.count + Math.max(0, count - entry.open.counted) };
    }),
  );
}
