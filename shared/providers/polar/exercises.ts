import type { HealthEvent, WorkoutDetails } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { isObject, type JsonObject, numberOf, textOf } from '#shared/providers/json.js';
import { detailsOf, type PullOutput } from '#shared/providers/output.js';
import { durationSeconds, floatingTime, polarSource } from '#shared/providers/polar/common.js';
import { polarWorkoutType } from '#shared/providers/polar/sport-types.js';
import { nonNegative, positive, zoneOffsetOf } from '#shared/providers/values.js';

/**
 * A Polar exercise (`GET /v3/exercises`, `GET /v3/exercises/{id}`, with `samples=true`) -> a workout event keyed by
 * Polar's hashed id, plus its samples as series of the recording device (providers.md 4.2).
 *
 * Start: `start_time` is the local wall clock and `start_time_utc_offset` the minutes east of UTC, so the UTC start
 * is the local time MINUS the offset (the reference added it, discrepancy 6). End = start + `duration`.
 *
 * Samples (`sample-type`, one value every `recording-rate` seconds from the start, empty or `null` while a sensor
 * was off): 0 heart rate (bpm), 1 speed (km/h, stored in m/s), 2 cadence (rpm), 3 altitude (m, `elevation`),
 * 4 power (W), 8 running cadence (steps/min, `cadence` as Garmin's), the rest (pedalling index, balance, air
 * pressure, temperature, cumulative distance, RR intervals) has no series of its own and is left out. The workout's
 * minimum heart rate, speeds, cadence, power and elevation range come from the samples; heart-rate zones (time per
 * bpm band) fit no workout field and are not kept.
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }> & { externalId: string };

const KMH_PER_MS = 3.6;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A hashed exercise id usable in a path; null otherwise. */
export const exerciseId = (value: unknown): string | null => {
  const text = textOf(value);
  return text !== null && ID.test(text) ? text : null;
};

const SAMPLE_TYPES: Readonly<Record<string, { series: SeriesType; read: (v: number) => number | null }>> = {
  '0': { series: 'heart_rate', read: (v) => (v > 0 && v < 300 ? v : null) },
  '1': { series: 'speed', read: (v) => (v >= 0 ? v / KMH_PER_MS : null) },
  '2': { series: 'cadence', read: (v) => (v >= 0 ? v : null) },
  '3': { series: 'elevation', read: (v) => v },
  '4': { series: 'power', read: (v) => (v >= 0 ? v : null) },
  '8': { series: 'cadence', read: (v) => (v >= 0 ? v : null) },
};

/** Values per series of the exercise's `samples[]`, as [offset ms, value] pairs. */
function sampleValues(samples: unknown): Map<SeriesType, Array<[number, number]>> {
  const bySeries = new Map<SeriesType, Array<[number, number]>>();
  if (!Array.isArray(samples)) return bySeries;
  for (const sample of samples) {
    if (!isObject(sample)) continue;
    const type = SAMPLE_TYPES[String(sample['sample-type'] ?? '')];
    const rate = positive(sample['recording-rate']);
    const data = textOf(sample.data);
    if (!type || rate === null || data === null) continue;
    const values = bySeries.get(type.series) ?? [];
    data.split(',').forEach((raw, index) => {
      const number = raw.trim() === '' ? null : numberOf(raw);
      const value = number === null ? null : type.read(number);
      if (value !== null) values.push([Math.round(index * rate * 1000), value]);
    });
    bySeries.set(type.series, values);
  }
  return bySeries;
}

/** The lowest, highest and mean value of a series' samples (a mean too large to hold is null); null without any. */
function statsOf(values: Array<[number, number]> | undefined) {
  if (!values || values.length === 0) return null;
  const list = values.map(([, v]) => v);
  const mean = list.reduce((a, b) => a + b, 0) / list.length;
  // A reduce, not Math.min(...list): a day-long recording at 1 s has more values than a call takes arguments.
  return {
    min: list.reduce((a, b) => Math.min(a, b)),
    max: list.reduce((a, b) => Math.max(a, b)),
    mean: Number.isFinite(mean) ? mean : null,
  };
}

function workoutDetails(item: JsonObject, samples: Map<SeriesType, Array<[number, number]>>): WorkoutDetails {
  const heartRate = isObject(item.heart_rate) ? item.heart_rate : {};
  const stats = (series: SeriesType) => statsOf(samples.get(series));
  return detailsOf([
    ['heart_rate_avg', positive(heartRate.average), 2],
    ['heart_rate_max', positive(heartRate.maximum), 0],
    ['heart_rate_min', stats('heart_rate')?.min ?? null, 0],
    ['energy_burned', nonNegative(item.calories)],
    ['distance', nonNegative(item.distance)],
    ['average_speed', stats('speed')?.mean ?? null, 2],
    ['max_speed', stats('speed')?.max ?? null, 2],
    ['average_cadence', stats('cadence')?.mean ?? null, 2],
    ['average_watts', stats('power')?.mean ?? null],
    ['max_watts', stats('power')?.max ?? null],
    ['elev_high', stats('elevation')?.max ?? null],
    ['elev_low', stats('elevation')?.min ?? null],
  ]);
}

/** One exercise into `out`; false when it is malformed (no usable id, start, offset or duration). */
export function mapExercise(out: PullOutput, item: unknown): boolean {
  if (!isObject(item)) return false;
  const id = exerciseId(item.id);
  const local = floatingTime(item.start_time);
  const offsetMinutes = numberOf(item.start_time_utc_offset);
  const zoneOffset = offsetMinutes === null ? null : zoneOffsetOf(offsetMinutes * 60);
  const duration = durationSeconds(item.duration);
  if (id === null || local === null || zoneOffset === null || duration === null) return false;
  const start = local - offsetMinutes! * 60_000;
  const samples = sampleValues(item.samples);
  const source = polarSource(item.device);
  const workout: WorkoutEvent = {
    category: 'workout',
    type: polarWorkoutType(item.sport, item.detailed_sport_info),
    source,
    start,
    end: start + Math.round(duration * 1000),
    zoneOffset,
    durationSeconds: Math.round(duration),
    externalId: id,
    details: workoutDetails(item, samples),
  };
  out.event(workout);
  for (const [series, values] of samples)
    for (const [offset, value] of values) out.sample(source, series, start + offset, value, zoneOffset);
  return true;
}
