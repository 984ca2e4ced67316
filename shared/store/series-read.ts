import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Sample } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { decodeChunk } from '#shared/store/chunk-codec.js';
import { capacity, db, type Item } from '#shared/store/client.js';
import {
  bucketSk,
  bucketStartOf,
  dayStartOf,
  parseChunkSk,
  seriesPartition,
} from '#shared/store/series-layout.js';

export interface SeriesRead {
  sources: Array<{ sourceKey: string; samples: Sample[] }>;
  consumedRcu: number;
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
  const first = bucketStartOf(fromMs);
  const last = bucketSk(bucketStartOf(toMs - 1));
  const day = dayStartOf(fromMs);
  // The day chunk of the first day is keyed by the day's start, before `first` unless the range starts there.
  const ranges =
    day === first
      ? [[bucketSk(first), last]]
      : [
          [bucketSk(day), bucketSk(day)],
          [bucketSk(first), last],
        ];
  const reads = await Promise.all(ranges.map(([from, to]) => queryChunks(userId, series, from!, to!)));
  const bySource = new Map<string, Sample[]>();
  for (const item of reads.flatMap((read) => read.items)) {
    const { bucketStart, sourceKey } = parseChunkSk(item.SK as string);
    if (options.sourceKey !== undefined && sourceKey !== options.sourceKey) continue;
    const [f, l] = [item.f as number, item.l as number];
    if (l < fromMs || f >= toMs) continue;
    const samples = decodeChunk(bucketStart, item.d as Uint8Array);
    const inRange = f >= fromMs && l < toMs;
    const list = bySource.get(sourceKey) ?? [];
    for (const s of samples) if (inRange || (s.timestamp >= fromMs && s.timestamp < toMs)) list.push(s);
    bySource.set(sourceKey, list);
  }
  const sources = [...bySource]
    .filter(([, samples]) => samples.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    // A day chunk's samples come before the day's hour chunks in SK order, but only those of an hour chunk
    // written by an earlier version can fall among them.
    sources: sources.map(([sourceKey, samples]) => ({ sourceKey, samples: sortedByTime(samples) })),
    consumedRcu: reads.reduce((total, read) => total + read.rcu, 0),
  };
}

function sortedByTime(samples: Sample[]): Sample[] {
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.timestamp < samples[i - 1]!.timestamp)
      return samples.sort((a, b) => a.timestamp - b.timestamp);
  }
  return samples;
}

/** The chunks whose SK starts with a bucket in [from, to] (10-digit epoch seconds), every source. */
async function queryChunks(userId: string, series: SeriesType, from: string, to: string) {
  const { doc, table } = db();
  const items: Item[] = [];
  let rcu = 0;
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      // '~' sorts after '#<source key>' and '#<source key>#d', so the last bucket is included with every source.
      ExpressionAttributeValues: { ':pk': seriesPartition(userId, series), ':from': from, ':to': `${to}~` },
      ReturnConsumedCapacity: 'TOTAL',
    },
  );
  for await (const page of pages) {
    rcu += capacity(page.ConsumedCapacity);
    items.push(...(page.Items ?? []));
  }
  return { items, rcu };
}
