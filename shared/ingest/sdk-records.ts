import { type Drops, lookup, type SeriesCollector, sourceRef } from '#shared/ingest/sdk-collect.js';
import { SDK_METRIC_TYPES } from '#shared/ingest/sdk-mappings.js';
import type { MetricRecord } from '#shared/ingest/sdk-payload.js';
import type { WorkoutEvent } from '#shared/ingest/sdk-workouts.js';
import { isStorableSpan } from '#shared/model/limits.js';
import type { SdkProvider } from '#shared/model/provider.js';

/**
 * SDK `records[]` -> samples, plus the category samples the unified model has an event for: a HealthKit mindful
 * session is a `meditation` workout (the type breathwork sessions of other providers map to). Everything else the
 * model has no type for (menstrual flow, ovulation tests, most nutrients...) is dropped and counted by type, so an
 * integrator sees it in `dropped_count` and the operator in the logs.
 */

const MINDFUL_SESSION = 'HKCategoryTypeIdentifierMindfulSession';

function mindfulSession(record: MetricRecord, provider: SdkProvider): WorkoutEvent {
  return {
    category: 'workout',
    type: 'meditation',
    source: sourceRef(record.source, provider),
    start: record.startDate,
    end: record.endDate,
    zoneOffset: record.zoneOffset,
    durationSeconds: Math.round((record.endDate - record.startDate) / 1000),
    externalId: record.id,
    details: {},
  };
}

/** Adds every mapped record to `collector`; returns the records that are events. */
export function collectRecords(
  collector: SeriesCollector,
  records: MetricRecord[],
  provider: SdkProvider,
  drops: Drops,
): WorkoutEvent[] {
  const events: WorkoutEvent[] = [];
  for (const record of records) {
    const type = record.type ?? '(no type)';
    if (type === MINDFUL_SESSION) {
      if (isStorableSpan(record.startDate, record.endDate) && record.endDate > record.startDate) {
        events.push(mindfulSession(record, provider));
      } else drops.add('mindful session without a valid time span');
      continue;
    }
    const series = lookup(SDK_METRIC_TYPES, type);
    if (series === undefined) {
      drops.add(`no unified type for ${type}`);
      continue;
    }
    const sent = {
      timestamp: record.startDate,
      value: record.value,
      unit: record.unit,
      zoneOffset: record.zoneOffset,
    };
    collector.addValue(sourceRef(record.source, provider), series, sent, provider, drops);
  }
  return events;
}
