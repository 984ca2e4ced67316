import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { calendarDay, isoDate, utcMidnight } from '#shared/providers/time.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';
import { nonNegative, percentOf, positive } from '#shared/providers/values.js';
import { localMidnight, withingsSource } from '#shared/providers/withings/common.js';
import { allWithingsPages, withingsCall } from '#shared/providers/withings/status.js';

/**
 * Activity (`/v2/measure`): `getactivity` gives one aggregate per local day (daily totals, stamped just after
 * that day's local midnight), `getintradayactivity` the samples behind them (at most 24 hours per request).
 */

export const MEASURE_V2_PATH = '/v2/measure';

const DAILY_FIELDS = 'steps,distance,elevation,active,calories,totalcalories';
const INTRADAY_FIELDS = 'steps,calories,distance,elevation,heart_rate,spo2_auto';

/** A day's totals one second after midnight: the day's first intraday sample may sit at midnight itself. */
const DAILY_TOTAL_DELAY_MS = 1000;

/** The days `[first, last]` (UTC dates) a unit covers, as `getactivity`, `getworkouts` and `getsummary` take them. */
export const unitDays = (unit: SyncUnit) => ({
  startdateymd: isoDate(unit.start),
  enddateymd: isoDate(unit.end - 1),
});

/** Whether a day (its UTC midnight) is one of the unit's days. */
export const inUnitDays = (day: number, unit: SyncUnit) => day >= utcMidnight(unit.start) && day < unit.end;

/**
 * One day's aggregate: steps, distance (m), floors, active time (min), active energy and the rest of the total
 * (kcal) as basal energy. Skipped without a valid `date`.
 */
export function mapDailyActivity(out: PullOutput, activity: unknown): void {
  const day = isObject(activity) ? calendarDay(activity.date) : null;
  if (!isObject(activity) || day === null) {
    out.skip();
    return;
  }
  const { at, zoneOffset } = localMidnight(isoDate(day), activity.timezone);
  const source = withingsSource(activity.model);
  const total = (series: SeriesType, value: number | null) =>
    out.sample(source, series, at + DAILY_TOTAL_DELAY_MS, value, zoneOffset, 'total');
  const active = nonNegative(activity.calories);
  const all = nonNegative(activity.totalcalories);
  const seconds = nonNegative(activity.active);
  total('steps', nonNegative(activity.steps));
  total('distance_walking_running', nonNegative(activity.distance));
  total('flights_climbed', nonNegative(activity.elevation));
  total('active_time', seconds === null ? null : seconds / 60);
  total('energy', active);
  total('basal_energy', active !== null && all !== null && all >= active ? all - active : null);
}

/** The daily aggregates of the unit's days. */
export async function pullDailyActivity(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<void> {
  const params = { ...unitDays(unit), data_fields: DAILY_FIELDS };
  const { items } = await allWithingsPages(get, MEASURE_V2_PATH, 'getactivity', params, 'activities');
  for (const activity of items) {
    const day = isObject(activity) ? calendarDay(activity.date) : null;
    if (day === null || inUnitDays(day, unit)) mapDailyActivity(out, activity);
  }
}

/** One intraday entry (`series["<epoch seconds>"]`): its steps, energy and distance, heart rate and SpO2. */
function mapIntradayEntry(out: PullOutput, at: number, entry: JsonObject): void {
  const source = withingsSource(entry.model);
  out.sample(source, 'steps', at, nonNegative(entry.steps), null);
  out.sample(source, 'energy', at, nonNegative(entry.calories), null);
  out.sample(source, 'distance_walking_running', at, nonNegative(entry.distance), null);
  out.sample(source, 'flights_climbed', at, nonNegative(entry.elevation), null);
  out.sample(source, 'heart_rate', at, positive(entry.heart_rate), null);
  out.sample(source, 'oxygen_saturation', at, positive(percentOf(entry.spo2_auto)), null);
}

/** The intraday series of `[unit.start, unit.end)` (a day at most: Withings cuts a request at 24 hours). */
export async function pullIntraday(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<void> {
  const body = await withingsCall(get, MEASURE_V2_PATH, 'getintradayactivity', {
    startdate: Math.floor(unit.start / 1000),
    enddate: Math.ceil(unit.end / 1000),
    data_fields: INTRADAY_FIELDS,
  });
  if (!isObject(body.series)) return;
  for (const [key, entry] of Object.entries(body.series)) {
    const seconds = numberOf(key);
    const at = seconds === null || seconds < 0 ? null : seconds * 1000;
    if (at === null || !isObject(entry)) {
      out.skip();
      continue;
    }
    if (at >= unit.start && at < unit.end) mapIntradayEntry(out, at, entry);
  }
}
