import type { ProviderName } from '#shared/model/provider.js';
import type { SeriesType } from '#shared/model/series.js';

/**
 * The unified data model as the ingest layer produces it and the store persists it. Timestamps are epoch
 * milliseconds (UTC); `zoneOffset` is `±HH:MM` or null.
 */

/** Who wrote a record: the provider integration plus the writing device/app (contract 6.2 "derived provenance"). */
export interface SourceRef {
  provider: ProviderName;
  /** `deviceModel`, else `productType` (e.g. `Watch7,1`, `SM-R960`). */
  deviceModel: string | null;
  /** Writer name: `name`, else `deviceName`, else `appId`, else `bundleIdentifier`. */
  sourceName: string | null;
  softwareVersion: string | null;
  /** The raw name as sent, kept for display. */
  originalSourceName: string | null;
}

export interface Sample {
  timestamp: number;
  value: number;
  zoneOffset: string | null;
  /** true = provider daily total, false = intraday sample (SUM series); null for non-SUM series. */
  isDailyTotal: boolean | null;
}

export interface SeriesSamples {
  source: SourceRef;
  series: SeriesType;
  samples: Sample[];
}

export interface WorkoutDetails {
  heart_rate_min?: number | null;
  heart_rate_max?: number | null;
  heart_rate_avg?: number | null;
  energy_burned?: number | null;
  distance?: number | null;
  steps_count?: number | null;
  max_speed?: number | null;
  max_watts?: number | null;
  moving_time_seconds?: number | null;
  total_elevation_gain?: number | null;
  average_speed?: number | null;
  average_cadence?: number | null;
  average_watts?: number | null;
  elev_high?: number | null;
  elev_low?: number | null;
}

export const SLEEP_STAGES = ['in_bed', 'sleeping', 'awake', 'light', 'deep', 'rem', 'unknown'] as const;
export type SleepStage = (typeof SLEEP_STAGES)[number];
/** Stages that count as sleep (total sleep = sleeping + light + deep + rem). */
export const ASLEEP_STAGES: readonly SleepStage[] = ['sleeping', 'light', 'deep', 'rem'];

export interface StageInterval {
  stage: SleepStage;
  start: number;
  end: number;
}

export interface SleepDetails {
  sleep_total_duration_minutes: number | null;
  sleep_time_in_bed_minutes: number | null;
  sleep_efficiency_score: number | null;
  sleep_deep_minutes: number | null;
  sleep_rem_minutes: number | null;
  sleep_light_minutes: number | null;
  sleep_awake_minutes: number | null;
  is_nap: boolean;
  sleep_stages: StageInterval[] | null;
}

export interface MenstrualCycleDetails {
  day_in_cycle?: number | null;
  current_phase?: number | null;
  current_phase_type?: string | null;
  length_of_current_phase?: number | null;
  days_until_next_phase?: number | null;
  predicted_cycle_length?: number | null;
  is_predicted_cycle?: boolean | null;
  cycle_length?: number | null;
  last_updated_at?: number | null;
  has_specified_cycle_length?: boolean | null;
  has_specified_period_length?: boolean | null;
  period_length?: number | null;
  fertile_window_start?: number | null;
  length_of_fertile_window?: number | null;
  pregnancy_snapshot?: unknown[] | null;
}

interface EventBase {
  source: SourceRef;
  start: number;
  end: number;
  zoneOffset: string | null;
  durationSeconds: number | null;
  externalId: string | null;
}

export type HealthEvent =
  | (EventBase & { category: 'workout'; type: string | null; details: WorkoutDetails })
  | (EventBase & { category: 'sleep'; type: 'sleep_session'; details: SleepDetails })
  | (EventBase & { category: 'menstrual_cycle'; type: null; details: MenstrualCycleDetails });

export const HEALTH_SCORE_CATEGORIES = [
  'sleep',
  'recovery',
  'readiness',
  'activity',
  'stress',
  'resilience',
  'body_battery',
  'strain',
] as const;
export type HealthScoreCategory = (typeof HEALTH_SCORE_CATEGORIES)[number];

export interface HealthScore {
  source: SourceRef;
  category: HealthScoreCategory;
  value: number | null;
  qualifier: string | null;
  recordedAt: number;
  zoneOffset: string | null;
  components: Record<string, { value: number | null; qualifier?: string | null }> | null;
}
