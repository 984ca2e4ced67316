import { createHash } from 'node:crypto';
import type { HealthScore, HealthScoreCategory } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';
import { queryAll, type ReadOptions } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { changedItems } from '#shared/store/unchanged.js';
import { putForUser } from '#shared/store/user-guard.js';

export interface StoredScore {
  id: string;
  user_id: string;
  source_key: string;
  provider: ProviderName;
  category: HealthScoreCategory;
  value: number | null;
  qualifier: string | null;
  recorded_at: number;
  zone_offset: string | null;
  components: HealthScore['components'];
}

/** Identity (user, provider, category, recorded_at), as in the reference; the sort key leads with the time. */
const scoreSk = (s: Pick<StoredScore, 'recorded_at' | 'provider' | 'category'>) =>
  `SCORE#${new Date(s.recorded_at).toISOString()}#${s.provider}#${s.category}`;

function scoreId(userId: string, s: Pick<StoredScore, 'recorded_at' | 'provider' | 'category'>) {
  const hex = createHash('sha256')
    .update(`${userId}|${scoreSk(s)}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function toStoredScore(userId: string, sourceKey: string, score: HealthScore): StoredScore {
  const base = { recorded_at: score.recordedAt, provider: score.source.provider, category: score.category };
  return {
    ...base,
    id: scoreId(userId, base),
    user_id: userId,
    source_key: sourceKey,
    value: score.value,
    qualifier: score.qualifier,
    zone_offset: score.zoneOffset,
    components: score.components,
  };
}

/**
 * Upserts one user's scores (never for a deleted user: UserGone): a provider that revises a score for the same
 * moment replaces it (the reference kept the first value and ignored revisions); a score stored as it is (a live
 * sync re-reads the same days) is not written again.
 */
export async function saveScores(userId: string, scores: StoredScore[], reads?: ReadOptions): Promise<void> {
  const items = scores.map((s) => ({
    PK: keys.userPartition(userId),
    SK: scoreSk(s),
    ...s,
    user_id: userId,
  }));
  await putForUser(userId, await changedItems(items, reads));
}

/** Scores with fromMs <= recorded_at < toMs, newest first. */
export async function queryScores(
  userId: string,
  fromMs = 0,
  toMs = Date.UTC(9999, 0),
): Promise<StoredScore[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.userPartition(userId),
      ':from': `SCORE#${new Date(fromMs).toISOString()}`,
      ':to': `SCORE#${new Date(toMs).toISOString()}`,
    },
    ScanIndexForward: false,
  });
  return items
    .map(({ PK, SK, ...rest }) => rest as unknown as StoredScore)
    .filter((s) => s.recorded_at >= fromMs && s.recorded_at < toMs);
}
