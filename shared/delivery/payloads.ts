import { contentDigest, pyIso, sourceOf } from '#shared/delivery/payloads-common.js';
import { activityEvents, seriesEvents } from '#shared/delivery/payloads-series.js';
import { type DomainEvent, eventIdOf } from '#shared/delivery/types.js';
import type { SeriesSamples } from '#shared/model/health-data.js';
import { isoAt } from '#shared/model/time.js';
import type { Connection } from '#shared/store/connections.js';
import type { StoredEvent } from '#shared/store/events.js';

/**
 * Builders of the domain events of every write (contract 8.1 `data` shapes). Pure: the write paths call them
 * with what they made durable and hand the result to `emitEvents` (emit.ts).
 */

type Of<C extends StoredEvent['category']> = Extract<StoredEvent, { category: C }>;

const nullIfZero = (value: number | null | undefined) => (value ? value : null);
const int = (value: number | null | undefined) =>
  value === null || value === undefined ? null : Math.round(value);

const durationOf = (e: StoredEvent) => e.durationSeconds ?? Math.round((e.end - e.start) / 1000);

function workoutData(w: Of<'workout'>) {
  const d = w.details;
  return {
    id: w.id,
    user_id: w.userId,
    type: w.type ?? 'unknown',
    start_time: pyIso(w.start),
    end_time: pyIso(w.end),
    zone_offset: w.zoneOffset,
    duration_seconds: durationOf(w),
    source: sourceOf(w.source),
    calories_kcal: nullIfZero(d.energy_burned),
    distance_meters: nullIfZero(d.distance),
    avg_heart_rate_bpm: int(d.heart_rate_avg),
    max_heart_rate_bpm: int(d.heart_rate_max),
    avg_pace_sec_per_km: d.average_speed ? Math.round(1000 / d.average_speed) : null,
    elevation_gain_meters: nullIfZero(d.total_elevation_gain),
  };
}

function sleepData(s: Of<'sleep'>) {
  const d = s.details;
  const minutes = [d.sleep_awake_minutes, d.sleep_light_minutes, d.sleep_deep_minutes, d.sleep_rem_minutes];
  return {
    id: s.id,
    user_id: s.userId,
    start_time: pyIso(s.start),
    end_time: pyIso(s.end),
    zone_offset: s.zoneOffset,
    duration_seconds: durationOf(s),
    source: sourceOf(s.source),
    efficiency_percent: nullIfZero(d.sleep_efficiency_score),
    stages: minutes.every((m) => m === null)
      ? null
      : {
          awake_minutes: d.sleep_awake_minutes ?? 0,
          light_minutes: d.sleep_light_minutes ?? 0,
          deep_minutes: d.sleep_deep_minutes ?? 0,
          rem_minutes: d.sleep_rem_minutes ?? 0,
        },
    is_nap: d.is_nap,
  };
}

function menstrualData(m: Of<'menstrual_cycle'>) {
  const d = m.details;
  return {
    id: m.id,
    user_id: m.userId,
    start_time: pyIso(m.start),
    end_time: pyIso(m.end),
    zone_offset: m.zoneOffset,
    source: sourceOf(m.source),
    current_phase_type: d.current_phase_type ?? null,
    day_in_cycle: d.day_in_cycle ?? null,
    cycle_length: d.cycle_length ?? null,
    is_predicted_cycle: d.is_predicted_cycle ?? null,
    pregnancy_snapshot: d.pregnancy_snapshot ?? null,
  };
}

/**
 * `workout.created`, `sleep.created`, `menstrual_cycle.created` of stored records: id `<type>.<record id>`. A
 * sleep night keeps its record id when re-assembled with more stages over the same span (or revised by its
 * provider), so its id also carries a digest of the payload: an unchanged night re-emits the same id, a merged
 * or revised one a new id, which is delivered.
 */
export function recordEvents(records: readonly StoredEvent[], at = Date.now()): DomainEvent[] {
  const timestamp = isoAt(at);
  return records.map((record) => {
    const type = `${record.category}.created`;
    const data =
      record.category === 'workout'
        ? workoutData(record)
        : record.category === 'sleep'
          ? sleepData(record)
          : menstrualData(record);
    const id =
      record.category === 'sleep'
        ? eventIdOf(type, record.id, contentDigest(data))
        : eventIdOf(type, record.id);
    return { id, type, userId: record.userId, timestamp, data };
  });
}

/** Everything one ingestion batch made durable: its samples (series and activity events) and its records. */
export const ingestedEvents = (
  userId: string,
  series: readonly SeriesSamples[],
  records: readonly StoredEvent[],
  at = Date.now(),
): DomainEvent[] => [
  ...seriesEvents(userId, series, at),
  ...activityEvents(userId, series, at),
  ...recordEvents(records, at),
];

type ConnectionFacts = Pick<Connection, 'id' | 'user_id' | 'provider' | 'token_version'>;

/**
 * A connection became active (OAuth callback, first SDK push, reconnect). Ids carry the connection's token
 * version, which every activation and token change bumps: each activation, and each revocation ending one, has
 * its own id.
 */
export function connectionCreated(connection: ConnectionFacts, at = Date.now()): DomainEvent[] {
  return connectionEvent('connection.created', connection, at, { connected_at: pyIso(at) });
}

export const REVOCATION_REASONS = [
  'user_disconnected',
  'deregistration',
  'refresh_failed',
  'api_gone',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** An active connection stopped being usable (`connection` as it was while active). */
export function connectionRevoked(
  connection: ConnectionFacts,
  reason: RevocationReason,
  at = Date.now(),
): DomainEvent[] {
  return connectionEvent('connection.revoked', connection, at, { reason, revoked_at: pyIso(at) });
}

/** A connection event: its id from the connection and its token version; `data` after the reference fields. */
function connectionEvent(
  type: 'connection.created' | 'connection.revoked',
  connection: ConnectionFacts,
  at: number,
  data: Record<string, string>,
): DomainEvent[] {
  return [
    {
      id: eventIdOf(type, connection.id, connection.token_version),
      type,
      userId: connection.user_id,
      timestamp: isoAt(at),
      data: {
        user_id: connection.user_id,
        provider: connection.provider,
        connection_id: connection.id,
        ...data,
      },
    },
  ];
}

/** What a sync status event (shared/sync/status.ts) says; spelled out here so delivery does not import sync. */
export interface SyncFacts {
  event_id: string;
  run_id: string;
  user_id: string;
  provider: string;
  source: string;
  stage: string;
  status: string;
  message: string | null;
  items_processed: number | null;
  error: string | null;
  metadata: Record<string, unknown>;
  timestamp: string;
}

/**
 * `sync.started|completed|failed` of a status event (other stages emit nothing). One per recorded status event,
 * id `sync.<stage>.<run id>.<status event id>`: a run may record a stage more than once (each batch of an SDK
 * session completes it; a historical session may fail, then complete), and each is delivered.
 */
export function syncEvents(event: SyncFacts): DomainEvent[] {
  const common = {
    user_id: event.user_id,
    provider: event.provider,
    source: event.source,
    run_id: event.run_id,
  };
  const data =
    event.stage === 'started'
      ? { ...common, message: event.message, metadata: event.metadata }
      : event.stage === 'completed'
        ? {
            ...common,
            status: event.status,
            message: event.message,
            items_processed: event.items_processed,
            metadata: event.metadata,
          }
        : event.stage === 'failed'
          ? { ...common, error: event.error ?? 'unknown', message: event.message, metadata: event.metadata }
          : undefined;
  if (!data) return [];
  const type = `sync.${event.stage}`;
  return [
    {
      id: eventIdOf(type, event.run_id, event.event_id),
      type,
      userId: event.user_id,
      timestamp: event.timestamp,
      data,
    },
  ];
}
