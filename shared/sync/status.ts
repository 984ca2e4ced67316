import { createHash, randomUUID } from 'node:crypto';
import { paginateQuery } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { db, isConditionFailure, queryAll } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { type TransactItem, writeForUser } from '#shared/store/user-guard.js';

/**
 * Sync status (contract 4.12): what the reference keeps in Redis, here in the user's partition of the table.
 *
 * - One item per event: `PK=USER#<id>`, `SK=SYNCEVT#<timestamp ISO>#<event id>`, expiring after 24 h (TTL).
 *   The contract's "max 200 per user" is enforced on read (no endpoint returns more than 200) rather than by
 *   trimming on every write; TTL bounds what is stored. TTL deletion lags, so reads also skip expired items.
 * - One summary item per run: `PK=USER#<id>`, `SK=SYNCRUN#<run id>`, overwritten by each newer event of the run
 *   (conditional on `last_update`, so a late older event never wins), same 24 h expiry, refreshed by each event.
 *   For the cross-user `/sync/runs` it is indexed on GSI1 under `SYNCRUNS#<shard>` (16 shards by run id, sort key
 *   `<last_update>#<run id>`), so no single index partition takes every run's updates.
 *
 * Everything lives in the user partition, so erasing a user erases their sync history.
 */

export const SYNC_SOURCES = ['pull', 'webhook', 'sdk', 'backfill', 'xml_import', 'linked_account'] as const;
export const SYNC_STAGES = [
  'queued',
  'started',
  'fetching',
  'processing',
  'saving',
  'completed',
  'failed',
  'cancelled',
] as const;
export const SYNC_STATUSES = ['in_progress', 'success', 'partial', 'failed', 'cancelled', 'skipped'] as const;

export type SyncSource = (typeof SYNC_SOURCES)[number];
export type SyncStage = (typeof SYNC_STAGES)[number];
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** `SyncStatusEvent` (contract 4.12); datetimes are ISO-8601 UTC. The API documents it with this schema. */
export const syncStatusEvent = z.object({
  event_id: z.uuid(),
  run_id: z.string(),
  user_id: z.uuid(),
  provider: z.string(),
  source: z.enum(SYNC_SOURCES),
  stage: z.enum(SYNC_STAGES),
  status: z.enum(SYNC_STATUSES),
  message: z.string().nullable(),
  progress: z.number().min(0).max(1).nullable(),
  items_processed: z.number().int().nullable(),
  items_total: z.number().int().nullable(),
  error: z.string().nullable(),
  primary_user_id: z.uuid().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  started_at: z.iso.datetime().nullable(),
  ended_at: z.iso.datetime().nullable(),
  timestamp: z.iso.datetime(),
});
export type SyncStatusEvent = z.infer<typeof syncStatusEvent>;

/** `SyncRunSummary`: the latest state of a run, i.e. its latest event without the event's identity and details. */
export const syncRunSummary = syncStatusEvent
  .omit({ event_id: true, metadata: true, timestamp: true })
  .extend({ last_update: z.iso.datetime() });
export type SyncRunSummary = z.infer<typeof syncRunSummary>;

export type SyncEventInput = Pick<
  SyncStatusEvent,
  'run_id' | 'user_id' | 'provider' | 'source' | 'stage' | 'status'
> &
  Partial<
    Omit<SyncStatusEvent, 'event_id' | 'run_id' | 'user_id' | 'provider' | 'source' | 'stage' | 'status'>
  >;

export const SYNC_STATUS_TTL_MS = 24 * 3_600_000;
/** The most events any endpoint returns for one user (contract: "kept 24 h, max 200 per user"). */
export const MAX_EVENTS_PER_USER = 200;
export const RUN_SHARDS = 16;

const EVENT_PREFIX = 'SYNCEVT#';
const RUN_PREFIX = 'SYNCRUN#';
const runShard = (runId: string) => createHash('sha256').update(runId).digest()[0]! % RUN_SHARDS;
export const runIndexKey = (shard: number) => `SYNCRUNS#${shard}`;

const SUMMARY_FIELDS = [
  'run_id',
  'user_id',
  'provider',
  'source',
  'stage',
  'status',
  'message',
  'progress',
  'items_processed',
  'items_total',
  'error',
  'primary_user_id',
  'ended_at',
] as const;

/**
 * Records one status event and folds it into its run's summary, in one transaction guarded by the user (no
 * status is ever written for a deleted user: UserGone). Returns the stored event.
 */
export async function recordSyncEvent(input: SyncEventInput, now = Date.now()): Promise<SyncStatusEvent> {
  const timestamp = new Date(now).toISOString();
  const event: SyncStatusEvent = {
    event_id: randomUUID(),
    run_id: input.run_id,
    user_id: input.user_id,
    provider: input.provider,
    source: input.source,
    stage: input.stage,
    status: input.status,
    message: input.message ?? null,
    progress: input.progress ?? null,
    items_processed: input.items_processed ?? null,
    items_total: input.items_total ?? null,
    error: input.error ?? null,
    primary_user_id: input.primary_user_id ?? null,
    metadata: input.metadata ?? {},
    started_at: input.started_at ?? null,
    ended_at: input.ended_at ?? null,
    timestamp,
  };
  const ttl = ttlAt(new Date(now + SYNC_STATUS_TTL_MS));
  const { table } = db();
  const put: TransactItem = {
    Put: {
      TableName: table,
      Item: {
        PK: keys.userPartition(event.user_id),
        SK: `${EVENT_PREFIX}${timestamp}#${event.event_id}`,
        ...event,
        ttl,
      },
    },
  };

  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':last': timestamp,
    ':started': event.started_at ?? timestamp,
    ':gsipk': runIndexKey(runShard(event.run_id)),
    ':gsisk': `${timestamp}#${event.run_id}`,
    ':ttl': ttl,
  };
  const sets = SUMMARY_FIELDS.map((field) => {
    names[`#${field}`] = field;
    values[`:${field}`] = event[field];
    return `#${field} = :${field}`;
  });
  const summary: TransactItem = {
    Update: {
      TableName: table,
      Key: { PK: keys.userPartition(event.user_id), SK: `${RUN_PREFIX}${event.run_id}` },
      UpdateExpression: `SET ${sets.join(', ')}, last_update = :last, started_at = if_not_exists(started_at, :started), ${TABLE_KEYS.gsi1.partitionKey} = :gsipk, ${TABLE_KEYS.gsi1.sortKey} = :gsisk, #ttl = :ttl`,
      ConditionExpression: 'attribute_not_exists(last_update) OR last_update <= :last',
      ExpressionAttributeNames: { ...names, '#ttl': TABLE_KEYS.ttlAttribute },
      ExpressionAttributeValues: values,
    },
  };
  try {
    await writeForUser(event.user_id, [put, summary]);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // A newer event of the run is already folded in: the summary stays as it is.
    await writeForUser(event.user_id, [put]);
  }
  return event;
}

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
