import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { db, type Item, type Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

/**
 * The key layout of time series (timeseries.ts): chunks `TS#<user>#<series>` / `<bucket start, epoch s>#<source
 * key>`, one UTC hour each, and a registry item per (series, source) in the user partition, `SERIES#<series>#<source
 * key>`. Shared by the write, read, registry and erase modules, with their small DynamoDB helpers.
 */

export const BUCKET_MS = 3_600_000;
const BATCH_GET_LIMIT = 100;

export interface SeriesTarget {
  userId: string;
  series: SeriesType;
  sourceKey: string;
}

export const bucketStartOf = (timestamp: number) => Math.floor(timestamp / BUCKET_MS) * BUCKET_MS;
export const bucketSk = (bucketStart: number) => String(bucketStart / 1000).padStart(10, '0');
export const seriesPartition = (userId: string, series: SeriesType) => `TS#${userId}#${series}`;

export const chunkKey = ({ userId, series, sourceKey }: SeriesTarget, bucketStart: number): Key => ({
  PK: seriesPartition(userId, series),
  SK: `${bucketSk(bucketStart)}#${sourceKey}`,
});

export const registryKey = ({ userId, series, sourceKey }: SeriesTarget): Key => ({
  PK: keys.userPartition(userId),
  SK: `SERIES#${series}#${sourceKey}`,
});

export const REGISTRY_PREFIX = 'SERIES#';

export const keyId = (key: Key | Item) => `${key.PK}\n${key.SK}`;

export function parseChunkSk(sk: string): { bucketStart: number; sourceKey: string } {
  const [seconds, sourceKey] = sk.split('#') as [string, string];
  return { bucketStart: Number(seconds) * 1000, sourceKey };
}

export const capacity = (consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): number =>
  [consumed ?? []].flat().reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const jitteredBackoff = (attempt: number) => sleep(Math.random() * Math.min(500, 10 * 2 ** attempt));

export async function getItem(key: Key): Promise<{ item: Item | undefined; rcu: number }> {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({ TableName: table, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
  );
  return { item: out.Item, rcu: capacity(out.ConsumedCapacity) };
}

/** Strongly consistent BatchGet of any number of keys, retrying unprocessed keys with backoff. */
export async function batchGet(itemKeys: Key[]): Promise<{ items: Map<string, Item>; rcu: number }> {
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
