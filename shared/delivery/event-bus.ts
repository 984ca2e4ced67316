import { randomBytes } from 'node:crypto';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import * as z from 'zod/mini';
import { env } from '#shared/config/env.js';
import { wantsEventType } from '#shared/delivery/catalogue.js';
import { sandboxObjectsEnvSchema } from '#shared/delivery/env.js';
import { eventFanoutEnvSchema } from '#shared/delivery/fanout-env.js';
import { liveUserEvents } from '#shared/delivery/live-users.js';
import type { DomainEvent } from '#shared/delivery/types.js';
import { logger } from '#shared/observability.js';
import { objectStore } from '#shared/store/objects.js';
import { traceClient } from '#tracer';

/** The `source` of every event this system puts on its bus (rules match on it). */
export const BUS_SOURCE = 'open-wearables';
/** PutEvents takes at most 10 entries, and at most 256 KB of entries, per request. */
const ENTRIES_PER_PUT = 10;
export const MAX_PUT_BYTES = 256 * 1024;
/** Attempts at entries EventBridge refused (throttling, internal failures) before the call throws. */
const PUT_ATTEMPTS = 4;
const RETRY_BASE_MS = 100;
/** The sandbox's stand-in for the bus: one object of JSON lines per put, in this bucket of the object folder. */
export const RECORDED_BUS_BUCKET = 'event-bus';

const busEnv = z.extend(
  z.pick(eventFanoutEnvSchema, { EVENT_BUS_NAME: true, EVENT_BUS_EVENT_TYPES: true }),
  sandboxObjectsEnvSchema.shape,
);

/** The part of the EventBridge client putOnBus uses (tests inject a stub). */
export interface EventBridgeLike {
  send(command: PutEventsCommand): Promise<Pick<PutEventsCommandOutput, 'FailedEntryCount' | 'Entries'>>;
}

/** EventBridge's size of an entry: `Time` counts 14 bytes, the strings their UTF-8 bytes. */
export const entrySize = (entry: PutEventsRequestEntry) =>
  (entry.Time ? 14 : 0) +
  Buffer.byteLength(entry.Source ?? '') +
  Buffer.byteLength(entry.DetailType ?? '') +
  Buffer.byteLength(entry.Detail ?? '');

export const busEntry = (event: DomainEvent, busName: string): PutEventsRequestEntry => ({
  EventBusName: busName,
  Source: BUS_SOURCE,
  DetailType: event.type,
  Time: new Date(event.timestamp),
  Detail: JSON.stringify({
    id: event.id,
    type: event.type,
    user_id: event.userId,
    timestamp: event.timestamp,
    data: event.data,
  }),
});

/** Requests of at most 10 entries and 256 KB each, in order. */
export function putBatches(entries: PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let batch: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (batch.length === ENTRIES_PER_PUT || (batch.length > 0 && bytes + size > MAX_PUT_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

let client: EventBridgeLike | undefined;
const eventBridge = (): EventBridgeLike => {
  client ??= traceClient(new EventBridgeClient({}));
  return client;
};

/**
 * Puts every event (of a live user, or of none; of the types `EVENT_BUS_EVENT_TYPES` lists, when it is set) on the
 * bus `EVENT_BUS_NAME` as `source: open-wearables`, `detail-type: <event type>`, `detail: {id, type, user_id,
 * timestamp, data}`; nothing without the variable. An entry over 256 KB cannot be put and is dropped with an error
 * in the log (emit.ts keeps events far below). Entries EventBridge refuses are retried a few times, then the call
 * throws and the fan-out job is redelivered: at least once, so rules and targets dedupe on `detail.id`. In the
 * sandbox (`OBJECTS_DIR` set) the entries are recorded in the object folder instead (`readRecordedBusEntries`).
 */
export async function putOnBus(events: DomainEvent[], bus?: EventBridgeLike): Promise<void> {
  const { EVENT_BUS_NAME: busName, EVENT_BUS_EVENT_TYPES: types, OBJECTS_DIR: recordLocally } = env(busEnv);
  const wanted = events.filter((event) => wantsEventType(types, event.type));
  if (!busName || wanted.length === 0) return;
  const entries = (await liveUserEvents(wanted))
    .map((event) => busEntry(event, busName))
    .filter((entry) => {
      if (entrySize(entry) <= MAX_PUT_BYTES) return true;
      logger.error('event too large for EventBridge, not put on the bus', {
        detailType: entry.DetailType,
        bytes: entrySize(entry),
      });
      return false;
    });
  for (const batch of putBatches(entries)) {
    if (recordLocally) await record(batch);
    else await put(bus ?? eventBridge(), batch);
  }
}

async function put(bus: EventBridgeLike, batch: PutEventsRequestEntry[]): Promise<void> {
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    const out = await bus.send(new PutEventsCommand({ Entries: pending }));
    if (!out.FailedEntryCount) return;
    const failed = pending.filter((_, index) => out.Entries?.[index]?.ErrorCode);
    const codes = [...new Set(out.Entries?.flatMap((entry) => entry.ErrorCode ?? []))];
    if (attempt === PUT_ATTEMPTS) {
      throw new Error(
        `EventBridge refused ${failed.length} entries ${PUT_ATTEMPTS} times (${codes.join(', ')})`,
      );
    }
    logger.warn('EventBridge refused entries, retrying them', { failed: failed.length, codes });
    pending = failed;
    await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** (attempt - 1)));
  }
}

let recorded = 0;

/** Object names sort in put order: time, then a per-process counter, then a random tail against other processes. */
async function record(batch: PutEventsRequestEntry[]): Promise<void> {
  const name = `${new Date().toISOString()}-${String(recorded++).padStart(9, '0')}-${randomBytes(4).toString('hex')}`;
  const lines = batch.map((entry) => JSON.stringify({ ...entry, Time: entry.Time?.toISOString() }));
  await objectStore().put(RECORDED_BUS_BUCKET, `puts/${name}.jsonl`, Buffer.from(`${lines.join('\n')}\n`));
}

/** A put entry as the sandbox recorded it (`Time` as ISO text). */
export type RecordedBusEntry = Omit<PutEventsRequestEntry, 'Time'> & { Time?: string };

/** Every entry the sandbox put on its bus, in put order (tests read the bus back with this). */
export async function readRecordedBusEntries(): Promise<RecordedBusEntry[]> {
  const store = objectStore();
  const entries: RecordedBusEntry[] = [];
  for await (const keys of store.list(RECORDED_BUS_BUCKET, 'puts/')) {
    for (const key of keys) {
      const body = await store.get(RECORDED_BUS_BUCKET, key);
      for (const line of body?.toString('utf8').split('\n') ?? []) {
        if (line) entries.push(JSON.parse(line) as RecordedBusEntry);
      }
    }
  }
  return entries;
}
