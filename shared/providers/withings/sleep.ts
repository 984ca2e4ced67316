import type { SleepDetails, SleepStage, StageInterval } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { calendarDay, epochSecondsMs, minutesOf } from '#shared/providers/time.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';
import { idText, knownSum, nonNegative, percentOf, positive } from '#shared/providers/values.js';
import { inUnitDays, unitDays } from '#shared/providers/withings/activity.js';
import { withingsSource, zoneOffsetAt } from '#shared/providers/withings/common.js';
import { allWithingsPages, withingsCall } from '#shared/providers/withings/status.js';

/**
 * Sleep v2 (`/v2/sleep`): `getsummary` gives one summary per night (durations in seconds, a 0-1 efficiency, the
 * sleep score), `get` the night's stage intervals and its heart rate, respiration and HRV samples. A night becomes
 * one sleep event keyed by the summary id, with its stages, plus the sleep score and those samples.
 */

export const SLEEP_PATH = '/v2/sleep';

const SUMMARY_FIELDS = [
  'total_timeinbed',
  'total_sleep_time',
  'asleepduration',
  'lightsleepduration',
  'remsleepduration',
  'deepsleepduration',
  'sleep_efficiency',
  'wakeupduration',
  'sleep_score',
].join(',');
const DETAIL_FIELDS = 'hr,rr,sdnn_1,rmssd';

/** `get` states -> stages; 15 is "out of bed". */
const STATES: Readonly<Record<number, SleepStage>> = {
  0: 'awake',
  1: 'light',
  2: 'deep',
  3: 'rem',
  4: 'sleeping',
  5: 'unknown',
  15: 'awake',
};

/** `get` per-segment maps (`{"<epoch seconds>": value}`) -> series. */
const DETAIL_SERIES: ReadonlyArray<[string, SeriesType]> = [
  ['hr', 'heart_rate'],
  ['rr', 'respiratory_rate'],
  ['sdnn_1', 'heart_rate_variability_sdnn'],
  ['rmssd', 'heart_rate_variability_rmssd'],
];

export interface NightDetail {
  stages: StageInterval[];
  samples: Array<{ series: SeriesType; at: number; value: number }>;
}

/** The segments of a `get` answer: stages from `state`, samples from the per-segment maps. */
export function nightDetail(body: JsonObject): NightDetail {
  const detail: NightDetail = { stages: [], samples: [] };
  if (!Array.isArray(body.series)) return detail;
  for (const segment of body.series) {
    if (!isObject(segment)) continue;
    const start = epochSecondsMs(segment.startdate);
    const end = epochSecondsMs(segment.enddate);
    const state = numberOf(segment.state);
    const stage = state === null ? undefined : STATES[state];
    if (start !== null && end !== null && end > start && stage) detail.stages.push({ stage, start, end });
    for (const [field, series] of DETAIL_SERIES) {
      const map = segment[field];
      if (!isObject(map)) continue;
      for (const [key, raw] of Object.entries(map)) {
        const at = epochSecondsMs(key);
        const value = positive(raw);
        if (at !== null && value !== null) detail.samples.push({ series, at, value });
      }
    }
  }
  detail.stages.sort((a, b) => a.start - b.start);
  return detail;
}

function sleepDetails(data: JsonObject, span: number, stages: StageInterval[]): SleepDetails {
  const light = nonNegative(data.lightsleepduration);
  const deep = nonNegative(data.deepsleepduration);
  const rem = nonNegative(data.remsleepduration);
  const asleep =
    nonNegative(data.total_sleep_time) ?? knownSum(light, deep, rem) ?? nonNegative(data.asleepduration);
  const inBed = nonNegative(data.total_timeinbed) ?? span;
  const ratio = nonNegative(data.sleep_efficiency);
  const efficiency =
    ratio !== null && ratio <= 1
      ? ratio * 100
      : asleep !== null && inBed > 0
        ? Math.min(100, (asleep / inBed) * 100)
        : null;
  return {
    sleep_total_duration_minutes: minutesOf(asleep),
    sleep_time_in_bed_minutes: minutesOf(inBed),
    sleep_efficiency_score: efficiency === null ? null : roundTo(efficiency, 2),
    sleep_deep_minutes: minutesOf(deep),
    sleep_rem_minutes: minutesOf(rem),
    sleep_light_minutes: minutesOf(light),
    sleep_awake_minutes: minutesOf(nonNegative(data.wakeupduration)),
    is_nap: false,
    sleep_stages: stages.length > 0 ? stages : null,
  };
}

/**
 * One night: the event (start/end of the summary, the id as external id), the sleep score when there is one, and
 * the samples of its detail. Skipped without an id or a valid span.
 */
export function mapNight(out: PullOutput, summary: unknown, detail: NightDetail | null): void {
  const externalId = isObject(summary) ? idText(summary.id) : null;
  const start = isObject(summary) ? epochSecondsMs(summary.startdate) : null;
  const end = isObject(summary) ? epochSecondsMs(summary.enddate) : null;
  if (!isObject(summary) || externalId === null || start === null || end === null || end <= start) {
    out.skip();
    return;
  }
  const data = isObject(summary.data) ? summary.data : {};
  const zoneOffset = zoneOffsetAt(summary.timezone, start);
  const source = withingsSource(null);
  const stages = (detail?.stages ?? []).filter((s) => s.end > start && s.start < end);
  out.event({
    category: 'sleep',
    type: 'sleep_session',
    source,
    start,
    end,
    zoneOffset,
    durationSeconds: Math.round((end - start) / 1000),
    externalId,
    details: sleepDetails(data, (end - start) / 1000, stages),
  });
  const score = percentOf(data.sleep_score);
  if (score !== null) {
    out.score({
      source,
      category: 'sleep',
      value: score,
      qualifier: null,
      recordedAt: start,
      zoneOffset,
      components: null,
    });
  }
  for (const sample of detail?.samples ?? []) {
    if (sample.at >= start && sample.at <= end)
      out.sample(source, sample.series, sample.at, sample.value, zoneOffset);
  }
}

/** The night's detail (`get` over its span; Withings cuts a request at 24 hours). */
async function detailOf(get: ProviderGet, summary: JsonObject): Promise<NightDetail | null> {
  const start = numberOf(summary.startdate);
  const end = numberOf(summary.enddate);
  if (start === null || end === null || end <= start) return null;
  const body = await withingsCall(get, SLEEP_PATH, 'get', {
    startdate: start,
    enddate: end,
    data_fields: DETAIL_FIELDS,
  });
  return nightDetail(body);
}

/** The nights of the unit's days (by Withings' `date`, the night's wake-up day), each with its detail. */
export async function pullSleep(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<void> {
  const params = { ...unitDays(unit), data_fields: SUMMARY_FIELDS };
  const { items } = await allWithingsPages(get, SLEEP_PATH, 'getsummary', params, 'series');
  for (const summary of items) {
    const day = isObject(summary) ? calendarDay(summary.date) : null;
    if (day !== null && !inUnitDays(day, unit)) continue;
    mapNight(out, summary, isObject(summary) ? await detailOf(get, summary) : null);
  }
}
