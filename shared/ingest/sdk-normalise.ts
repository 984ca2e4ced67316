import { SDK_METRIC_TYPES, SDK_WORKOUT_TYPES } from '#shared/ingest/sdk-mappings.js';
import {
  type MetricRecord,
  parseSyncRequest,
  type SleepRecord,
  type SourceInfo,
  type Workout,
} from '#shared/ingest/sdk-payload.js';
import {
  type HealthEvent,
  type Sample,
  type SeriesSamples,
  SLEEP_STAGES,
  type SleepStage,
  type SourceRef,
  type WorkoutDetails,
} from '#shared/model/health-data.js';
import { isStorableSample, isStorableSpan, isStorableValue } from '#shared/model/limits.js';
import { roundTo } from '#shared/model/numbers.js';
import type { SdkProvider } from '#shared/model/provider.js';
import { SERIES_TYPES, type SeriesType } from '#shared/model/series.js';

/**
 * Mobile SDK batch -> unified model (contract 6.3.1-6.3.3), pure. Sleep comes out as raw stage segments:
 * assembling them into sessions needs state across batches (sleep-assembly.ts).
 */

export type WorkoutEvent = Extract<HealthEvent, { category: 'workout' }>;

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
}

const MG_DL_PER_MMOL_L = 18.0182;
const FRACTION_PERCENT_SERIES = new Set<SeriesType>([
  'walking_double_support_percentage',
  'walking_asymmetry_percentage',
  'walking_steadiness',
]);

/** Data source identity within one user: provider, device model and writer name (contract 5.1). */
export const sourceKey = (source: SourceRef) =>
  JSON.stringify([source.provider, source.deviceModel, source.sourceName]);

function sourceRef(info: SourceInfo | null, provider: SdkProvider): SourceRef {
  const os = info?.operatingSystemVersion;
  return {
    provider,
    deviceModel: info?.deviceModel ?? info?.productType ?? null,
    sourceName: info?.name ?? info?.deviceName ?? info?.appId ?? info?.bundleIdentifier ?? null,
    softwareVersion: os ? `${os.majorVersion}.${os.minorVersion}.${os.patchVersion}` : null,
    originalSourceName: info?.name ?? null,
  };
}

const lookup = <T>(table: Record<string, T>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

const isDailyTotal = (series: SeriesType) => (SERIES_TYPES[series].aggregation === 'sum' ? false : null);

/** SDK units -> the series' canonical unit (contract 6.3.1 "Value normalisation"). */
function unitFactor(series: SeriesType, unit: string | null, provider: SdkProvider): number {
  if (series === 'height' || series === 'walking_step_length') return 100;
  if (FRACTION_PERCENT_SERIES.has(series)) return 100;
  if (series === 'body_fat_percentage' && provider === 'apple') return 100;
  if (series === 'blood_glucose' && unit?.trim().toLowerCase().startsWith('mmol')) return MG_DL_PER_MMOL_L;
  return 1;
}

/** Samples keyed by (source, series, timestamp): a later sample replaces an earlier one, as the upsert does. */
class SeriesCollector {
  private readonly groups = new Map<
    string,
    { source: SourceRef; series: SeriesType; samples: Map<number, Sample> }
  >();

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

/** Counts dropped items by reason. */
class Drops {
  readonly reasons: Record<string, number> = {};

  add(reason: string, count = 1): void {
    if (count > 0) this.reasons[reason] = (this.reasons[reason] ?? 0) + count;
  }

  get total(): number {
    return Object.values(this.reasons).reduce((sum, n) => sum + n, 0);
  }
}

/** Adds every mapped record (unmapped types are skipped, contract 6.2); unstorable ones are dropped. */
function collectRecords(
  collector: SeriesCollector,
  records: MetricRecord[],
  provider: SdkProvider,
  drops: Drops,
) {
  for (const record of records) {
    const series = record.type === null ? undefined : lookup(SDK_METRIC_TYPES, record.type);
    if (series === undefined) continue;
    const sample = {
      timestamp: record.startDate,
      value: roundTo(record.value * unitFactor(series, record.unit, provider), 3),
      zoneOffset: record.zoneOffset,
      isDailyTotal: isDailyTotal(series),
    };
    if (!isStorableSample(sample)) {
      drops.add('value or time out of range');
      continue;
    }
    collector.add(sourceRef(record.source, provider), series, sample);
  }
}

type DetailField = keyof WorkoutDetails;

const DETAIL_STATISTICS: Record<string, DetailField> = {
  distance: 'distance',
  stepCount: 'steps_count',
  minHeartRate: 'heart_rate_min',
  averageHeartRate: 'heart_rate_avg',
  meanHeartRate: 'heart_rate_avg',
  maxHeartRate: 'heart_rate_max',
  averageRunningPower: 'average_watts',
  averageRunningSpeed: 'average_speed',
  averageSpeed: 'average_speed',
  meanSpeed: 'average_speed',
  maxSpeed: 'max_speed',
  elevationAscended: 'total_elevation_gain',
  altitudeGain: 'total_elevation_gain',
  maxAltitude: 'elev_high',
  minAltitude: 'elev_low',
};

/** Decimal places of the reference's workout_details columns (contract 5.1); everything else has 3. */
const DETAIL_PLACES: Partial<Record<DetailField, number>> = {
  steps_count: 0,
  heart_rate_min: 0,
  heart_rate_max: 0,
  heart_rate_avg: 2,
  average_speed: 2,
  max_speed: 2,
};

const ENERGY_STATISTICS = new Set(['activeEnergyBurned', 'basalEnergyBurned', 'calories', 'totalCalories']);
const DURATION_STATISTICS = new Set(['duration', 'totalDuration']);

/** Workout-level statistics kept as a time-series sample at the workout's end (contract 6.3.2). */
const SERIES_STATISTICS: Record<string, SeriesType> = {
  averageRunningStrideLength: 'running_stride_length',
  averageVerticalOscillation: 'running_vertical_oscillation',
  averageGroundContactTime: 'running_ground_contact_time',
  averageMETs: 'average_met',
  weatherTemperature: 'weather_temperature',
  weatherHumidity: 'weather_humidity',
  swimmingStrokeCount: 'swimming_stroke_count',
  meanCadence: 'cadence',
  maxCadence: 'cadence',
  vo2Max: 'vo2_max',
  totalEnergyBurned: 'energy',
  totalDistance: 'distance_walking_running',
  totalSteps: 'steps',
};

const workoutType = (type: string | null) =>
  type === null ? null : (lookup(SDK_WORKOUT_TYPES, type.trim().toLowerCase()) ?? 'other');

function workoutEvent(workout: Workout, source: SourceRef): WorkoutEvent {
  const details: WorkoutDetails = {};
  let energy: number | null = null;
  let durationSeconds = (workout.endDate - workout.startDate) / 1000;
  for (const { type, unit, value } of workout.values) {
    if (!isStorableValue(value)) continue;
    const field = lookup(DETAIL_STATISTICS, type);
    if (field) details[field] = roundTo(value, DETAIL_PLACES[field] ?? 3);
    else if (ENERGY_STATISTICS.has(type)) energy = (energy ?? 0) + value;
    else if (DURATION_STATISTICS.has(type)) durationSeconds = unit === 'ms' ? value / 1000 : value;
  }
  if (energy !== null) details.energy_burned = roundTo(energy, 3);
  return {
    category: 'workout',
    type: workoutType(workout.type),
    source,
    start: workout.startDate,
    end: workout.endDate,
    zoneOffset: workout.zoneOffset,
    durationSeconds: Math.round(durationSeconds),
    externalId: workout.id,
    details,
  };
}

function addWorkoutSamples(collector: SeriesCollector, workout: Workout, source: SourceRef): void {
  for (const { type, value } of workout.values) {
    const series = lookup(SERIES_STATISTICS, type);
    if (!series || !isStorableValue(value)) continue;
    const sample = {
      timestamp: workout.endDate,
      value: roundTo(value, 3),
      zoneOffset: workout.zoneOffset,
      isDailyTotal: isDailyTotal(series),
    };
    collector.add(source, series, sample);
  }
}

/** First of each (source, start, end): the reference skips a workout already stored under that identity. */
function uniqueWorkouts(workouts: WorkoutEvent[]): WorkoutEvent[] {
  const byIdentity = new Map<string, WorkoutEvent>();
  for (const workout of workouts) {
    const key = `${sourceKey(workout.source)}|${workout.start}|${workout.end}`;
    if (!byIdentity.has(key)) byIdentity.set(key, workout);
  }
  return [...byIdentity.values()];
}

const isSleepStage = (stage: string): stage is SleepStage =>
  (SLEEP_STAGES as readonly string[]).includes(stage);

/** Known stages only (anything else is ignored, not dropped), first of each (source, start, end, stage). */
function sleepSegments(records: SleepRecord[], provider: SdkProvider, drops: Drops): SleepSegment[] {
  const byIdentity = new Map<string, SleepSegment>();
  for (const record of records) {
    if (!isSleepStage(record.stage)) continue;
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
  const { records, workouts, sleep, dropped, received } = parsed.request;
  const drops = new Drops();
  drops.add('invalid item', dropped);
  const collector = new SeriesCollector();
  collectRecords(collector, records, provider, drops);
  const storable = workouts.filter((workout) => isStorableSpan(workout.startDate, workout.endDate));
  drops.add('workout time out of range', workouts.length - storable.length);
  const workoutEvents = storable.map((workout) => {
    const source = sourceRef(workout.source, provider);
    addWorkoutSamples(collector, workout, source);
    return workoutEvent(workout, source);
  });
  const segments = sleepSegments(sleep, provider, drops);
  return {
    ok: true,
    batch: {
      series: collector.result(),
      workouts: uniqueWorkouts(workoutEvents),
      sleepSegments: segments,
      dropped: drops.total,
      dropReasons: drops.reasons,
      received,
    },
  };
}
