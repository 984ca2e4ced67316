import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';
import { db, type Item, type Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

/**
 * The key layout of time series (timeseries.ts). Chunks live in `TS#<user>#<series>`, their SK beginning with the
 * 10-digit bucket start (epoch s): hour chunks `<hour start>#<source key>`, day chunks `<day start>#<source
 * key>#d`. Registries live in the user partition: one item per source, `SERIES#@<source key>` (series-registry.ts),
 * and, written by versions before it, one per (series, source), `SERIES#<series>#<source key>`, still read and
 * erased. Shared by the write, read, registry and erase modules, with their small DynamoDB helpers.
 */

export const BUCKET_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const BATCH_GET_LIMIT = 100;

export interface SeriesTarget {
  userId: string;
  series: SeriesType;
  sourceKey: string;
}

export const bucketStartOf = (timestamp: number) => Math.floor(timestamp / BUCKET_MS) * BUCKET_MS;
export const dayStartOf = (timestamp: number) => Math.floor(timestamp / DAY_MS) * DAY_MS;
export const bucketSk = (bucketStart: number) => String(bucketStart / 1000).padStart(10, '0');
export const seriesPartition = (userId: string, series: SeriesType) => `TS#${userId}#${series}`;

const DAY_SUFFIX = '#d';

export const chunkKey = ({ userId, series, sourceKey }: SeriesTarget, bucketStart: number): Key => ({
  PK: seriesPartition(userId, series),
  SK: `${bucketSk(bucketStart)}#${sourceKey}`,
});

export const dayChunkKey = (target: SeriesTarget, dayStart: number): Key => {
  const key = chunkKey(target, dayStart);
  return { ...key, SK: `${key.SK}${DAY_SUFFIX}` };
};

export const REGISTRY_PREFIX = 'SERIES#';
const SOURCE_REGISTRY_PREFIX = `${REGISTRY_PREFIX}@`;

/** The registry item of one source: every series of it (series-registry.ts). */
export const sourceRegistryKey = (userId: string, sourceKey: string): Key => ({
  PK: keys.userPartition(userId),
  SK: `${SOURCE_REGISTRY_PREFIX}${sourceKey}`,
});

export const isSourceRegistry = (item: Item) => (item.SK as string).startsWith(SOURCE_REGISTRY_PREFIX);

/** A registry item of the per-(series, source) layout, written by earlier versions. */
export const legacyRegistryKey = ({ userId, series, sourceKey }: SeriesTarget): Key => ({
  PK: keys.userPartition(userId),
  SK: `${REGISTRY_PREFIX}${series}#${sourceKey}`,
});

export const keyId = (key: Key | Item) => `${key.PK}\n${key.SK}`;

export function parseChunkSk(sk: string): { bucketStart: number; sourceKey: string; day: boolean } {
  const [seconds, sourceKey] = sk.split('#') as [string, string];
  return { bucketStart: Number(seconds) * 1000, sourceKey, day: sk.endsWith(DAY_SUFFIX) };
}

/**
 * Four base-36 characters per series type (FNV-1a of its name): attribute names in a source registry, where the
 * size of every name is paid on each write. Stable across releases, unlike positions in the type list.
 */
function code(series: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < series.length; i++) hash = Math.imul(hash ^ series.charCodeAt(i), 0x01000193) >>> 0;
  return (hash % 36 ** 4).toString(36).padStart(4, '0');
}

const CODES = new Map(SERIES_TYPE_CODES.map((series) => [series, code(series)]));
const SERIES_BY_CODE = new Map([...CODES].map(([series, c]) => [c, series]));
if (SERIES_BY_CODE.size !== CODES.size) throw new Error('two series types share a registry code');

export const seriesCode = (series: SeriesType) => CODES.get(series)!;
export const seriesOfCode = (c: string): SeriesType | undefined => SERIES_BY_CODE.get(c);

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
