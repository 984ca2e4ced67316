import type { HealthEvent, SleepDetails } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { isObject } from '#shared/providers/json.js';
import { SENSORBIO_SOURCE } from '#shared/providers/sensorbio/common.js';
import { epochMs } from '#shared/providers/time.js';
import { idText, knownSum, nonNegative } from '#shared/providers/values.js';

/**
 * `GET /v1/sleep?date=` -> sleep events (providers.md 4.10), pure. `{"data": [SleepRecord]}`: a day may hold
 * several sessions. Start and end are epoch seconds in live data (the API intro claims ms; both are read right).
 * The API gives minutes per stage and no stage timeline, zone offset or nap flag.
 *
 * Deliberate differences from the reference: time in bed is the session's span (the reference repeats the sleep
 * time there); efficiency is sleep time over time in bed (the reference stores the sleep *score* as efficiency;
 * the score is kept as a health score from `/v1/scores`); total sleep is `total_sleep_mins`, else the stage sum.
 */

export type SleepEvent = Extract<HealthEvent, { category: 'sleep' }> & { externalId: string };

const minutesOf = (value: unknown) => {
  const minutes = nonNegative(value);
  return minutes === null ? null : Math.round(minutes);
};

export function mapSleepRecord(record: unknown): SleepEvent | null {
  if (!isObject(record)) return null;
  const start = epochMs(record.start_timestamp);
  const end = epochMs(record.end_timestamp);
  const externalId = idText(record.id) ?? idText(record.start_timestamp);
  if (start === null || end === null || end <= start || externalId === null) return null;

  const deep = minutesOf(record.deep_sleep_mins);
  const light = minutesOf(record.light_sleep_mins);
  const rem = minutesOf(record.rem_sleep_mins);
  const awake = minutesOf(record.awake_time_mins);
  const inBed = Math.round((end - start) / 60_000);
  const total = minutesOf(record.total_sleep_mins) ?? knownSum(deep, light, rem);
  const efficiency = total !== null && inBed > 0 ? roundTo(Math.min(100, (total / inBed) * 100), 2) : null;

  const details: SleepDetails = {
    sleep_total_duration_minutes: total,
    sleep_time_in_bed_minutes: inBed,
    sleep_efficiency_score: efficiency,
    sleep_deep_minutes: deep,
    sleep_rem_minutes: rem,
    sleep_light_minutes: light,
    sleep_awake_minutes: awake,
    is_nap: false,
    sleep_stages: null,
  };
  return {
    category: 'sleep',
    type: 'sleep_session',
    source: SENSORBIO_SOURCE,
    start,
    end,
    zoneOffset: null,
    durationSeconds: Math.round((end - start) / 1000),
    externalId,
    details,
  };
}

/** The sessions of one `/v1/sleep` answer; malformed records are left out. */
export function sleepEventsOf(body: unknown): SleepEvent[] {
  const records = isObject(body) && Array.isArray(body.data) ? (body.data as unknown[]) : [];
  return records.map(mapSleepRecord).filter((event): event is SleepEvent => event !== null);
}
