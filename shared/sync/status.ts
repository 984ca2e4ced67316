import { createHash, randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { emitCommitted } from '#shared/delivery/emit.js';
import { syncEvents } from '#shared/delivery/payloads.js';
import { db, deleteKeys, isConditionFailure, type Key } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { UserGone } from '#shared/store/user-guard.js';
import { profileState } from '#shared/store/users.js';

/**
 * Sync status (contract 4.12): what the reference keeps in Redis, here in the user's partition of the table.
 *
 * - One item per event: `PK=USER#<id>`, `SK=SYNCEVT#<timestamp ISO>#<event id>`, expiring after 24 h (TTL).
 *   The contract's "max 200 per user" is enforced on read (no endpoint returns more than 200) rather than by
 *   trimming on every write; TTL bounds what is stored. TTL deletion lags, so reads also skip expired items.
 * - One summary item per run: `PK=USER#<id>`, `SK=SYNCRUN#<run id>`, overwritten by each newer event of the run
 *   (conditional on `last_update`, so a late older event never wins), same 24 h expiry, refreshed by each event.
 *   For the cross-user `/sync/runs` it is indexed on GSI1 under `SYNCRUNS#<shard>` (16 shards by run id, sort key
 *   `<last_update to the minute>#<run id>`), so no single index partition takes every run's updates, and the
 *   events of a run within a minute leave its index key alone (a changed key is two index writes).
 *
 * Everything lives in the user partition, so erasing a user erases their sync history.
 */

/** The reference's sources, plus `watchdog`: a catch-up poll of a push connection that went silent. */
export const SYNC_SOURCES = [
  'pull',
  'webhook',
  'sdk',
  'backfill',
  'xml_import',
  'linked_account',
  'watchdog',
] as const;
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
  message: z.nullable(z.string()),
  progress: z.nullable(z.number().check(z.gte(0), z.lte(1))),
  items_processed: z.nullable(z.number().check(z.int())),
  items_total: z.nullable(z.number().check(z.int())),
  error: z.nullable(z.string()),
  primary_user_id: z.nullable(z.uuid()),
  metadata: z.record(z.string(), z.unknown()),
  started_at: z.nullable(z.iso.datetime()),
  ended_at: z.nullable(z.iso.datetime()),
  timestamp: z.iso.datetime(),
});
export type SyncStatusEvent = z.infer<typeof syncStatusEvent>;

/** `SyncRunSummary`: the latest state of a run, i.e. its latest event without the event's identity and details. */
const runFields = z.omit(syncStatusEvent, { event_id: true, metadata: true, timestamp: true });
export const syncRunSummary = z.extend(runFields, { last_update: z.iso.datetime() });
export type SyncRunSummary = z.infer<typeof syncRunSummary>;

export type SyncEventInput = Pick<
  SyncStatusEvent,
  'run_id' | 'user_id' | 'provider' | 'source' | 'stage' | 'status'
> &
  Partial<
    Omit<SyncStatusEvent, 'event_id' | 'run_id' | 'user_id' | 'provider' | 'source' | 'stage' | 'status'>
  > & {
    /**
     * For runs made of several requests (an SDK session's batches): `items_processed` is added to the run's
     * count instead of replacing it, and the named sets gain these members (see `runProgress`).
     */
    accumulate?: { sets?: Partial<Record<RunSet, string[]>> };
  };

/** Sets a run may collect across its events: the data types an SDK session announced, finished and failed. */
export const RUN_SETS = ['expected_types', 'done_types', 'failed_types'] as const;
export type RunSet = (typeof RUN_SETS)[number];

export const SYNC_STATUS_TTL_MS = 24 * 3_600_000;
/** The most events any endpoint returns for one user (contract: "kept 24 h, max 200 per user"). */
export const MAX_EVENTS_PER_USER = 200;
export const RUN_SHARDS = 16;

export const EVENT_PREFIX = 'SYNCEVT#';
export const RUN_PREFIX = 'SYNCRUN#';
const runShard = (runId: string) => createHash('sha256').update(runId).digest()[0]! % RUN_SHARDS;
export const runIndexKey = (shard: number) => `SYNCRUNS#${shard}`;
/** A run's place in its index shard: the minute of its last update (`runIndexSortKey`). */
export const runIndexBucket = (lastUpdate: string) => lastUpdate.slice(0, 16);
const runIndexSortKey = (lastUpdate: string, runId: string) => `${runIndexBucket(lastUpdate)}#${runId}`;

export const SUMMARY_FIELDS = [
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
 * Records one status event and folds it into its run's summary, then emits its `sync.*` event if it has one
 * (stages started, completed, failed). Returns the stored event.
 *
 * Two plain writes, not a transaction guarded by the user: a transaction bills each item twice, the guard too (6
 * write units, where the two writes cost 2 plus 1 for the run's index entry). No status of a deleted user stays
 * readable or stored all the same: the user is confirmed live after the writes (one read unit); a writer that
 * finds its user gone deletes what it wrote and throws UserGone, and one that dies before that is a writer in
 * flight, whose writes erasure's second pass removes. Until then every read of the sync status hides a user who
 * is not live (status-read.ts, and the per-user routes answer 404).
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
  const { doc, table } = db();
  const eventKey = {
    PK: keys.userPartition(event.user_id),
    SK: `${EVENT_PREFIX}${timestamp}#${event.event_id}`,
  };
  const summaryKey = { PK: keys.userPartition(event.user_id), SK: `${RUN_PREFIX}${event.run_id}` };
  const writes = await Promise.allSettled([
    doc.send(new PutCommand({ TableName: table, Item: { ...eventKey, ...event, ttl } })),
    foldIntoRun(input, event, summaryKey, ttl),
  ]);
  // Checked even when a write failed: the other may have landed, and a deleted user's must not stay.
  if ((await profileState(event.user_id)) !== 'live') {
    await deleteKeys([eventKey, summaryKey]);
    throw new UserGone(event.user_id);
  }
  const failed = writes.find((write) => write.status === 'rejected');
  if (failed) throw failed.reason;
  // The status row is committed: a retry would record another row (new event id, its counts added again)
  // rather than emit this one, so a failed emission is logged with its ids, never thrown.
  await emitCommitted(syncEvents(event));
  return event;
}

/**
 * Folds an event into its run's summary, unless a newer event already is: then only what it accumulates is added.
 * Each fold marks the summary with its event id (`last_event`, `late_event`), so the AWS SDK retrying an update whose
 * answer was lost does not add its counts twice, unless another event of the run folded in between (then it may:
 * the transaction's request token used to cover that too). A batch the mobile SDK sends again is a new event.
 */
async function foldIntoRun(input: SyncEventInput, event: SyncStatusEvent, key: Key, ttl: number) {
  const { doc, table } = db();
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':event': event.event_id };
  const accumulating = input.accumulate !== undefined;
  // An accumulating run adds to its item count and keeps its total when an event does not know it.
  const kept = (field: (typeof SUMMARY_FIELDS)[number]) =>
    accumulating && (field === 'items_processed' || (field === 'items_total' && event.items_total === null));
  const sets = SUMMARY_FIELDS.filter((field) => !kept(field)).map((field) => {
    names[`#${field}`] = field;
    values[`:${field}`] = event[field];
    return `#${field} = :${field}`;
  });
  const adds = accumulation(input, names, values);
  const { gsi1, ttlAttribute } = TABLE_KEYS;
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}, last_update = :last, last_event = :event, started_at = if_not_exists(started_at, :started), ${gsi1.partitionKey} = :gsipk, ${gsi1.sortKey} = :gsisk, #ttl = :ttl${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}`,
        ConditionExpression:
          'attribute_not_exists(last_update) OR (last_update <= :last AND (attribute_not_exists(last_event) OR last_event <> :event))',
        ExpressionAttributeNames: { ...names, '#ttl': ttlAttribute },
        ExpressionAttributeValues: {
          ...values,
          ':last': event.timestamp,
          ':started': event.started_at ?? event.timestamp,
          ':gsipk': runIndexKey(runShard(event.run_id)),
          ':gsisk': runIndexSortKey(event.timestamp, event.run_id),
          ':ttl': ttl,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // A newer event is folded in (or this one is, by a retried request): the summary keeps its state.
    if (adds.length === 0 || markedBy(error, 'last_event', event.event_id)) return;
  }
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET late_event = :event ADD ${adds.join(', ')}`,
        ConditionExpression:
          'attribute_exists(PK) AND (attribute_not_exists(late_event) OR late_event <> :event)',
        ExpressionAttributeNames: pick(names, adds),
        ExpressionAttributeValues: { ...pick(values, adds), ':event': event.event_id },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!markedBy(error, 'late_event', event.event_id)) throw error;
  }
}

/** The update failed its condition because this event's own fold already went through (a retried request). */
function markedBy(error: unknown, attribute: 'last_event' | 'late_event', eventId: string): boolean {
  const item = (error as { Item?: Record<string, { S?: string } | undefined> }).Item;
  return isConditionFailure(error) && item?.[attribute]?.S === eventId;
}

/** The ADD clauses of an accumulating event; fills in the names and values they use. */
function accumulation(input: SyncEventInput, names: Record<string, string>, values: Record<string, unknown>) {
  if (!input.accumulate) return [];
  const adds: string[] = [];
  if (input.items_processed) {
    names['#items_processed'] = 'items_processed';
    values[':items_processed'] = input.items_processed;
    adds.push('#items_processed :items_processed');
  }
  for (const name of RUN_SETS) {
    const members = input.accumulate.sets?.[name] ?? [];
    if (members.length === 0) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = new Set(members);
    adds.push(`#${name} :${name}`);
  }
  return adds;
}

/** The entries of `from` that the clauses mention. */
const pick = <T>(from: Record<string, T>, clauses: string[]) =>
  Object.fromEntries(Object.entries(from).filter(([key]) => clauses.some((c) => c.split(' ').includes(key))));
