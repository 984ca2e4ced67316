import { mapLimited } from '#shared/model/concurrency.js';
import { type Item, queryAll } from '#shared/store/client.js';
import { ACTIVE_SHARDS, activeIndexKey } from '#shared/store/connection-index.js';
import { gsi1, keys } from '#shared/store/keys.js';
import { cachedFigure, SAMPLED_USERS, sample } from '#shared/store/sampling.js';
import { ARCHIVE_PREFIX } from '#shared/store/series-archive.js';
import { mergeEntries, registryItems } from '#shared/store/series-registry.js';

/**
 * `GET /dashboard/stats` (contract 4.16) without reading the data itself. Users come from their index (a deleted
 * user leaves it when marked deleted), their active connections from the active-connection index the sync
 * dispatcher pages, and the rest from each user's partition minus the samples: the series registry (its maintained
 * sample counts), the archive months' day counts and the event keys. Past `SAMPLED_USERS` users the partitions of a
 * random sample are read and the totals scaled up: approximate, as the reference's are. The answer is kept
 * `CACHE_MS` per process.
 */

const CONCURRENCY = 8;
const CACHE_MS = 60_000;
const TOP_PROVIDERS = 6;

export interface DashboardStats {
  total_users: { count: number };
  active_conn: { count: number };
  data_points: { count: number; archived: number };
  event_records: { count: number; workouts: number; sleep: number; menstrual_cycles: number };
  connections_coverage: {
    users_with_active: number;
    users_with_multi_active: number;
    top_providers: Array<{ provider: string; count: number }>;
  };
}

interface PartitionCounts {
  dataPoints: number;
  archived: number;
  workout: number;
  sleep: number;
  menstrual_cycle: number;
}

const EVENT_PREFIX = 'EVENT#';

const prefixed = (userId: string, prefix: string, projection: string) =>
  queryAll<Item>({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': prefix },
    ProjectionExpression: projection,
  });

async function partitionCounts(userId: string): Promise<PartitionCounts> {
  const counts: PartitionCounts = { dataPoints: 0, archived: 0, workout: 0, sleep: 0, menstrual_cycle: 0 };
  const [registry, archive, events] = await Promise.all([
    registryItems(userId),
    prefixed(userId, ARCHIVE_PREFIX, 'n'),
    prefixed(userId, EVENT_PREFIX, 'SK'),
  ]);
  for (const entry of mergeEntries(registry)) counts.dataPoints += entry.count;
  for (const month of archive) counts.archived += Number(month.n ?? 0);
  for (const event of events) {
    const sk = event.SK as string;
    const category = sk.slice(EVENT_PREFIX.length, sk.indexOf('#', EVENT_PREFIX.length));
    if (category === 'workout' || category === 'sleep' || category === 'menstrual_cycle') counts[category]++;
  }
  return counts;
}

/** Active connections of live users only: a deleted user's stay indexed until erasure removes them. */
async function activeConnections(providers: readonly string[], live: ReadonlySet<string>) {
  const byUser = new Map<string, number>();
  const byProvider = new Map<string, number>();
  const shards = providers.flatMap((provider) =>
    Array.from({ length: ACTIVE_SHARDS }, (_, shard) => ({ provider, shard })),
  );
  await mapLimited(shards, CONCURRENCY, async ({ provider, shard }) => {
    const items = await queryAll<Item>({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': activeIndexKey(provider, shard) },
      ProjectionExpression: 'GSI1SK',
    });
    // An earlier release's connection and the entry it is being moved to may both be met (connection-index.ts).
    for (const userId of new Set(items.map((item) => item.GSI1SK as string))) {
      if (!live.has(userId)) continue;
      byUser.set(userId, (byUser.get(userId) ?? 0) + 1);
      byProvider.set(provider, (byProvider.get(provider) ?? 0) + 1);
    }
  });
  return { byUser, byProvider };
}

async function computeStats(providers: readonly string[]): Promise<DashboardStats> {
  const users = await queryAll<Item>({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: { ':pk': gsi1.allUsers },
    ProjectionExpression: 'id',
  });
  const ids = users.map((user) => user.id as string);
  const read = ids.length > SAMPLED_USERS ? sample(ids, SAMPLED_USERS) : ids;
  const [partitions, active] = await Promise.all([
    mapLimited(read, CONCURRENCY, partitionCounts),
    activeConnections(providers, new Set(ids)),
  ]);
  const scale = read.length === 0 ? 0 : ids.length / read.length;
  const total = (field: keyof PartitionCounts) =>
    Math.round(partitions.reduce((sum, counts) => sum + counts[field], 0) * scale);
  const [workouts, sleep, menstrualCycles] = [total('workout'), total('sleep'), total('menstrual_cycle')];
  const perUser = [...active.byUser.values()];
  return {
    total_users: { count: ids.length },
    active_conn: { count: perUser.reduce((sum, n) => sum + n, 0) },
    data_points: { count: total('dataPoints'), archived: total('archived') },
    event_records: {
      count: workouts + sleep + menstrualCycles,
      workouts,
      sleep,
      menstrual_cycles: menstrualCycles,
    },
    connections_coverage: {
      users_with_active: perUser.length,
      users_with_multi_active: perUser.filter((n) => n > 1).length,
      top_providers: [...active.byProvider]
        .map(([provider, count]) => ({ provider, count }))
        .sort((a, b) => b.count - a.count || a.provider.localeCompare(b.provider))
        .slice(0, TOP_PROVIDERS),
    },
  };
}

const cache = cachedFigure<DashboardStats>(CACHE_MS);

/** The statistics, computed at most once per `CACHE_MS` in this process (every developer sees the same). */
export const dashboardStats = (providers: readonly string[], now = Date.now()): Promise<DashboardStats> =>
  cache.get(now, () => computeStats(providers));

/** Tests: the next call recomputes. */
export const forgetDashboardStats = () => cache.forget();
