import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Sample } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { decodeChunk } from '#shared/store/chunk-codec.js';
import { db } from '#shared/store/client.js';
import {
  bucketSk,
  bucketStartOf,
  capacity,
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
