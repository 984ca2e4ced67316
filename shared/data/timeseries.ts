import { readTimeseriesWithArchive } from '#shared/archival/archived-reads.js';
import { bucketSamples, type Resolution } from '#shared/data/bucketing.js';
import { compareKeys, keysetPage } from '#shared/data/paging.js';
import type { TimeSeriesSample, TimeseriesPage } from '#shared/data/schemas.js';
import { sourceMetadata } from '#shared/data/source-metadata.js';
import type { Sample } from '#shared/model/health-data.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import { apiDateTime } from '#shared/model/time.js';
import { dataSourcesByKey } from '#shared/store/data-sources.js';
import { listUserSeries } from '#shared/store/series-registry.js';

const DAY_MS = 86_400_000;

export type { TimeSeriesSample, TimeseriesPage };

export interface TimeseriesQuery {
  /** Empty: every series the user has. */
  types: SeriesType[];
  startMs: number;
  endMs: number;
  resolution: Resolution;
  cursor?: string | undefined;
  limit?: number;
}

interface Row {
  type: SeriesType;
  sourceKey: string;
  sample: Sample;
}

/**
 * GET /users/{id}/timeseries (contract 4.8), except that `resolution` aggregates (bucketing.ts); an archived day
 * (contract 10.2) is one sample, its daily aggregate, flagged `is_daily_total`. Every requested
 * type and source, ascending by (timestamp, type, source key). The second cursor part joins type and source key
 * with `#`, which sorts below every character of a type code, so comparing it as text orders by type first.
 */
export async function queryTimeseries(userId: string, query: TimeseriesQuery): Promise<TimeseriesPage> {
  // A date-only (midnight) end includes that whole day.
  const endMs = query.endMs % DAY_MS === 0 ? query.endMs + DAY_MS : query.endMs;
  const [rows, sources] = await Promise.all([
    matchingRows(userId, query.types, query.startMs, endMs, query.resolution),
    dataSourcesByKey(userId),
  ]);
  const page = keysetPage(rows, {
    cursor: query.cursor,
    limit: query.limit ?? 50,
    sortKey: ({ type, sourceKey, sample }) => [
      new Date(sample.timestamp).toISOString(),
      `${type}#${sourceKey}`,
    ],
    compare: compareKeys,
  });
  const data = page.data.map(({ type, sourceKey, sample }) => ({
    timestamp: apiDateTime(new Date(sample.timestamp)),
    zone_offset: sample.zoneOffset,
    type,
    value: sample.value,
    unit: SERIES_TYPES[type].unit,
    source: sourceMetadata(sources.get(sourceKey)),
    is_daily_total: sample.isDailyTotal,
  }));
  return {
    data,
    pagination: page.pagination,
    metadata: {
      resolution: query.resolution,
      sample_count: data.length,
      start_time: apiDateTime(new Date(query.startMs)),
      end_time: apiDateTime(new Date(endMs)),
    },
  };
}

async function matchingRows(
  userId: string,
  requested: SeriesType[],
  startMs: number,
  endMs: number,
  resolution: Resolution,
): Promise<Row[]> {
  const types = requested.length > 0 ? requested : (await listUserSeries(userId)).map((e) => e.series);
  const unique = [...new Set(types)];
  // Raw samples of archived days left out (archival/archived-reads.ts).
  const reads = await Promise.all(
    unique.map((type) => readTimeseriesWithArchive(userId, type, startMs, endMs)),
  );
  const rows = reads.flatMap(({ sources }, i) => {
    const type = unique[i]!;
    return sources.flatMap(({ sourceKey, samples }) =>
      bucketSamples(samples, resolution, SERIES_TYPES[type].aggregation).map((sample) => ({
        type,
        sourceKey,
        sample,
      })),
    );
  });
  // An archived day is its daily aggregate at every resolution (archival/archived-reads.ts).
  const days = reads.flatMap(({ archived }, i) => archived.map((row) => ({ type: unique[i]!, ...row })));
  return [...rows, ...days].sort(compareRows);
}

function compareRows(a: Row, b: Row): number {
  if (a.sample.timestamp !== b.sample.timestamp) return a.sample.timestamp - b.sample.timestamp;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return a.sourceKey < b.sourceKey ? -1 : a.sourceKey > b.sourceKey ? 1 : 0;
}
