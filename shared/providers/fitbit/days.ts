import type { Sample, SeriesSamples } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import {
  DAY_MS,
  EAST_MS,
  heartPath,
  isoDate,
  readGranted,
  summaryPath,
  WEST_MS,
} from '#shared/providers/fitbit/api.js';
import { fitbitSource } from '#shared/providers/fitbit/mapping.js';
import { dayMs, type LocalTime, type UserZone, zoneOf } from '#shared/providers/fitbit/zone.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';
import { nonNegative, positive } from '#shared/providers/values.js';

/**
 * One local day of Fitbit data, two requests:
 * - `GET /1/user/-/activities/heart/date/{date}/1d/1min.json`: the 1-minute intraday dataset
 *   (`activities-heart-intraday.dataset[] {time, value}`) -> `heart_rate` samples (bpm), and
 *   `activities-heart[0].value.restingHeartRate` -> one `resting_heart_rate` sample (bpm) at the local midnight;
 * - `GET /1/user/-/activities/date/{date}.json`: the day's `summary` -> daily totals at the local midnight: `steps`,
 *   `distances[activity=total]` (km: we send no `Accept-Language`) -> `distance_walking_running` in metres,
 *   `activityCalories` -> `energy` and `caloriesBMR` -> `basal_energy` (kcal; together Fitbit's `caloriesOut`),
 *   `fairlyActiveMinutes + veryActiveMinutes` (Fitbit's "active minutes") -> `active_time` in minutes, `floors` ->
 *   `flights_climbed`; its `restingHeartRate` when the heart response has none.
 * Fitbit answers a summary for any date, with the estimated basal calories alone on a day the device recorded
 * nothing: such a day (no steps, no activity calories, no resting heart rate) gives no totals rather than zeros.
 *
 * Units (`day:<date>`): every local date that may overlap the window under some offset (local time is UTC - 12 h to
 * UTC + 14 h), the unit's span clipped to that date's widest UTC span. A date whose local day has not begun by the
 * window's end is skipped without a request, so a live sync asks for tomorrow only where tomorrow has begun; the
 * day before stays in reach of a window for half a day, which catches what a tracker uploads late at night.
 */

const EMPTY: PullResult = { series: [], events: [], scores: [] };

export function dayUnits(start: number, end: number): SyncUnit[] {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return [];
  const units: SyncUnit[] = [];
  for (let day = Math.floor((start - WEST_MS) / DAY_MS) * DAY_MS; day < end + EAST_MS; day += DAY_MS) {
    units.push({
      key: `day:${isoDate(day)}`,
      start: Math.max(start, day - EAST_MS),
      end: Math.min(end, day + DAY_MS + WEST_MS),
    });
  }
  return units;
}

type DaySeries = Map<SeriesType, Map<number, Sample>>;

function add(out: DaySeries, series: SeriesType, at: LocalTime, value: number | null): void {
  if (value === null) return;
  const isDailyTotal = SERIES_TYPES[series].aggregation === 'sum' ? true : null;
  const samples = out.get(series) ?? new Map<number, Sample>();
  samples.set(at.ms, { timestamp: at.ms, value: roundTo(value, 3), zoneOffset: at.zoneOffset, isDailyTotal });
  out.set(series, samples);
}

const TIME = /^(\d{2}):(\d{2}):(\d{2})$/;

/** The intraday dataset -> heart rate samples; a time that does not read as `HH:mm:ss` of the day is skipped. */
function heartRates(out: DaySeries, body: JsonObject, midnight: number, zone: UserZone): void {
  const intraday = body['activities-heart-intraday'];
  const dataset = isObject(intraday) && Array.isArray(intraday.dataset) ? intraday.dataset : [];
  for (const point of dataset) {
    if (!isObject(point)) continue;
    const time = TIME.exec(textOf(point.time) ?? '');
    if (!time) continue;
    const [hours, minutes, seconds] = time.slice(1).map(Number) as [number, number, number];
    if (hours > 23 || minutes > 59 || seconds > 59) continue;
    const local = midnight + ((hours * 60 + minutes) * 60 + seconds) * 1000;
    add(out, 'heart_rate', zone.toUtc(local), positive(point.value));
  }
}

function restingFromHeart(body: JsonObject): number | null {
  const days = body['activities-heart'];
  const first = Array.isArray(days) && isObject(days[0]) ? days[0] : {};
  return isObject(first.value) ? positive(first.value.restingHeartRate) : null;
}

function totalDistanceKm(summary: JsonObject): number | null {
  if (!Array.isArray(summary.distances)) return null;
  const total = summary.distances.find((entry) => isObject(entry) && entry.activity === 'total');
  return isObject(total) ? nonNegative(total.distance) : null;
}

function dailyTotals(out: DaySeries, summary: JsonObject, at: LocalTime, resting: number | null): void {
  const steps = nonNegative(summary.steps);
  const activeCalories = nonNegative(summary.activityCalories);
  if (!steps && !activeCalories && resting === null) return;
  const km = totalDistanceKm(summary);
  const fairly = nonNegative(summary.fairlyActiveMinutes);
  const very = nonNegative(summary.veryActiveMinutes);
  add(out, 'steps', at, steps === null ? null : Math.round(steps));
  add(out, 'distance_walking_running', at, km === null ? null : km * 1000);
  add(out, 'energy', at, activeCalories);
  add(out, 'basal_energy', at, nonNegative(summary.caloriesBMR));
  add(out, 'active_time', at, fairly === null && very === null ? null : (fairly ?? 0) + (very ?? 0));
  add(out, 'flights_climbed', at, nonNegative(summary.floors));
}

/** The two answers of one local date -> series; a missing or malformed answer contributes nothing. */
export function mapDay(date: string, heart: unknown, summaryBody: unknown, zone: UserZone): SeriesSamples[] {
  const midnight = dayMs(date);
  if (midnight === null) return [];
  const at = zone.toUtc(midnight);
  const out: DaySeries = new Map();
  const summary = isObject(summaryBody) && isObject(summaryBody.summary) ? summaryBody.summary : {};
  const resting = (isObject(heart) ? restingFromHeart(heart) : null) ?? positive(summary.restingHeartRate);
  if (isObject(heart)) heartRates(out, heart, midnight, zone);
  add(out, 'resting_heart_rate', at, resting);
  dailyTotals(out, summary, at, resting);
  const source = fitbitSource({});
  return [...out].map(([series, samples]) => ({
    source,
    series,
    samples: [...samples.values()].sort((a, b) => a.timestamp - b.timestamp),
  }));
}

export async function pullDay(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const date = unit.key.slice('day:'.length);
  const midnight = dayMs(date);
  if (midnight === null) return EMPTY;
  const zone = await zoneOf(get);
  if (zone.toUtc(midnight).ms >= unit.end) return EMPTY;
  const heart = await readGranted(get, heartPath(date));
  const summary = await readGranted(get, summaryPath(date));
  return { series: mapDay(date, heart, summary, zone), events: [], scores: [] };
}
