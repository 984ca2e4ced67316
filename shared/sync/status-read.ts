import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { batchGet, db, keyId, queryAll } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { profileState } from '#shared/store/users.js';
import {
  EVENT_PREFIX,
  MAX_EVENTS_PER_USER,
  RUN_PREFIX,
  RUN_SETS,
  RUN_SHARDS,
  type RunSet,
  runIndexBucket,
  runIndexKey,
  SUMMARY_FIELDS,
  type SyncRunSummary,
  type SyncStatusEvent,
} from '#shared/sync/status.js';

/**
 * Reads of the sync status (see status.ts for the layout). A user who is not live has no readable status: the
 * per-user routes answer 404 first, and the cross-user listing leaves such a user's runs out (a status written
 * while its user was being erased stays until its writer or erasure's second pass deletes it).
 */

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
 * matching runs of live users and has finished that minute (runs of one minute are ordered by run id in the index,
 * not by time), and the shards are merged. With `user_id` the user's partition is read instead.
 */
export async function syncRuns(
  limit: number,
  filters: RunFilters = {},
  now = Date.now(),
): Promise<SyncRunSummary[]> {
  if (filters.user_id !== undefined) {
    return (await profileState(filters.user_id)) === 'live'
      ? userSyncRuns(filters.user_id, limit, filters, now)
      : [];
  }
  const nowSeconds = Math.floor(now / 1000);
  const { doc, table } = db();
  const live = liveUsers();
  const shard = (index: number, pageSize: number, minute?: string) =>
    paginateQuery(
      { client: doc, pageSize },
      {
        TableName: table,
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: `${TABLE_KEYS.gsi1.partitionKey} = :pk${minute ? ` AND begins_with(${TABLE_KEYS.gsi1.sortKey}, :minute)` : ''}`,
        ExpressionAttributeValues: { ':pk': runIndexKey(index), ...(minute && { ':minute': minute }) },
        ScanIndexForward: false,
      },
    );
  /** The matching summaries of live users of one page, in its order. */
  const take = async (items: Record<string, unknown>[] = []) => {
    const summaries = items
      .filter((item) => notExpired(item, nowSeconds))
      .map(toSummary)
      .filter((summary) => matches(summary, filters));
    const liveIds = await live(summaries.map((summary) => summary.user_id));
    return summaries.filter((summary) => liveIds.has(summary.user_id));
  };
  const shards = await Promise.all(
    Array.from({ length: RUN_SHARDS }, async (_, index) => {
      const found = new Map<string, SyncRunSummary>();
      let lastMinute: string | undefined;
      pages: for await (const page of shard(index, Math.min(limit, 1000))) {
        for (const summary of await take(page.Items)) {
          found.set(summary.run_id, summary);
          if (found.size >= limit) {
            lastMinute = runIndexBucket(summary.last_update);
            break pages;
          }
        }
      }
      // The runs of that minute are ordered by run id, not time: all of them, in pages as large as allowed.
      if (lastMinute !== undefined) {
        for await (const page of shard(index, 1000, lastMinute)) {
          for (const summary of await take(page.Items)) found.set(summary.run_id, summary);
        }
      }
      return [...found.values()];
    }),
  );
  return shards.flat().sort(newestFirst).slice(0, limit);
}

/** Which of the given users are live (a profile without `deleted_at`); each profile is read once per listing. */
function liveUsers() {
  const known = new Map<string, Promise<boolean>>();
  return async (userIds: string[]): Promise<Set<string>> => {
    const unread = [...new Set(userIds)].filter((id) => !known.has(id));
    if (unread.length > 0) {
      const read = batchGet(unread.map((id) => keys.user(id)));
      for (const id of unread) {
        known.set(
          id,
          read.then(({ items }) => {
            const profile = items.get(keyId(keys.user(id)));
            return profile !== undefined && profile.deleted_at === undefined;
          }),
        );
      }
    }
    const states = await Promise.all(userIds.map(async (id) => [id, await known.get(id)] as const));
    return new Set(states.filter(([, isLive]) => isLive).map(([id]) => id));
  };
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
