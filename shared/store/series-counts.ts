import type { SeriesType } from '#shared/model/series.js';
import { queryAll } from '#shared/store/client.js';
import {
  bucketSk,
  bucketStartOf,
  dayStartOf,
  parseChunkSk,
  seriesPartition,
} from '#shared/store/series-layout.js';
import { readSeriesSamples } from '#shared/store/series-read.js';

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
