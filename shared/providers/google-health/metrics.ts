import type { Sample, SeriesSamples } from '#shared/model/health-data.js';
import { roundTo } from '#shared/model/numbers.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';
import {
  allPoints,
  civilRange,
  dateOf,
  dateRange,
  fieldAt,
  filterName,
  instantLiteral,
  instantOf,
  MERGED_SOURCE,
  offsetOf,
  rangeFilter,
  reconcilePath,
  rollUpPath,
} from '#shared/providers/google-health/common.js';
import type { MetricType, ValueField } from '#shared/providers/google-health/data-types.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject, numberOf, textOf } from '#shared/providers/json.js';
import type { ProviderGet } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/**
 * One metric data type over `[start, end)` as series samples (providers.md 4.9): `reconcile` (Google's merge of
 * every source, what the reference reads at raw granularity) with the type's time filter, or hourly `rollUp`
 * windows for total calories, which has no raw points. A point whose time or value does not read is skipped and
 * counted; the rest of the page is kept.
 */

/** The API's largest page (for sample streams such as heart rate, tens of thousands of points a week). */
export const PAGE_SIZE = 10_000;
const HOUR_MS = 3_600_000;
const MAX_ROLLUP_PAGES = 100;

export interface MetricResult {
  series: SeriesSamples[];
  skipped: number;
}

/** Samples per series and time: a later point of the same time replaces the earlier (the store's upsert). */
class Samples {
  private readonly bySeries = new Map<SeriesType, Map<number, Sample>>();
  skipped = 0;

  /** Every valid field of one value object at `timestamp`; false when none was. */
  add(fields: readonly ValueField[], value: unknown, timestamp: number, zoneOffset: string | null): boolean {
    let added = false;
    for (const field of fields) {
      const raw = numberOf(fieldAt(value, field.path));
      if (raw === null) continue;
      const canonical = roundTo(raw * (field.scale ?? 1), 3);
      if (!field.valid(canonical)) continue;
      const isDailyTotal = SERIES_TYPES[field.series].aggregation === 'sum' ? false : null;
      const group = this.bySeries.get(field.series) ?? new Map<number, Sample>();
      group.set(timestamp, { timestamp, value: canonical, zoneOffset, isDailyTotal });
      this.bySeries.set(field.series, group);
      added = true;
    }
    return added;
  }

  result(): MetricResult {
    const series = [...this.bySeries].map(([type, samples]) => ({
      source: MERGED_SOURCE,
      series: type,
      samples: [...samples.values()].sort((a, b) => a.timestamp - b.timestamp),
    }));
    return { series, skipped: this.skipped };
  }
}

/** The AIP-160 filter selecting the type's points of `[start, end)`. */
export function metricFilter(type: MetricType, start: number, end: number): string {
  const name = filterName(type.dataType);
  switch (type.shape) {
    case 'interval':
      return rangeFilter(`${name}.interval.start_time`, instantLiteral(start), instantLiteral(end));
    case 'sample':
      return rangeFilter(`${name}.sample_time.physical_time`, instantLiteral(start), instantLiteral(end));
    case 'date':
      return rangeFilter(`${name}.date`, ...dateRange(start, end));
    case 'civil-interval':
      return civilRange(`${name}.interval.civil_start_time`, start, end);
    case 'rollup':
      throw new Error(`${type.dataType} is read with rollUp, not a filter`);
  }
}

/** A point's time and zone offset by the type's shape; null when they do not read. */
function timeOf(type: MetricType, value: unknown): { at: number; offset: string | null } | null {
  if (!isObject(value)) return null;
  if (type.shape === 'date') {
    const at = dateOf(value.date);
    return at === null ? null : { at, offset: null };
  }
  const [time, offset] =
    type.shape === 'sample'
      ? [fieldAt(value, ['sampleTime', 'physicalTime']), fieldAt(value, ['sampleTime', 'utcOffset'])]
      : [fieldAt(value, ['interval', 'startTime']), fieldAt(value, ['interval', 'startUtcOffset'])];
  const at = instantOf(time);
  return at === null ? null : { at, offset: offsetOf(offset) };
}

async function reconciled(get: ProviderGet, type: MetricType, start: number, end: number) {
  const points = await allPoints(
    get,
    reconcilePath(type.dataType),
    metricFilter(type, start, end),
    PAGE_SIZE,
  );
  const samples = new Samples();
  for (const point of points) {
    const value = isObject(point) ? point[type.valueKey] : undefined;
    const time = timeOf(type, value);
    // A civil filter is wider than the window (any zone): the rest belongs to the neighbouring units.
    if (time && type.shape === 'civil-interval' && (time.at < start || time.at >= end)) continue;
    if (!time || !samples.add(type.fields, value, time.at, time.offset)) samples.skipped++;
  }
  return samples.result();
}

/** Hourly windows of `[start, end)` widened to whole hours, in requests of at most the type's range. */
async function rolledUp(get: ProviderGet, type: MetricType, start: number, end: number) {
  const samples = new Samples();
  const from = Math.floor(start / HOUR_MS) * HOUR_MS;
  const to = Math.ceil(end / HOUR_MS) * HOUR_MS;
  for (const range of dayChunks(from, to, type.maxRangeDays ?? 90, type.dataType)) {
    const request = {
      range: { startTime: instantLiteral(range.start), endTime: instantLiteral(range.end) },
      windowSize: '3600s',
      pageSize: Math.min(Math.ceil((range.end - range.start) / HOUR_MS), PAGE_SIZE),
    };
    let pageToken: string | null = null;
    for (let page = 0; ; page++) {
      if (page >= MAX_ROLLUP_PAGES)
        throw new ProviderRequestError(0, `${type.dataType} rollUp still had more pages after ${page}`);
      const body = await get(
        rollUpPath(type.dataType),
        {},
        {
          method: 'POST',
          json: pageToken ? { ...request, pageToken } : request,
        },
      );
      const windows = isObject(body) && Array.isArray(body.rollupDataPoints) ? body.rollupDataPoints : [];
      for (const window of windows) {
        const at = isObject(window) ? instantOf(window.startTime) : null;
        const value = isObject(window) ? window[type.valueKey] : undefined;
        if (at === null || !samples.add(type.fields, value, at, null)) samples.skipped++;
      }
      const next: string | null = isObject(body) ? textOf(body.nextPageToken) : null;
      if (!next || next === pageToken) break;
      pageToken = next;
    }
  }
  return samples.result();
}

export function pullMetric(
  get: ProviderGet,
  type: MetricType,
  start: number,
  end: number,
): Promise<MetricResult> {
  return type.shape === 'rollup' ? rolledUp(get, type, start, end) : reconciled(get, type, start, end);
}
