import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';
import type { Item, Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';

/**
 * The key layout of time series (timeseries.ts). Chunks live in `TS#<user>#<series>`, their SK beginning with the
 * 10-digit bucket start (epoch s): hour chunks `<hour start>#<source key>`, day chunks `<day start>#<source
 * key>#d`. Registries live in the user partition: one item per source, `SERIES#@<source key>` (series-registry.ts),
 * and, written by versions before it, one per (series, source), `SERIES#<series>#<source key>`, still read and
 * erased. Shared by the write, read, registry and erase modules.
 */

export const BUCKET_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface SeriesTarget {
  userId: string;
  series: SeriesType;
  sourceKey: string;
}

export const bucketStartOf = (timestamp: number) => Math.floor(timestamp / BUCKET_MS) * BUCKET_MS;
export const dayStartOf = (timestamp: number) => Math.floor(timestamp / DAY_MS) * DAY_MS;
export const bucketSk = (bucketStart: number) => String(bucketStart / 1000).padStart(10, '0');
export const seriesPartition = (userId: string, series: SeriesType) => `TS#${userId}#${series}`;

/** The SK range (`BETWEEN :from AND :to`) of every chunk of one UTC day in a series partition, all sources. */
export const daySkRange = (dayStart: number) => ({
  ':from': bucketSk(dayStart),
  ':to': `${bucketSk(dayStart + DAY_MS - BUCKET_MS)}~`,
});

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
