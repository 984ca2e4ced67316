import type { SleepDetails, SourceRef } from '#shared/model/health-data.js';

/** A source as the ingest layer describes it; the raw name defaults to the writer name. */
export const sourceRef = (
  provider: SourceRef['provider'],
  deviceModel: string | null,
  sourceName: string | null = null,
): SourceRef => ({
  provider,
  deviceModel,
  sourceName,
  softwareVersion: null,
  originalSourceName: sourceName,
});

/** Sleep details with every measurement unknown unless given. */
export const sleepDetails = (details: Partial<SleepDetails> = {}): SleepDetails => ({
  sleep_total_duration_minutes: null,
  sleep_time_in_bed_minutes: null,
  sleep_efficiency_score: null,
  sleep_deep_minutes: null,
  sleep_rem_minutes: null,
  sleep_light_minutes: null,
  sleep_awake_minutes: null,
  is_nap: false,
  sleep_stages: null,
  ...details,
});
