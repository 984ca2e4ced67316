import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { db, queryAll } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import {
  EVENT_PREFIX,
  MAX_EVENTS_PER_USER,
  RUN_PREFIX,
  RUN_SETS,
  RUN_SHARDS,
  type RunSet,
  runIndexKey,
  SUMMARY_FIELDS,
  type SyncRunSummary,
  type SyncStatusEvent,
} from '#shared/sync/status.js';

/** Reads of the sync status (see status.ts for the layout). */

const notExpired = (item: Record<string, unknown>, nowSeconds: number) =>
  typeof item.ttl !== 'number' || item.ttl > nowSeconds;

function toEvent(item: Record<string, unknown>): SyncStatusEvent {
  const { PK, SK, ttl, ...event } = item;
  return event as unknown as SyncStatusEvent;
}

function toSummary(item: Record<string, unknown>): SyncRunSummary {
  const summary = {} as Record<string, unknown>;
  for (const field of [...SUMMARY_FIELDS, 'started_at', 'last_update'] as const) {
    summary[field] = item[field] ?? null;
  }
  return summary as unknown as SyncRunSummary;
}

/** The user's latest events, newest first (at most `limit`, at most 200). */
export async function recentSyncEvents(
  userId: string,
  limit: number,
  now = Date.now(),
): Promise<SyncStatusEvent[]> {
  const wanted = Math.min(limit, MAX_EVENTS_PER_USER);
  const nowSeconds = Math.floor(now / 1000);
  const { doc, table } = db();
  const events: SyncStatusEvent[] = [];
  const pages = paginateQuery(
    { client: doc, pageSize: wanted },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': EVENT_PREFIX },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (notExpired(item, nowSeconds)) events.push(toEvent(item));
      if (events.length >= wanted) return events;
    }
  }
  return events;
}

export interface RunFilters {
  user_id?: string;
  provider?: string;
  status?: string;
  source?: string;
}

const matches = (summary: SyncRunSummary, filters: RunFilters) =>
  (filters.user_id === undefined || summary.user_id === filters.user_id) &&
  (filters.provider === undefined || summary.provider === filters.provider) &&
  (filters.status === undefined || summary.status === filters.status) &&
  (filters.source === undefined || summary.source === filters.source);

const newestFirst = (a: SyncRunSummary, b: SyncRunSummary) =>
  a.last_update === b.last_update
    ? b.run_id.localeCompare(a.run_id)
    : b.last_update.localeCompare(a.last_update);

/**
 * The user's run summaries, newest `last_update` first. A user has at most a day of runs (one live run per
 * provider per sync interval, plus manual ones), so they are read whole and sorted here.
 */
export async function userSyncRuns(
  userId: string,
  limit: number,
  filters: RunFilters = {},
  now = Date.now(),
): Promise<SyncRunSummary[]> {
  const nowSeconds = Math.floor(now / 1000);
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': RUN_PREFIX },
  });
  return items
    .filter((item) => notExpired(item, nowSeconds))
    .map(toSummary)
    .filter((summary) => matches(summary, filters))
    .sort(newestFirst)
    .slice(0, limit);
}

/**
 * Run summaries across users, newest first: each shard of the index is read newest first until it has `limit`
 * matching runs (or none left), and the shards are merged. With `user_id` the user's partition is read instead.
 */
export async function syncRuns(
  limit: number,
  filters: RunFilters = {},
  now = Date.now(),
): Promise<SyncRunSummary[]> {
  if (filters.user_id !== undefined) return userSyncRuns(filters.user_id, limit, filters, now);
  const nowSeconds = Math.floor(now / 1000);
  const { doc, table } = db();
  const shards = await Promise.all(
    Array.from({ length: RUN_SHARDS }, async (_, shard) => {
      const found: SyncRunSummary[] = [];
      const pages = paginateQuery(
        { client: doc, pageSize: Math.min(limit, 1000) },
        {
          TableName: table,
          IndexName: TABLE_KEYS.gsi1.indexName,
          KeyConditionExpression: `${TABLE_KEYS.gsi1.partitionKey} = :pk`,
          ExpressionAttributeValues: { ':pk': runIndexKey(shard) },
          ScanIndexForward: false,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          if (!notExpired(item, nowSeconds)) continue;
          const summary = toSummary(item);
          if (matches(summary, filters)) found.push(summary);
          if (found.length >= limit) return found;
        }
      }
      return found;
    }),
  );
  return shards.flat().sort(newestFirst).slice(0, limit);
}

/** A run's summary with the sets its events accumulated; undefined when there is no such run. */
export async function runProgress(userId: string, runId: string) {
  const { doc, table } = db();
  const out = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { PK: keys.userPartition(userId), SK: `${RUN_PREFIX}${runId}` },
      ConsistentRead: true,
    }),
  );
  if (!out.Item) return undefined;
  const item = out.Item;
  const setOf = (name: RunSet) => new Set((item[name] as Set<string> | undefined) ?? []);
  return {
    summary: toSummary(item),
    sets: Object.fromEntries(RUN_SETS.map((name) => [name, setOf(name)])) as Record<RunSet, Set<string>>,
  };
}
