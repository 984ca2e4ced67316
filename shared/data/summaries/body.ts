import type * as z from 'zod/mini';
import {
  latestWithArchive,
  meanWithArchive,
  readBySourceWithArchive,
} from '#shared/archival/archived-reads.js';
import { sourceMetadata } from '#shared/data/source-metadata.js';
import { bestSource, DAY_MS, HOUR_MS, loadSources, type Sources } from '#shared/data/summaries/common.js';
import type { bodySummaryOrNull } from '#shared/data/summaries/schemas.js';
import type { Sample } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SeriesType } from '#shared/model/series.js';
import { apiDateTime } from '#shared/model/time.js';
import { dayStartOf } from '#shared/store/series-layout.js';
import { readSeriesSamples } from '#shared/store/series-read.js';
import { listUserSeries, type SeriesRegistryEntry } from '#shared/store/series-registry.js';

/**
 * `GET /users/{id}/summaries/body` (contract 4.7): a snapshot at `now`, or null when the user has none of its data.
 * - slow-changing values: the latest sample at or before `now` of each series, whatever its age and source (the
 *   series registry points at it, so this costs one small read per source); `source` is the writer of the most
 *   recent of them (else of the most recent value shown elsewhere);
 * - averages: the mean of every source's samples in [now - period, now];
 * archived days (contract 10.2) count in each: as the day's mean stamped at its start (archival/archived-reads.ts),
 * and in averages with the weight of their samples;
 * - latest values: the latest sample in [now - window, now]; blood pressure pairs a systolic and a diastolic
 *   reading of the same source at most 5 s apart (the most recent such pair), measured at the systolic reading.
 * `age` is null until birth dates are stored; callers that know it may pass it.
 */

export interface BodyQuery {
  averagePeriodDays: number;
  latestWindowHours: number;
  now: number;
  age?: number | null;
}

export interface SourcedSample {
  sourceKey: string;
  sample: Sample;
}

const SLOW_CHANGING = [
  'weight',
  'height',
  'body_fat_percentage',
  'lean_body_mass',
  'body_mass_index',
] as const;
const AVERAGED = [
  'resting_heart_rate',
  'heart_rate_variability_sdnn',
  'heart_rate_variability_rmssd',
] as const;
const LATEST = [
  'body_temperature',
  'skin_temperature',
  'blood_pressure_systolic',
  'blood_pressure_diastolic',
] as const;

export const BLOOD_PRESSURE_PAIRING_MS = 5_000;

/** Body mass index from weight (kg) and height (cm), one decimal. */
export function bmiOf(weightKg: number | null, heightCm: number | null): number | null {
  if (weightKg === null || heightCm === null || heightCm <= 0) return null;
  return roundTo(weightKg / (heightCm / 100) ** 2, 1);
}

const newest = (a: SourcedSample | null, b: SourcedSample | null) =>
  !a || (b && b.sample.timestamp > a.sample.timestamp) ? b : a;

/** The most recent of the samples (of any source). */
export function latestOf(bySource: Map<string, Sample[]>): SourcedSample | null {
  let latest: SourcedSample | null = null;
  for (const [sourceKey, samples] of bySource) {
    for (const sample of samples) latest = newest(latest, { sourceKey, sample });
  }
  return latest;
}

/** The most recent systolic reading that has a diastolic reading of the same source within 5 s. */
export function pairBloodPressure(systolic: Map<string, Sample[]>, diastolic: Map<string, Sample[]>) {
  let best: { sourceKey: string; systolic: Sample; diastolic: Sample } | null = null;
  for (const [sourceKey, readings] of systolic) {
    const partners = diastolic.get(sourceKey) ?? [];
    for (const reading of readings) {
      if (best && reading.timestamp <= best.systolic.timestamp) continue;
      let partner: Sample | undefined;
      for (const d of partners) {
        const gap = Math.abs(d.timestamp - reading.timestamp);
        if (
          gap <= BLOOD_PRESSURE_PAIRING_MS &&
          (!partner || gap < Math.abs(partner.timestamp - reading.timestamp))
        )
          partner = d;
      }
      if (partner) best = { sourceKey, systolic: reading, diastolic: partner };
    }
  }
  return best;
}

/**
 * The latest sample of a series at or before `now`, using the registry's per-source bounds of the raw samples (an
 * entry stays when all its samples were archived).
 */
async function latestUpTo(
  userId: string,
  series: SeriesType,
  entries: SeriesRegistryEntry[],
  now: number,
  sources: Sources,
): Promise<SourcedSample | null> {
  const found = await Promise.all(
    entries
      .filter((e) => e.series === series)
      .map(async (e) => {
        const read = (from: number, to: number) =>
          readSeriesSamples(userId, series, from, to, { sourceKey: e.sourceKey }).then((r) =>
            r.sources[0]?.samples.at(-1),
          );
        // the registry's `last` ends the day of the newest sample written: that day first, then the whole span
        const newestDay = dayStartOf(e.last);
        const sample = await latestWithArchive(
          { userId, series, sourceKey: e.sourceKey },
          now,
          async (from) =>
            newestDay <= now && e.last >= from
              ? ((await read(Math.max(newestDay, from), now + 1)) ??
                (await read(Math.max(e.first, from), now + 1)))
              : read(Math.max(e.first, from), now + 1),
        );
        return sample ? { sourceKey: e.sourceKey, sample } : null;
      }),
  );
  const candidates = found.filter((f) => f !== null);
  const time = Math.max(...candidates.map((c) => c.sample.timestamp));
  const atTime = candidates.filter((c) => c.sample.timestamp === time);
  const winner = bestSource(
    atTime.map((c) => c.sourceKey),
    sources,
  );
  return atTime.find((c) => c.sourceKey === winner) ?? null;
}

export async function bodySummary(
  userId: string,
  query: BodyQuery,
): Promise<z.output<typeof bodySummaryOrNull>> {
  const { now } = query;
  const [{ sources }, entries] = await Promise.all([loadSources(userId), listUserSeries(userId)]);
  const has = new Set(entries.map((e) => e.series));
  const periodStart = now - query.averagePeriodDays * DAY_MS;
  const windowStart = now - query.latestWindowHours * HOUR_MS;
  const read = (series: SeriesType, from: number) =>
    has.has(series)
      ? readBySourceWithArchive(userId, series, from, now + 1)
      : Promise.resolve(new Map<string, Sample[]>());

  const [slow, averaged, latest] = await Promise.all([
    Promise.all(SLOW_CHANGING.map((series) => latestUpTo(userId, series, entries, now, sources))),
    Promise.all(AVERAGED.map((series) => read(series, periodStart))),
    Promise.all(LATEST.map((series) => read(series, windowStart))),
  ]);
  const [weight, height, bodyFat, leanMass, bmi] = slow;
  const [restingHr, sdnn, rmssd] = averaged.map((bySource) => meanWithArchive([...bySource.values()].flat()));
  const [bodyTemperatureSamples, skinTemperatureSamples, systolic, diastolic] = latest as [
    Map<string, Sample[]>,
    Map<string, Sample[]>,
    Map<string, Sample[]>,
    Map<string, Sample[]>,
  ];
  const bodyTemperature = latestOf(bodyTemperatureSamples);
  const skinTemperature = latestOf(skinTemperatureSamples);
  const pressure = pairBloodPressure(systolic, diastolic);

  const slowLatest = slow.reduce(newest, null);
  const anyValue =
    slowLatest !== null ||
    restingHr != null ||
    sdnn != null ||
    rmssd != null ||
    bodyTemperature !== null ||
    skinTemperature !== null ||
    pressure !== null;
  if (!anyValue) return null;

  const latestShown = [
    bodyTemperature,
    skinTemperature,
    pressure && { sourceKey: pressure.sourceKey, sample: pressure.systolic },
  ]
    .concat(averaged.map(latestOf))
    .reduce(newest, null);
  const sourceKey = (slowLatest ?? latestShown)?.sourceKey;
  const at = (s: SourcedSample | null) => (s ? apiDateTime(new Date(s.sample.timestamp)) : null);
  const weightKg = weight?.sample.value ?? null;
  const heightCm = height?.sample.value ?? null;
  return {
    source: sourceMetadata(sourceKey === undefined ? undefined : sources.get(sourceKey)),
    slow_changing: {
      weight_kg: weightKg,
      height_cm: heightCm,
      body_fat_percent: bodyFat?.sample.value ?? null,
      muscle_mass_kg: leanMass?.sample.value ?? null,
      bmi: bmi?.sample.value ?? bmiOf(weightKg, heightCm),
      age: query.age ?? null,
    },
    averaged: {
      period_days: query.averagePeriodDays,
      resting_heart_rate_bpm: restingHr == null ? null : Math.round(restingHr),
      avg_hrv_sdnn_ms: roundTo(sdnn ?? null, 1),
      avg_hrv_rmssd_ms: roundTo(rmssd ?? null, 1),
      period_start: apiDateTime(new Date(periodStart)),
      period_end: apiDateTime(new Date(now)),
    },
    latest: {
      body_temperature_celsius: bodyTemperature?.sample.value ?? null,
      body_temperature_measured_at: at(bodyTemperature),
      skin_temperature_celsius: skinTemperature?.sample.value ?? null,
      skin_temperature_measured_at: at(skinTemperature),
      blood_pressure: pressure && {
        avg_systolic_mmhg: pressure.systolic.value,
        avg_diastolic_mmhg: pressure.diastolic.value,
        max_systolic_mmhg: null,
        max_diastolic_mmhg: null,
        min_systolic_mmhg: null,
        min_diastolic_mmhg: null,
        reading_count: 1,
      },
      blood_pressure_measured_at: pressure ? apiDateTime(new Date(pressure.systolic.timestamp)) : null,
    },
  };
}
