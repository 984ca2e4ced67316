import { Drops, SeriesCollector, sourceKey, sourceRef } from '#shared/ingest/sdk-collect.js';
import { parseSyncRequest, type SleepRecord, type SyncType } from '#shared/ingest/sdk-payload.js';
import { collectRecords } from '#shared/ingest/sdk-records.js';
import {
  addWorkoutSamples,
  uniqueWorkouts,
  type WorkoutEvent,
  workoutEvent,
} from '#shared/ingest/sdk-workouts.js';
import {
  type SeriesSamples,
  SLEEP_STAGES,
  type SleepStage,
  type SourceRef,
} from '#shared/model/health-data.js';
import { isStorableSpan } from '#shared/model/limits.js';
import type { SdkProvider } from '#shared/model/provider.js';

/**
 * Mobile SDK batch -> unified model (contract 6.3.1-6.3.3), pure. Sleep comes out as raw stage segments:
 * assembling them into sessions needs state across batches (sleep-assembly.ts).
 */

export interface SleepSegment {
  source: SourceRef;
  stage: SleepStage;
  start: number;
  end: number;
  zoneOffset: string | null;
  externalId: string | null;
}

export interface NormalisedBatch {
  /** One entry per (data source, series); samples in time order, one per timestamp. */
  series: SeriesSamples[];
  workouts: WorkoutEvent[];
  sleepSegments: SleepSegment[];
  /** Items that failed validation or cannot be stored (see `dropReasons`). */
  dropped: number;
  /** Why items were dropped, for the logs: reason -> count. */
  dropReasons: Record<string, number>;
  /** Items present in the payload, before validation. */
  received: { records: number; workouts: number; sleep: number };
  /** The sync session the batch belongs to, when the SDK names one. */
  sync: { sessionId: string | null; type: SyncType | null };
}

const isSleepStage = (stage: string): stage is SleepStage =>
  (SLEEP_STAGES as readonly string[]).includes(stage);

/** Known stages only (anything else is dropped and counted), first of each (source, start, end, stage). */
function sleepSegments(records: SleepRecord[], provider: SdkProvider, drops: Drops): SleepSegment[] {
  const byIdentity = new Map<string, SleepSegment>();
  for (const record of records) {
    if (!isSleepStage(record.stage)) {
      drops.add(`unknown sleep stage ${record.stage}`);
      continue;
    }
    if (!isStorableSpan(record.startDate, record.endDate)) {
      drops.add('sleep time out of range');
      continue;
    }
    const source = sourceRef(record.source, provider);
    const key = `${sourceKey(source)}|${record.startDate}|${record.endDate}|${record.stage}`;
    if (byIdentity.has(key)) continue;
    byIdentity.set(key, {
      source,
      stage: record.stage,
      start: record.startDate,
      end: record.endDate,
      zoneOffset: record.zoneOffset,
      externalId: record.id,
    });
  }
  return [...byIdentity.values()];
}

export function normaliseSdkBatch(
  body: unknown,
  provider: SdkProvider,
): { ok: true; batch: NormalisedBatch } | { ok: false; error: string } {
  const parsed = parseSyncRequest(body);
  if (!parsed.ok) return parsed;
  const { records, workouts, sleep, dropped, received, syncSessionId, syncType } = parsed.request;
  const drops = new Drops();
  drops.add('invalid item', dropped);
  const collector = new SeriesCollector();
  const recordEvents = collectRecords(collector, records, provider, drops);
  const storable = workouts.filter((workout) => isStorableSpan(workout.startDate, workout.endDate));
  drops.add('workout time out of range', workouts.length - storable.length);
  const workoutEvents = storable.map((workout) => {
    const source = sourceRef(workout.source, provider);
    addWorkoutSamples(collector, workout, source, provider, drops);
    return workoutEvent(workout, source);
  });
  const segments = sleepSegments(sleep, provider, drops);
  return {
    ok: true,
    batch: {
      series: collector.result(),
      workouts: uniqueWorkouts([...workoutEvents, ...recordEvents]),
      sleepSegments: segments,
      dropped: drops.total,
      dropReasons: drops.reasons,
      received,
      sync: { sessionId: syncSessionId, type: syncType },
    },
  };
}
