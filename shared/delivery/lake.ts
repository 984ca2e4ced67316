import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { env } from '#shared/config/env.js';
import { lakeEnvSchema } from '#shared/delivery/env.js';
import { liveUserEvents } from '#shared/delivery/live-users.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import type { ErasureOutcome } from '#shared/store/erase-user.js';
import { objectStore } from '#shared/store/objects.js';

/**
 * The data lake: every event as one JSON line, gzipped, in Hive-style partitions an Athena table (the Glue table of
 * lib/delivery.ts, partition projection) reads directly:
 *
 *   events/user_id=<user id | none>/type=<event type>/date=<YYYY-MM-DD of the event timestamp, UTC>/<name>.jsonl.gz
 *
 * A line is `{"id","type","user_id","timestamp","data"}`, the bus's `detail`; series events stay one line with
 * their samples in `data.samples` (Athena: `UNNEST(CAST(json_extract(data, '$.samples') AS ARRAY(JSON)))`), so a
 * line is always one event and `id` identifies it. The object name is a hash of the ids it holds: a redelivered
 * fan-out job writes the same objects again instead of adding copies (at least once all the same: a re-emitted
 * event in another batch lands in another object, so queries that must not double count dedupe on `id`).
 *
 * The user comes first so that erasure deletes one prefix (`eraseUserLake`).
 */
export const LAKE_PREFIX = 'events/';
/** The partition of events that concern no user. */
export const NO_USER = 'none';
const NAME_HEX = 32;
/** Objects written at once. */
const PUT_CONCURRENCY = 8;

export const lakeUserPrefix = (userId: string) => `${LAKE_PREFIX}user_id=${encodeURIComponent(userId)}/`;

const partitionOf = (event: DomainEvent) =>
  `${lakeUserPrefix(event.userId ?? NO_USER)}type=${encodeURIComponent(event.type)}/date=${new Date(
    event.timestamp,
  )
    .toISOString()
    .slice(0, 10)}/`;

export const lakeLine = (event: DomainEvent) =>
  JSON.stringify({
    id: event.id,
    type: event.type,
    user_id: event.userId,
    timestamp: event.timestamp,
    data: event.data,
  });

export interface LakeObject {
  key: string;
  body: Buffer;
}

/** The objects of a batch: one per partition, lines sorted by id (the same events give the same bytes). */
export function lakeObjects(events: readonly DomainEvent[]): LakeObject[] {
  const partitions = new Map<string, Map<string, DomainEvent>>();
  for (const event of events) {
    const partition = partitionOf(event);
    const byId = partitions.get(partition) ?? new Map<string, DomainEvent>();
    if (!byId.has(event.id)) byId.set(event.id, event);
    partitions.set(partition, byId);
  }
  return [...partitions].map(([partition, byId]) => {
    const ids = [...byId.keys()].sort();
    const name = createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, NAME_HEX);
    const lines = ids.map((id) => `${lakeLine(byId.get(id)!)}\n`).join('');
    return { key: `${partition}${name}.jsonl.gz`, body: gzipSync(lines) };
  });
}

/** Writes the events of live users (and of none) to `LAKE_BUCKET`; nothing without the variable. */
export async function writeToLake(events: DomainEvent[]): Promise<void> {
  const { LAKE_BUCKET: bucket } = env(lakeEnvSchema);
  if (!bucket || events.length === 0) return;
  const objects = lakeObjects(await liveUserEvents(events));
  const store = objectStore();
  for (let at = 0; at < objects.length; at += PUT_CONCURRENCY) {
    await Promise.all(
      objects.slice(at, at + PUT_CONCURRENCY).map(({ key, body }) => store.put(bucket, key, body)),
    );
  }
}

/**
 * Deletes every lake object of the user, a page at a time, stopping between pages once `deadline` passes (erasure
 * calls it again). The fan-out writes nothing for a deleted user (`liveUserEvents`), so once erasure's last pass
 * has run, nothing of the user is left or comes back.
 */
export async function eraseUserLake(
  userId: string,
  deadline = Number.POSITIVE_INFINITY,
): Promise<ErasureOutcome> {
  const { LAKE_BUCKET: bucket } = env(lakeEnvSchema);
  if (!bucket) return 'done';
  const store = objectStore();
  for await (const keys of store.list(bucket, lakeUserPrefix(userId))) {
    if (Date.now() > deadline) return 'partial';
    await store.deleteMany(bucket, keys);
  }
  return 'done';
}
