import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';
import { db, deleteKeys, type Item, type Key } from '#shared/store/client.js';
import {
  isSourceRegistry,
  parseChunkSk,
  REGISTRY_PREFIX,
  seriesPartition,
} from '#shared/store/series-layout.js';
import { dropFromSourceRegistry, registryItems, sourceEntries } from '#shared/store/series-registry.js';

/**
 * Deletes the chunks of a user's series (all series, one series, and/or one source), page by page, then their
 * registry entries, so an interrupted call can simply be repeated. Returns the number of chunks and registry
 * entries (series, source) deleted.
 */
export async function deleteUserSeries(
  userId: string,
  series?: SeriesType,
  sourceKey?: string,
): Promise<number> {
  const registries = (await registryItems(userId)).filter(
    (item) =>
      (item.SK as string).startsWith(REGISTRY_PREFIX) &&
      (sourceKey === undefined || item.source_key === sourceKey),
  );
  const legacy = registries.filter(
    (item) => !isSourceRegistry(item) && (series === undefined || item.series === series),
  );
  const sources = registries.filter(isSourceRegistry);
  const seriesToScan =
    series === undefined
      ? [...new Set([...legacy.map((item) => item.series as SeriesType), ...sources.flatMap(seriesOf)])]
      : [series];
  let deleted = 0;
  for (const s of seriesToScan) deleted += await deleteChunks(userId, s, sourceKey);
  await deleteKeys(legacy.map(keyOf));
  deleted += legacy.length;
  for (const item of sources) deleted += await dropFromSourceRegistry(item, series);
  return deleted;
}

const keyOf = (item: Item): Key => ({ PK: item.PK as string, SK: item.SK as string });

const seriesOf = (item: Item) => sourceEntries(item).map((entry) => entry.series);

/** Series partitions erased at once. */
const ERASE_CONCURRENCY = 8;

/**
 * Erasure of every series of a user: the registries first (a writer adding samples afterwards finds its registry
 * gone, see timeseries.ts), then the chunk partition of every series type, found by type rather than by registry,
 * so chunks whose registry an interrupted run already deleted are found too. Stops between groups of partitions
 * once `deadline` passes; calling it again continues.
 */
export async function eraseSeries(userId: string, deadline: number): Promise<'done' | 'partial'> {
  await deleteKeys((await registryItems(userId)).map(keyOf));
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
