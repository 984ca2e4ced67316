import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import { SERIES_TYPE_CODES, type SeriesType } from '#shared/model/series.js';
import { db, deleteKeys, type Key } from '#shared/store/client.js';
import { parseChunkSk, registryKey, seriesPartition } from '#shared/store/series-layout.js';
import { listUserSeries } from '#shared/store/series-registry.js';

/**
 * Deletes the chunks of a user's series (all series, one series, and/or one source), page by page, then their
 * registry items, so an interrupted call can simply be repeated. Returns the number of items deleted.
 */
export async function deleteUserSeries(
  userId: string,
  series?: SeriesType,
  sourceKey?: string,
): Promise<number> {
  const entries = (await listUserSeries(userId)).filter(
    (e) =>
      (series === undefined || e.series === series) && (sourceKey === undefined || e.sourceKey === sourceKey),
  );
  const seriesToScan = series === undefined ? [...new Set(entries.map((e) => e.series))] : [series];
  let deleted = 0;
  for (const s of seriesToScan) deleted += await deleteChunks(userId, s, sourceKey);
  await deleteKeys(entries.map((e) => registryKey({ userId, ...e })));
  return deleted + entries.length;
}

/** Series partitions erased at once. */
const ERASE_CONCURRENCY = 8;

/**
 * Erasure of every series of a user: the registries first (a writer adding samples afterwards finds its registry
 * gone, see timeseries.ts), then the chunk partition of every series type, found by type rather than by registry,
 * so chunks whose registry an interrupted run already deleted are found too. Stops between groups of partitions
 * once `deadline` passes; calling it again continues.
 */
export async function eraseSeries(userId: string, deadline: number): Promise<'done' | 'partial'> {
  const registries = await listUserSeries(userId);
  await deleteKeys(registries.map((entry) => registryKey({ userId, ...entry })));
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
