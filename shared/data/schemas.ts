import * as z from 'zod';
import { RESOLUTIONS } from '#shared/data/bucketing.js';
import { HEALTH_SCORE_CATEGORIES, SLEEP_STAGES } from '#shared/model/health-data.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';
import { DEVICE_TYPES } from '#shared/model/sources.js';

/**
 * Response schemas of the health-data reads (contract 4.8-4.11, 1.5): what the builders of this folder return,
 * typed by them (`z.output`) and published under their `id` in the OpenAPI document.
 */

const dateTime = () => z.iso.datetime();
const zoneOffset = () => z.string().nullable();

export const sourceMetadataSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    source: z.string().nullable(),
    device: z.string().nullable(),
    device_type: z.enum(DEVICE_TYPES),
    device_name: z.string().nullable(),
  })
  .meta({ id: 'SourceMetadata', description: 'Where a record came from (contract 4.7)' });

export const pagination = z
  .object({
    next_cursor: z.string().nullable(),
    previous_cursor: z.string().nullable(),
    has_more: z.boolean(),
    total_count: z.number().int().nullable(),
  })
  .meta({ id: 'Pagination' });

export const pageMetadata = z
  .object({
    resolution: z.enum(RESOLUTIONS).nullable(),
    sample_count: z.number().int(),
    start_time: dateTime().nullable(),
    end_time: dateTime().nullable(),
  })
  .meta({ id: 'PageMetadata' });

/** The cursor envelope (contract 1.5) around `item`, named `id`. */
export const cursorPage = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ data: z.array(item), pagination, metadata: pageMetadata }).meta({ id });

export const timeSeriesSample = z
  .object({
    timestamp: dateTime(),
    zone_offset: zoneOffset(),
    type: z.enum(SERIES_TYPE_CODES),
    value: z.number(),
    unit: z.string(),
    source: sourceMetadataSchema,
    is_daily_total: z.boolean().nullable(),
  })
  .meta({ id: 'TimeSeriesSample' });
export type TimeSeriesSample = z.output<typeof timeSeriesSample>;
export const timeseriesPage = cursorPage(timeSeriesSample, 'TimeSeriesPage');
export type TimeseriesPage = z.output<typeof timeseriesPage>;

export const workout = z
  .object({
    id: z.uuid(),
    type: z.string(),
    name: z.string().nullable(),
    start_time: dateTime(),
    end_time: dateTime(),
    zone_offset: zoneOffset(),
    duration_seconds: z.number().nullable(),
    source: sourceMetadataSchema,
    calories_kcal: z.number().nullable(),
    distance_meters: z.number().nullable(),
    avg_heart_rate_bpm: z.number().int().nullable(),
    max_heart_rate_bpm: z.number().int().nullable(),
    avg_pace_sec_per_km: z.number().nullable(),
    elevation_gain_meters: z.number().nullable(),
  })
  .meta({ id: 'Workout' });
export const workoutPage = cursorPage(workout, 'WorkoutPage');

export const sleepStages = z
  .object({
    awake_minutes: z.number(),
    light_minutes: z.number(),
    deep_minutes: z.number(),
    rem_minutes: z.number(),
  })
  .meta({ id: 'SleepStages', description: 'Minutes per stage' });

export const sleepSession = z
  .object({
    id: z.uuid(),
    start_time: dateTime(),
    end_time: dateTime(),
    zone_offset: zoneOffset(),
    source: sourceMetadataSchema,
    duration_seconds: z.number(),
    sleep_duration_seconds: z.number().nullable(),
    efficiency_percent: z.number().nullable(),
    stages: sleepStages,
    sleep_stage_intervals: z
      .array(z.object({ stage: z.enum(SLEEP_STAGES), start_time: dateTime(), end_time: dateTime() }))
      .nullable(),
    is_nap: z.boolean(),
  })
  .meta({ id: 'SleepSession' });
export const sleepSessionPage = cursorPage(sleepSession, 'SleepSessionPage');

const intOrNull = () => z.number().int().nullable();
const boolOrNull = () => z.boolean().nullable();

export const menstrualCycleRecord = z
  .object({
    id: z.uuid(),
    start_time: dateTime(),
    end_time: dateTime(),
    zone_offset: zoneOffset(),
    source: sourceMetadataSchema,
    current_phase: intOrNull(),
    current_phase_type: z.string().nullable(),
    day_in_cycle: intOrNull(),
    cycle_length: intOrNull(),
    predicted_cycle_length: intOrNull(),
    is_predicted_cycle: boolOrNull(),
    period_length: intOrNull(),
    length_of_current_phase: intOrNull(),
    days_until_next_phase: intOrNull(),
    fertile_window_start: intOrNull(),
    length_of_fertile_window: intOrNull(),
    has_specified_cycle_length: boolOrNull(),
    has_specified_period_length: boolOrNull(),
    pregnancy_snapshot: z.array(z.unknown()).nullable(),
    last_updated_at: dateTime().nullable(),
  })
  .meta({ id: 'MenstrualCycleRecord' });
export const menstrualCyclePage = cursorPage(menstrualCycleRecord, 'MenstrualCyclePage');

export const healthScore = z
  .object({
    id: z.uuid(),
    category: z.enum(HEALTH_SCORE_CATEGORIES),
    value: z.number().nullable(),
    qualifier: z.string().nullable(),
    recorded_at: dateTime(),
    zone_offset: zoneOffset(),
    components: z
      .record(
        z.string(),
        z.object({ value: z.number().nullable(), qualifier: z.string().nullable().optional() }),
      )
      .nullable(),
    data_source_id: z.uuid().nullable(),
    provider: z.enum(PROVIDERS),
  })
  .meta({ id: 'HealthScore' });
export const healthScorePage = cursorPage(healthScore, 'HealthScorePage');

export const dataSource = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    provider: z.enum(PROVIDERS),
    user_connection_id: z.string().nullable(),
    device_model: z.string().nullable(),
    software_version: z.string().nullable(),
    source: z.string().nullable(),
    device_type: z.enum(DEVICE_TYPES),
    original_source_name: z.string().nullable(),
    display_name: z.string(),
  })
  .meta({ id: 'DataSource' });
export const dataSourceList = z
  .object({ items: z.array(dataSource), total: z.number().int() })
  .meta({ id: 'DataSourceList' });
