import * as z from 'zod/mini';
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
const zoneOffset = () => z.nullable(z.string());

export const sourceMetadataSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    source: z.nullable(z.string()),
    device: z.nullable(z.string()),
    device_type: z.enum(DEVICE_TYPES),
    device_name: z.nullable(z.string()),
  })
  .check(z.meta({ id: 'SourceMetadata', description: 'Where a record came from (contract 4.7)' }));

export const pagination = z
  .object({
    next_cursor: z.nullable(z.string()),
    previous_cursor: z.nullable(z.string()),
    has_more: z.boolean(),
    total_count: z.nullable(z.number().check(z.int())),
  })
  .check(z.meta({ id: 'Pagination' }));

export const pageMetadata = z
  .object({
    resolution: z.nullable(z.enum(RESOLUTIONS)),
    sample_count: z.number().check(z.int()),
    start_time: z.nullable(dateTime()),
    end_time: z.nullable(dateTime()),
  })
  .check(z.meta({ id: 'PageMetadata' }));

/** The cursor envelope (contract 1.5) around `item`, named `id`. */
export const cursorPage = <T extends z.ZodMiniType>(item: T, id: string) =>
  z.object({ data: z.array(item), pagination, metadata: pageMetadata }).check(z.meta({ id }));

export const timeSeriesSample = z
  .object({
    timestamp: dateTime(),
    zone_offset: zoneOffset(),
    type: z.enum(SERIES_TYPE_CODES),
    value: z.number(),
    unit: z.string(),
    source: sourceMetadataSchema,
    is_daily_total: z.nullable(z.boolean()),
  })
  .check(z.meta({ id: 'TimeSeriesSample' }));
export type TimeSeriesSample = z.output<typeof timeSeriesSample>;
export const timeseriesPage = cursorPage(timeSeriesSample, 'TimeSeriesPage');
export type TimeseriesPage = z.output<typeof timeseriesPage>;

export const workout = z
  .object({
    id: z.uuid(),
    type: z.string(),
    name: z.nullable(z.string()),
    start_time: dateTime(),
    end_time: dateTime(),
    zone_offset: zoneOffset(),
    duration_seconds: z.nullable(z.number()),
    source: sourceMetadataSchema,
    calories_kcal: z.nullable(z.number()),
    distance_meters: z.nullable(z.number()),
    avg_heart_rate_bpm: z.nullable(z.number().check(z.int())),
    max_heart_rate_bpm: z.nullable(z.number().check(z.int())),
    avg_pace_sec_per_km: z.nullable(z.number()),
    elevation_gain_meters: z.nullable(z.number()),
  })
  .check(z.meta({ id: 'Workout' }));
export const workoutPage = cursorPage(workout, 'WorkoutPage');

export const sleepStages = z
  .object({
    awake_minutes: z.number(),
    light_minutes: z.number(),
    deep_minutes: z.number(),
    rem_minutes: z.number(),
  })
  .check(z.meta({ id: 'SleepStages', description: 'Minutes per stage' }));

export const sleepSession = z
  .object({
    id: z.uuid(),
    start_time: dateTime(),
    end_time: dateTime(),
    zone_offset: zoneOffset(),
    source: sourceMetadataSchema,
    duration_seconds: z.number(),
    sleep_duration_seconds: z.nullable(z.number()),
    efficiency_percent: z.nullable(z.number()),
    stages: sleepStages,
    sleep_stage_intervals: z.nullable(
      z.array(z.object({ stage: z.enum(SLEEP_STAGES), start_time: dateTime(), end_time: dateTime() })),
    ),
    is_nap: z.boolean(),
  })
  .check(z.meta({ id: 'SleepSession' }));
export const sleepSessionPage = cursorPage(sleepSession, 'SleepSessionPage');

const intOrNull = () => z.nullable(z.number().check(z.int()));
const boolOrNull = () => z.nullable(z.boolean());

export const menstrualCycleRecord = z
  .object({
    id: z.uuid(),
    start_time: dateTime(),
    end_time: dateTime(),
    zone_offset: zoneOffset(),
    source: sourceMetadataSchema,
    current_phase: intOrNull(),
    current_phase_type: z.nullable(z.string()),
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
    pregnancy_snapshot: z.nullable(z.array(z.unknown())),
    last_updated_at: z.nullable(dateTime()),
  })
  .check(z.meta({ id: 'MenstrualCycleRecord' }));
export const menstrualCyclePage = cursorPage(menstrualCycleRecord, 'MenstrualCyclePage');

export const healthScore = z
  .object({
    id: z.uuid(),
    category: z.enum(HEALTH_SCORE_CATEGORIES),
    value: z.nullable(z.number()),
    qualifier: z.nullable(z.string()),
    recorded_at: dateTime(),
    zone_offset: zoneOffset(),
    components: z.nullable(
      z.record(
        z.string(),
        z.object({ value: z.nullable(z.number()), qualifier: z.optional(z.nullable(z.string())) }),
      ),
    ),
    data_source_id: z.nullable(z.uuid()),
    provider: z.enum(PROVIDERS),
  })
  .check(z.meta({ id: 'HealthScore' }));
export const healthScorePage = cursorPage(healthScore, 'HealthScorePage');

export const dataSource = z
  .object({
    id: z.uuid(),
    user_id: z.uuid(),
    provider: z.enum(PROVIDERS),
    user_connection_id: z.nullable(z.string()),
    device_model: z.nullable(z.string()),
    software_version: z.nullable(z.string()),
    source: z.nullable(z.string()),
    device_type: z.enum(DEVICE_TYPES),
    original_source_name: z.nullable(z.string()),
    display_name: z.string(),
  })
  .check(z.meta({ id: 'DataSource' }));
export const dataSourceList = z
  .object({ items: z.array(dataSource), total: z.number().check(z.int()) })
  .check(z.meta({ id: 'DataSourceList' }));
