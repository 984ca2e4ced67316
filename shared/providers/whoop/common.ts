import { roundTo } from '#shared/model/numbers.js';
import { isObject, type JsonObject } from '#shared/providers/json.js';
import { accountSource } from '#shared/providers/output.js';
import { isoMs, zoneOf } from '#shared/providers/time.js';

/**
 * What the WHOOP mappings share: the source, the energy, instant and record-span readers and the scored-record check.
 * WHOOP sends ISO-8601 instants (`2024-01-15T02:25:44.774Z`) and a separate `timezone_offset` (`-05:00`, or `Z`).
 */

export const WHOOP_SOURCE = accountSource('whoop', 'Whoop');

/** What every WHOOP score shares: the account source, and no qualifier. */
export const WHOOP_SCORE = { source: WHOOP_SOURCE, qualifier: null } as const;

/** The reference's factor (Strava's too), not the 1/4.184 of `kcalOfKilojoules`: stored kcal differ at 3 decimals. */
const KCAL_PER_KJ = 0.239006;

export const kcalOf = (kilojoules: number | null) =>
  kilojoules === null ? null : roundTo(kilojoules * KCAL_PER_KJ, 3);

/** WHOOP's v2 record ids (workouts, sleeps) are UUIDs; cycles keep integer ids. */
export const WHOOP_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** WHOOP's instants carry `Z` or an offset: a naive local time is not one of them. */
export const instantOf = (value: unknown) => isoMs(value, { naive: 'reject' });

/**
 * A sleep's or workout's identity and times: its id (lower case) as external id, start, end and the record's
 * `timezone_offset`; null without a UUID id, a start and an end not before it.
 */
export function recordSpan(record: JsonObject) {
  const externalId =
    typeof record.id === 'string' && WHOOP_UUID.test(record.id) ? record.id.toLowerCase() : null;
  const start = instantOf(record.start);
  const end = instantOf(record.end);
  if (externalId === null || start === null || end === null || end < start) return null;
  return {
    source: WHOOP_SOURCE,
    start,
    end,
    zoneOffset: zoneOf(record.timezone_offset),
    durationSeconds: Math.round((end - start) / 1000),
    externalId,
  };
}

/** The `score` of a record WHOOP scored; null for `PENDING_SCORE`, `UNSCORABLE` or a missing score. */
export const scoreOf = (record: JsonObject): JsonObject | null =>
  record.score_state === 'SCORED' && isObject(record.score) ? record.score : null;

/** How one record fared: mapped, left out because WHOOP has not scored it, or unusable. */
export type Outcome = 'mapped' | 'unscored' | 'malformed';
