import { GetCommand, paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { apiDateTime } from '#shared/model/time.js';
import type { PullResult, SyncUnit } from '#shared/providers/types.js';
import { db } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_KEYS } from '#shared/store/table.js';
import { writeForUser } from '#shared/store/user-guard.js';
import { SYNC_SOURCES, SYNC_STATUSES, type SyncSource, type SyncStatus } from '#shared/sync/status.js';

/**
 * Stored sync runs (the newest reference's `/sync/history`): unlike the status events (status.ts, 24 h), a run's
 * record stays until its user is erased. One item per run in the user's partition, `SK=SYNCHIST#<started_at>#<run>`
 * (listed newest first, `since` a key range), found by its run key through GSI1 `SYNCHIST#<run>`. The sync worker
 * writes it at each status event of a historical or manual run (live and catch-up runs are the 24-hour status
 * only, as the reference keeps only historical runs by default), with the run's counts by data type: the series
 * types, event and score categories its units saved.
 */

export const HISTORY_PREFIX = 'SYNCHIST#';
export const SYNC_SCOPES = ['historical', 'live'] as const;
export type SyncScope = (typeof SYNC_SCOPES)[number];
const DATA_TYPE_KINDS = ['series', 'event', 'score'] as const;

/** What a run saved of one data type so far; carried by the run's jobs (enqueue.ts `syncTotals`). */
export const dataTypeTally = z.object({
  kind: z.enum(DATA_TYPE_KINDS),
  /** Items the provider's answers held (samples, events, scores), before storage dropped impossible values. */
  records: z.number().check(z.int(), z.gte(0)),
  /** Units that returned the type. */
  units: z.number().check(z.int(), z.gte(0)),
  start: z.number().check(z.int()),
  end: z.number().check(z.int()),
});
export type DataTypeTally = z.infer<typeof dataTypeTally>;

/** Adds what one unit saved to the run's tallies. */
export function tallyResult(
  tallies: Record<string, DataTypeTally>,
  result: PullResult,
  unit: SyncUnit,
): void {
  const add = (type: string, kind: DataTypeTally['kind'], count: number) => {
    if (count === 0) return;
    const tally = tallies[type];
    if (!tally) {
      tallies[type] = { kind, records: count, units: 1, start: unit.start, end: unit.end };
      return;
    }
    tally.records += count;
    tally.units++;
    tally.start = Math.min(tally.start, unit.start);
    tally.end = Math.max(tally.end, unit.end);
  };
  const counts = new Map<string, { kind: DataTypeTally['kind']; count: number }>();
  const count = (type: string, kind: DataTypeTally['kind'], n: number) => {
    const entry = counts.get(type) ?? { kind, count: 0 };
    entry.count += n;
    counts.set(type, entry);
  };
  for (const series of result.series) count(series.series, 'series', series.samples.length);
  for (const event of result.events) count(event.category, 'event', 1);
  for (const score of result.scores) count(`${score.category}_score`, 'score', 1);
  for (const [type, { kind, count: n }] of counts) add(type, kind, n);
}

export interface RunHistoryInput {
  run_key: string;
  user_id: string;
  provider: string;
  source: SyncSource;
  scope: SyncScope;
  status: SyncStatus;
  requested_start: number;
  requested_end: number;
  started_at: string;
  ended_at: string | null;
  items_inserted: number;
  error: string | null;
  data_types: Record<string, DataTypeTally>;
}

/** Writes the run's record as it stands (guarded by the user: nothing is written for an erased one). */
export async function recordRunHistory(run: RunHistoryInput, now = Date.now()): Promise<void> {
  const { table } = db();
  const fields: Record<string, unknown> = {
    run_key: run.run_key,
    user_id: run.user_id,
    provider: run.provider,
    source: run.source,
    scope: run.scope,
    status: run.status,
    requested_start: new Date(run.requested_start).toISOString(),
    requested_end: new Date(run.requested_end).toISOString(),
    started_at: run.started_at,
    ended_at: run.ended_at,
    items_inserted: run.items_inserted,
    error: run.error,
    data_types: run.data_types,
    updated_at: new Date(now).toISOString(),
    [TABLE_KEYS.gsi1.partitionKey]: `${HISTORY_PREFIX}${run.run_key}`,
    [TABLE_KEYS.gsi1.sortKey]: 'RUN',
  };
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(fields).map(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:v${i}`] = value;
    return `#f${i} = :v${i}`;
  });
  await writeForUser(run.user_id, [
    {
      Update: {
        TableName: table,
        Key: {
          PK: keys.userPartition(run.user_id),
          SK: `${HISTORY_PREFIX}${run.started_at}#${run.run_key}`,
        },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ]);
}

/** `SyncRunRecord` of the reference (trace ids and update counts are not kept: 0 and null). */
export const syncRunRecord = z
  .object({
    run_key: z.string(),
    user_id: z.uuid(),
    provider: z.string(),
    source: z.enum(SYNC_SOURCES),
    scope: z.enum(SYNC_SCOPES),
    status: z.enum(SYNC_STATUSES),
    trace_id: z.nullable(z.string()),
    requested_start: z.nullable(z.iso.datetime()),
    requested_end: z.nullable(z.iso.datetime()),
    started_at: z.iso.datetime(),
    ended_at: z.nullable(z.iso.datetime()),
    items_inserted: z
      .number()
      .check(z.int(), z.describe('Items saved (samples, events, scores; saves are upserts)')),
    items_updated: z.number().check(z.int()),
    error: z.nullable(z.string()),
  })
  .check(z.meta({ id: 'SyncRunRecord' }));
export type SyncRunRecord = z.infer<typeof syncRunRecord>;

export const syncRunDataType = z
  .object({
    data_type: z
      .string()
      .check(z.describe('Series type, event category (`workout`, `sleep`) or `<category>_score`')),
    kind: z.enum(DATA_TYPE_KINDS),
    status: z.enum(SYNC_STATUSES),
    native_type: z.nullable(z.string()),
    reported_records: z.nullable(z.number().check(z.int())),
    items_inserted: z.number().check(z.int()),
    items_updated: z.number().check(z.int()),
    covered_start: z.nullable(z.iso.datetime()),
    covered_end: z.nullable(z.iso.datetime()),
    error_code: z.nullable(z.string()),
    error: z.nullable(z.string()),
    attempt: z.number().check(z.int()),
  })
  .check(z.meta({ id: 'SyncRunDataType' }));

// Not `z.extend(syncRunRecord, ...)`: that keeps the record's meta check, so the detail would be documented as a
// reference to `SyncRunRecord`.
export const syncRunDetail = z
  .object({ ...syncRunRecord.shape, data_types: z.array(syncRunDataType) })
  .check(z.meta({ id: 'SyncRunDetail' }));
export type SyncRunDetail = z.infer<typeof syncRunDetail>;

const iso = (value: unknown) => (typeof value === 'string' ? apiDateTime(value) : null);

function toRecord(item: Record<string, unknown>): SyncRunRecord {
  return {
    run_key: item.run_key as string,
    user_id: item.user_id as string,
    provider: item.provider as string,
    source: item.source as SyncSource,
    scope: item.scope as SyncScope,
    status: item.status as SyncStatus,
    trace_id: null,
    requested_start: iso(item.requested_start),
    requested_end: iso(item.requested_end),
    started_at: iso(item.started_at) as string,
    ended_at: iso(item.ended_at),
    items_inserted: (item.items_inserted as number | undefined) ?? 0,
    items_updated: 0,
    error: (item.error as string | null | undefined) ?? null,
  };
}

function toDetail(item: Record<string, unknown>): SyncRunDetail {
  const record = toRecord(item);
  // A type's items are saved when its unit is done: they are the run's outcome once it ends.
  const status: SyncStatus = record.status === 'in_progress' ? 'in_progress' : 'success';
  const tallies = (item.data_types ?? {}) as Record<string, DataTypeTally>;
  return {
    ...record,
    data_types: Object.entries(tallies)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, tally]) => ({
        data_type: type,
        kind: tally.kind,
        status,
        native_type: null,
        reported_records: tally.records,
        items_inserted: tally.records,
        items_updated: 0,
        covered_start: apiDateTime(new Date(tally.start)),
        covered_end: apiDateTime(new Date(tally.end)),
        error_code: null,
        error: null,
        attempt: tally.units,
      })),
  };
}

/** The user's stored runs, newest start first, started at or after `since` (epoch ms), of one scope if given. */
export async function userRunHistory(
  userId: string,
  options: { limit: number; scope?: SyncScope; since?: number },
): Promise<SyncRunRecord[]> {
  const { doc, table } = db();
  const from = options.since === undefined ? '' : new Date(options.since).toISOString();
  const runs: SyncRunRecord[] = [];
  const pages = paginateQuery(
    { client: doc, pageSize: Math.min(options.limit, 200) },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ...(options.scope
        ? { FilterExpression: '#scope = :scope', ExpressionAttributeNames: { '#scope': 'scope' } }
        : {}),
      ExpressionAttributeValues: {
        ':pk': keys.userPartition(userId),
        ':from': `${HISTORY_PREFIX}${from}`,
        ':to': `${HISTORY_PREFIX}~`,
        ...(options.scope ? { ':scope': options.scope } : {}),
      },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      runs.push(toRecord(item));
      if (runs.length >= options.limit) return runs;
    }
  }
  return runs;
}

/** One stored run with its data types; undefined when there is none. */
export async function runHistory(runKey: string): Promise<SyncRunDetail | undefined> {
  const { doc, table } = db();
  const found = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: TABLE_KEYS.gsi1.indexName,
      KeyConditionExpression: `${TABLE_KEYS.gsi1.partitionKey} = :pk`,
      ExpressionAttributeValues: { ':pk': `${HISTORY_PREFIX}${runKey}` },
      Limit: 1,
    }),
  );
  const key = found.Items?.[0];
  if (!key) return undefined;
  // The index is eventually consistent: the item itself is read from the table.
  const out = await doc.send(new GetCommand({ TableName: table, Key: { PK: key.PK, SK: key.SK } }));
  return out.Item ? toDetail(out.Item) : undefined;
}
