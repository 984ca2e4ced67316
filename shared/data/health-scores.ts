import type * as z from 'zod/mini';
import type { healthScorePage } from '#shared/data/schemas.js';
import type { HealthScoreCategory } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';
import { apiDateTime } from '#shared/model/time.js';
import { dataSourcesByKey } from '#shared/store/data-sources.js';
import { queryScores } from '#shared/store/health-scores.js';

export interface ScoreQuery {
  startMs?: number | undefined;
  endMs?: number | undefined;
  category?: HealthScoreCategory | undefined;
  provider?: ProviderName | undefined;
  limit: number;
  offset: number;
}

/** `GET /users/{id}/health-scores`: newest first, offset paging inside the cursor envelope (contract 1.5). */
export async function listHealthScores(
  userId: string,
  query: ScoreQuery,
): Promise<z.output<typeof healthScorePage>> {
  const [scores, sources] = await Promise.all([
    queryScores(userId, query.startMs, query.endMs),
    dataSourcesByKey(userId),
  ]);
  const matching = scores.filter(
    (s) =>
      (!query.category || s.category === query.category) &&
      (!query.provider || s.provider === query.provider),
  );
  const data = matching.slice(query.offset, query.offset + query.limit).map((s) => ({
    id: s.id,
    category: s.category,
    value: s.value,
    qualifier: s.qualifier,
    recorded_at: apiDateTime(new Date(s.recorded_at)),
    zone_offset: s.zone_offset,
    components: s.components,
    data_source_id: sources.get(s.source_key)?.id ?? null,
    provider: s.provider,
  }));
  return {
    data,
    pagination: {
      next_cursor: null,
      previous_cursor: null,
      has_more: query.offset + data.length < matching.length,
      total_count: matching.length,
    },
    metadata: {
      resolution: null,
      sample_count: data.length,
      start_time: query.startMs === undefined ? null : apiDateTime(new Date(query.startMs)),
      end_time: query.endMs === undefined ? null : apiDateTime(new Date(query.endMs)),
    },
  };
}
