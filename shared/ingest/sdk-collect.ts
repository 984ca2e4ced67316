import type { SourceInfo } from '#shared/ingest/sdk-payload.js';
import { toCanonicalUnit } from '#shared/ingest/sdk-units.js';
import type { Sample, SeriesSamples, SourceRef } from '#shared/model/health-data.js';
import { isStorableSample } from '#shared/model/limits.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SdkProvider } from '#shared/model/provider.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';

/** The building blocks of the SDK batch normaliser: provenance, the sample collector and the drop tally. */

/** Data source identity within one user: provider, device model and writer name (contract 5.1). */
export const sourceKey = (source: SourceRef) =>
  JSON.stringify([source.provider, source.deviceModel, source.sourceName]);

export function sourceRef(info: SourceInfo | null, provider: SdkProvider): SourceRef {
  const os = info?.operatingSystemVersion;
  return {
    provider,
    deviceModel: info?.deviceModel ?? info?.productType ?? null,
    sourceName: info?.name ?? info?.deviceName ?? info?.appId ?? info?.bundleIdentifier ?? null,
    softwareVersion: os ? `${os.majorVersion}.${os.minorVersion}.${os.patchVersion}` : null,
    originalSourceName: info?.name ?? null,
  };
}

export const lookup = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

export const isDailyTotal = (series: SeriesType) =>
  SERIES_TYPES[series].aggregation === 'sum' ? false : null;

/** Samples keyed by (source, series, timestamp): a later sample replaces an earlier one, as the upsert does. */
export class SeriesCollector {
  private readonly groups = new Map<
    string,
    { source: SourceRef; series: SeriesType; samples: Map<number, Sample> }
  >();

  /**
   * Adds a value sent in `unit`, converted to the series' unit and kept at 3 decimals; one that cannot be
   * converted or stored is counted in `drops` instead.
   */
  addValue(
    source: SourceRef,
    series: SeriesType,
    sent: { timestamp: number; value: number; unit: string | null; zoneOffset: string | null },
    provider: SdkProvider,
    drops: Drops,
  ): void {
    const value = toCanonicalUnit(series, sent.value, sent.unit, provider);
    if (value === null) {
      drops.add(`unit ${sent.unit} not convertible for ${series}`);
      return;
    }
    const sample = {
      timestamp: sent.timestamp,
      value: roundTo(value, 3),
      zoneOffset: sent.zoneOffset,
      isDailyTotal: isDailyTotal(series),
    };
    if (isStorableSample(sample)) this.add(source, series, sample);
    else drops.add('value or time out of range');
  }

  add(source: SourceRef, series: SeriesType, sample: Sample): void {
    const key = `${sourceKey(source)}|${series}`;
    const group = this.groups.get(key) ?? { source, series, samples: new Map() };
    group.samples.set(sample.timestamp, sample);
    this.groups.set(key, group);
  }

  result(): SeriesSamples[] {
    return [...this.groups.values()].map(({ source, series, samples }) => ({
      source,
      series,
      samples: [...samples.values()].sort((a, b) => a.timestamp - b.timestamp),
    }));
  }
}

/** Distinct reasons kept per batch: a payload of made-up types must not turn the log line into the payload. */
const MAX_REASONS = 32;

/** Counts dropped items by reason, for `dropped_count` and the logs. */
export class Drops {
  readonly reasons: Record<string, number> = {};

  add(reason: string, count = 1): void {
    if (count <= 0) return;
    const known = Object.hasOwn(this.reasons, reason) || Object.keys(this.reasons).length < MAX_REASONS;
    const key = known ? reason : 'other reasons';
    this.reasons[key] = (this.reasons[key] ?? 0) + count;
  }

  get total(): number {
    return Object.values(this.reasons).reduce((sum, n) => sum + n, 0);
  }
}
