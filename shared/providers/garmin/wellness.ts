import type { SourceRef } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { calendarNoon, garminSource, offsetEntries, startOf } from '#shared/providers/garmin/common.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { outputOf, type PullOutput } from '#shared/providers/output.js';
import type { PullResult } from '#shared/providers/types.js';
import { idText, knownSum, nonNegative, positive } from '#shared/providers/values.js';

/**
 * Day-level and intraday wellness summaries (providers.md 4.1): `dailies`, `epochs`, `hrv`, `stressDetails`,
 * `allDayRespiration`, `pulseox`. Offset maps (`{"<seconds after the start>": value}`) become samples at start +
 * offset; a summary's average, stamped at its start, gives way to an offset sample at the same instant.
 *
 * Beyond the reference: daily totals no longer share their timestamp with the first epoch of the day (see
 * `DAILY_TOTAL_DELAY_MS`); the dailies' `bmrKilocalories` is kept as `basal_energy`; epochs of one 15-minute slot
 * (Garmin sends one per activity type in the slot) are added up instead of overwriting each other, and their
 * `distanceInMeters` is kept as intraday `distance_walking_running` next to the daily total.
 */

/** Python's `str.title()`, as the reference renders `stressQualifier` ("very_stressful" -> "Very_Stressful"). */
export function titleCase(value: unknown): string | null {
  const text = textOf(value);
  return text === null
    ? null
    : text
        .toLowerCase()
        .replace(/(^|[^a-z])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/**
 * Daily totals are stamped this long after the day's start: a sample's identity is (source, series, timestamp),
 * and at the start itself the day's first 15-minute epoch would overwrite the total (or the total the epoch).
 */
const DAILY_TOTAL_DELAY_MS = 1000;

/**
 * A daily summary: totals just after the day's start (else `calendarDate` 12:00 UTC), resting and intraday heart
 * rate, the stress score.
 */
export function mapDaily(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const started = startOf(item);
  const at = started?.start ?? calendarNoon(item.calendarDate);
  if (at === null) return null;
  const offset = started?.zoneOffset ?? null;
  const source = garminSource(item.deviceName);
  const activeSeconds = nonNegative(item.activeTimeInSeconds);
  return outputOf((out) => {
    const total = (series: SeriesType, value: number | null) =>
      out.sample(source, series, at + DAILY_TOTAL_DELAY_MS, value, offset, 'total');
    total('steps', nonNegative(item.steps));
    total('energy', nonNegative(item.activeKilocalories));
    total('basal_energy', nonNegative(item.bmrKilocalories));
    total('distance_walking_running', nonNegative(item.distanceInMeters));
    total('active_time', activeSeconds === null ? null : activeSeconds / 60);
    total('flights_climbed', nonNegative(item.floorsClimbed));
    out.sample(source, 'resting_heart_rate', at, positive(item.restingHeartRateInBeatsPerMinute), offset);
    if (started)
      for (const [seconds, bpm] of offsetEntries(item.timeOffsetHeartRateSamples))
        if (bpm > 0) out.sample(source, 'heart_rate', at + seconds * 1000, bpm, offset);
    // -1: not enough data for the day.
    const stress = nonNegative(item.averageStressLevel);
    if (stress !== null)
      out.score({
        source,
        category: 'stress',
        value: stress,
        qualifier: titleCase(item.stressQualifier),
        recordedAt: at,
        zoneOffset: offset,
        components: null,
      });
  });
}

interface EpochSlot {
  source: SourceRef;
  start: number;
  zoneOffset: string | null;
  records: Map<string, JsonObject>;
}

const sumOf = (records: JsonObject[], field: string) =>
  knownSum(...records.map((r) => nonNegative(r[field])));

/**
 * The `epochs` of one batch -> intraday samples per 15-minute slot: steps, active kcal and distance summed over
 * the slot's records (one per activity type, deduplicated by `summaryId`), heart rate averaged. Returns the
 * skipped count.
 */
export function mapEpochs(items: readonly unknown[], out: PullOutput): number {
  let skipped = 0;
  const slots = new Map<string, EpochSlot>();
  items.forEach((item, index) => {
    const started = isObject(item) ? startOf(item) : null;
    if (!isObject(item) || !started) {
      skipped++;
      return;
    }
    const source = garminSource(item.deviceName);
    const key = `${source.deviceModel}|${started.start}`;
    const slot = slots.get(key) ?? { source, ...started, records: new Map() };
    slot.records.set(idText(item.summaryId) ?? `#${index}`, item);
    slots.set(key, slot);
  });
  for (const { source, start, zoneOffset, records } of slots.values()) {
    const list = [...records.values()];
    const heartRates = list.map((r) => positive(r.meanHeartRateInBeatsPerMinute)).filter((v) => v !== null);
    const heartRate =
      heartRates.length === 0 ? null : heartRates.reduce((a, b) => a + b, 0) / heartRates.length;
    const written = [
      out.sample(source, 'steps', start, sumOf(list, 'steps'), zoneOffset),
      out.sample(source, 'energy', start, sumOf(list, 'activeKilocalories'), zoneOffset),
      out.sample(source, 'distance_walking_running', start, sumOf(list, 'distanceInMeters'), zoneOffset),
      out.sample(source, 'heart_rate', start, heartRate, zoneOffset),
    ];
    if (!written.includes(true)) skipped += records.size;
  }
  return skipped;
}

/** An average at the start plus an offset map, both through `accept` (null = invalid value, dropped). */
function averageAndOffsets(
  item: unknown,
  series: SeriesType,
  averageField: string,
  mapField: string,
  accept: (value: number) => boolean,
): PullResult | null {
  if (!isObject(item)) return null;
  const started = startOf(item);
  if (!started) return null;
  const source = garminSource(item.deviceName);
  const valid = (value: number | null) => (value !== null && accept(value) ? value : null);
  return outputOf((out) => {
    out.sample(source, series, started.start, valid(numberOf(item[averageField])), started.zoneOffset);
    for (const [seconds, value] of offsetEntries(item[mapField]))
      out.sample(source, series, started.start + seconds * 1000, valid(value), started.zoneOffset);
  });
}

const isPositive = (value: number) => value > 0;
const isPercent = (value: number) => value > 0 && value <= 100;

/** `lastNightAvg` at the start and `hrvValues` (ms) -> RMSSD. */
export const mapHrv = (item: unknown) =>
  averageAndOffsets(item, 'heart_rate_variability_rmssd', 'lastNightAvg', 'hrvValues', isPositive);

/** `avgWakingRespirationValue` and `timeOffsetEpochToBreaths` (breaths/min, <= 0 invalid) -> respiratory rate. */
export const mapRespiration = (item: unknown) =>
  averageAndOffsets(
    item,
    'respiratory_rate',
    'avgWakingRespirationValue',
    'timeOffsetEpochToBreaths',
    isPositive,
  );

/** `avgSpo2` and `timeOffsetSpo2Values` (%) -> oxygen saturation. */
export const mapPulseOx = (item: unknown) =>
  averageAndOffsets(item, 'oxygen_saturation', 'avgSpo2', 'timeOffsetSpo2Values', isPercent);

/**
 * Stress (`timeOffsetStressLevelValues`, else `stressLevelValues`) and body battery
 * (`timeOffsetBodyBatteryValues`, else `bodyBatteryValues`) samples, negatives (off wrist, not enough data)
 * dropped; the day's highest body battery is its body_battery score, at the summary's start.
 */
export function mapStressDetails(item: unknown): PullResult | null {
  if (!isObject(item)) return null;
  const started = startOf(item);
  if (!started) return null;
  const { start, zoneOffset } = started;
  const source = garminSource(item.deviceName);
  const mapOf = (...fields: string[]) => fields.map((field) => item[field]).find(isObject);
  return outputOf((out) => {
    for (const [seconds, value] of offsetEntries(mapOf('timeOffsetStressLevelValues', 'stressLevelValues')))
      if (value >= 0) out.sample(source, 'garmin_stress_level', start + seconds * 1000, value, zoneOffset);
    let highest: number | null = null;
    for (const [seconds, value] of offsetEntries(mapOf('timeOffsetBodyBatteryValues', 'bodyBatteryValues'))) {
      if (value < 0) continue;
      out.sample(source, 'garmin_body_battery', start + seconds * 1000, value, zoneOffset);
      highest = Math.max(highest ?? value, value);
    }
    if (highest !== null)
      out.score({
        source,
        category: 'body_battery',
        value: highest,
        qualifier: null,
        recordedAt: start,
        zoneOffset,
        components: null,
      });
  });
}
