import type { SleepDetails } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import type { PullOutput } from '#shared/providers/output.js';
import { SUUNTO_SOURCE } from '#shared/providers/suunto/common.js';
import { type Instant, isoInstant, minutesOf } from '#shared/providers/time.js';
import {
  idText,
  kcalOfJoules,
  knownSum,
  nonNegative,
  percentOf,
  percentOrFraction,
  positive,
} from '#shared/providers/values.js';

/**
 * Suunto 24/7 data (providers.md 4.3): items `{timestamp, entryData}` of `/247samples/{sleep,recovery,activity}`
 * (and of the `SUUNTO_247_*_CREATED` webhooks, which carry them inline), and the daily totals of
 * `/247/daily-activity-statistics`. Each mapper adds an item to the batch's output or counts it skipped. Pure.
 *
 * Deliberate differences from the reference: energy is converted from joules to kcal everywhere; a night's
 * `AvgHRV` is kept as its RMSSD and `SleepQualityScore` as the night's sleep score (the reference read the first
 * without storing it and stored the second as the efficiency, which it is not: efficiency is computed from the
 * durations); `StressState` is also a `stress` score of its own.
 */

export const KINDS_247 = ['sleep', 'recovery', 'activity'] as const;
export type Kind247 = (typeof KINDS_247)[number];

function entryOf(item: unknown): { instant: Instant; data: JsonObject } | null {
  if (!isObject(item) || !isObject(item.entryData)) return null;
  const instant = isoInstant(item.timestamp);
  return instant ? { instant, data: item.entryData } : null;
}

/**
 * A sleep: `BedtimeStart`..`BedtimeEnd` (else start + `Duration`), in bed = `Duration`, asleep = deep + light +
 * REM, awake = the rest; `IsNap` flags naps. A main night also gives its lowest heart rate (`HRMin`) as the resting
 * heart rate, its `AvgHRV` as RMSSD, both at the wake-up time, and its `SleepQualityScore` (0-100) as sleep score.
 */
function mapSleep(out: PullOutput, entry: { instant: Instant; data: JsonObject }): boolean {
  const { data } = entry;
  const start = isoInstant(data.BedtimeStart) ?? entry.instant;
  const endInstant = isoInstant(data.BedtimeEnd);
  const inBedSeconds = nonNegative(data.Duration);
  const end = endInstant?.at ?? (inBedSeconds === null ? null : start.at + Math.round(inBedSeconds * 1000));
  if (end === null || end <= start.at) return false;
  const inBed = inBedSeconds ?? (end - start.at) / 1000;
  const deep = nonNegative(data.DeepSleepDuration);
  const light = nonNegative(data.LightSleepDuration);
  const rem = nonNegative(data.REMSleepDuration);
  const asleep = knownSum(deep, light, rem);
  const isNap = data.IsNap === true || data.IsNap === 'true';
  const zoneOffset = start.zoneOffset ?? endInstant?.zoneOffset ?? null;
  const details: SleepDetails = {
    sleep_total_duration_minutes: minutesOf(asleep),
    sleep_time_in_bed_minutes: minutesOf(inBed),
    sleep_efficiency_score:
      asleep !== null && inBed > 0 ? Math.min(100, roundTo((asleep / inBed) * 100, 2)) : null,
    sleep_deep_minutes: minutesOf(deep),
    sleep_rem_minutes: minutesOf(rem),
    sleep_light_minutes: minutesOf(light),
    sleep_awake_minutes: asleep === null ? null : minutesOf(Math.max(0, inBed - asleep)),
    is_nap: isNap,
    sleep_stages: null,
  };
  out.event({
    category: 'sleep',
    type: 'sleep_session',
    source: SUUNTO_SOURCE,
    start: start.at,
    end,
    zoneOffset,
    durationSeconds: Math.round(inBed),
    externalId: idText(data.SleepId),
    details,
  });
  if (isNap) return true;
  out.sample(SUUNTO_SOURCE, 'resting_heart_rate', end, positive(data.HRMin), zoneOffset);
  out.sample(SUUNTO_SOURCE, 'heart_rate_variability_rmssd', end, positive(data.AvgHRV), zoneOffset);
  const quality = percentOf(data.SleepQualityScore);
  if (quality !== null)
    out.score({
      source: SUUNTO_SOURCE,
      category: 'sleep',
      value: quality,
      qualifier: null,
      recordedAt: end,
      zoneOffset,
      components: null,
    });
  return true;
}

/** `StressState` codes as Suunto names them. */
const STRESS_STATES: Readonly<Record<number, string>> = {
  1: 'relaxing',
  2: 'active',
  3: 'passive',
  4: 'stressful',
};

/**
 * A recovery sample: `Balance` (the resources, 0-1) x 100 as the `recovery` score, with the stress state as its
 * component; a known `StressState` is also a `stress` score (value = the code, qualifier = its name).
 */
function mapRecovery(out: PullOutput, { instant, data }: { instant: Instant; data: JsonObject }): boolean {
  const balance = numberOf(data.Balance);
  const code = numberOf(data.StressState);
  const state = code !== null && Object.hasOwn(STRESS_STATES, code) ? STRESS_STATES[code]! : null;
  const base = { source: SUUNTO_SOURCE, recordedAt: instant.at, zoneOffset: instant.zoneOffset };
  let mapped = false;
  if (balance !== null && balance >= 0 && balance <= 1) {
    out.score({
      ...base,
      category: 'recovery',
      value: roundTo(balance * 100, 2),
      qualifier: null,
      components: state === null ? null : { stress_state: { value: code, qualifier: state } },
    });
    mapped = true;
  }
  if (state !== null) {
    out.score({ ...base, category: 'stress', value: code, qualifier: state, components: null });
    mapped = true;
  }
  return mapped;
}

/** Suunto reports energy in joules. */
const kcalOf = (joules: unknown) => kcalOfJoules(nonNegative(joules));

const ACTIVITY_FIELDS: ReadonlyArray<[SeriesType, (data: JsonObject) => number | null]> = [
  ['heart_rate', (d) => positive(d.HR)],
  ['steps', (d) => nonNegative(d.StepCount)],
  ['oxygen_saturation', (d) => percentOrFraction(d.SpO2)],
  ['energy', (d) => kcalOf(d.EnergyConsumption)],
  ['heart_rate_variability_rmssd', (d) => positive(d.HRV)],
];

/** An activity sample: intraday heart rate, steps, SpO2, energy and HRV at its timestamp. */
function mapActivity(out: PullOutput, { instant, data }: { instant: Instant; data: JsonObject }): boolean {
  let mapped = false;
  for (const [series, read] of ACTIVITY_FIELDS)
    if (out.sample(SUUNTO_SOURCE, series, instant.at, read(data), instant.zoneOffset)) mapped = true;
  return mapped;
}

const MAPPERS = { sleep: mapSleep, recovery: mapRecovery, activity: mapActivity } as const;

/** Items of one 24/7 kind into `out`; an item that maps to nothing is counted skipped. */
export function map247(out: PullOutput, kind: Kind247, items: readonly unknown[]): void {
  for (const item of items) {
    const entry = entryOf(item);
    if (!entry || !MAPPERS[kind](out, entry)) out.skip();
  }
}

const DAILY_SERIES: Readonly<
  Record<string, { series: SeriesType; read: (value: unknown) => number | null }>
> = {
  stepcount: { series: 'steps', read: nonNegative },
  energyconsumption: { series: 'energy', read: kcalOf },
};

/**
 * `[{Name, Sources: [{Samples: [{TimeISO8601, Value}]}]}]` -> daily totals of steps and energy, stamped at the
 * day's start. A null `Value` is a day without data; when several sources report a day, the largest total is
 * kept (adding them would count a day twice for a user who wore two watches).
 */
export function mapDailyStatistics(out: PullOutput, statistics: readonly unknown[]): void {
  const totals = new Map<string, { series: SeriesType; instant: Instant; value: number }>();
  for (const statistic of statistics) {
    const name = isObject(statistic) ? textOf(statistic.Name)?.toLowerCase() : undefined;
    const kind = name !== undefined && Object.hasOwn(DAILY_SERIES, name) ? DAILY_SERIES[name]! : null;
    if (!isObject(statistic) || !kind || !Array.isArray(statistic.Sources)) continue;
    for (const source of statistic.Sources) {
      const samples = isObject(source) && Array.isArray(source.Samples) ? source.Samples : [];
      for (const sample of samples) {
        if (isObject(sample) && sample.Value === null) continue;
        const instant = isObject(sample) ? isoInstant(sample.TimeISO8601) : null;
        const value = isObject(sample) ? kind.read(sample.Value) : null;
        if (instant === null || value === null) {
          out.skip();
          continue;
        }
        const key = `${kind.series}|${instant.at}`;
        const known = totals.get(key);
        if (!known || value > known.value) totals.set(key, { series: kind.series, instant, value });
      }
    }
  }
  for (const { series, instant, value } of totals.values())
    out.sample(SUUNTO_SOURCE, series, instant.at, value, instant.zoneOffset, 'total');
}
