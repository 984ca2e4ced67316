import * as z from 'zod/mini';
import { cursorPage, sleepStages, sourceMetadataSchema } from '#shared/data/schemas.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';

/** Response schemas of the summaries (contract 4.7), typed by their builders and published in the OpenAPI document. */

const date = () => z.iso.date();
const dateTime = () => z.iso.datetime();
const int = () => z.number().check(z.int());
const numberOrNull = () => z.nullable(z.number());

export const activitySummary = z
  .object({
    date: date(),
    source: sourceMetadataSchema,
    steps: z.nullable(int()),
    distance_meters: numberOrNull(),
    floors_climbed: z.nullable(int()),
    elevation_meters: numberOrNull(),
    active_calories_kcal: numberOrNull(),
    total_calories_kcal: numberOrNull(),
    active_minutes: z.nullable(int()),
    sedentary_minutes: z.nullable(int()),
    intensity_minutes: z.nullable(z.object({ light: int(), moderate: int(), vigorous: int() })),
    heart_rate: z.nullable(z.object({ avg_bpm: int(), max_bpm: int(), min_bpm: int() })),
  })
  .check(z.meta({ id: 'ActivitySummary' }));
export const activitySummaryPage = cursorPage(activitySummary, 'ActivitySummaryPage');

export const sleepSummary = z
  .object({
    date: date(),
    source: sourceMetadataSchema,
    start_time: z.nullable(dateTime()),
    end_time: z.nullable(dateTime()),
    zone_offset: z.nullable(z.string()),
    duration_minutes: z.nullable(int()),
    total_duration_minutes: z.nullable(int()),
    time_in_bed_minutes: z.nullable(int()),
    efficiency_percent: numberOrNull(),
    stages: z.nullable(sleepStages),
    interruptions_count: z.nullable(int()),
    nap_count: int(),
    nap_duration_minutes: int(),
    sessions: z.nullable(
      z.array(
        z.object({
          start_time: dateTime(),
          end_time: dateTime(),
          zone_offset: z.nullable(z.string()),
          duration_minutes: int(),
          is_nap: z.boolean(),
        }),
      ),
    ),
    avg_heart_rate_bpm: z.nullable(int()),
    avg_hrv_sdnn_ms: numberOrNull(),
    avg_hrv_rmssd_ms: numberOrNull(),
    avg_respiratory_rate: numberOrNull(),
    avg_spo2_percent: numberOrNull(),
  })
  .check(z.meta({ id: 'SleepSummary' }));
export const sleepSummaryPage = cursorPage(sleepSummary, 'SleepSummaryPage');

export const recoverySummary = z
  .object({
    date: date(),
    source: sourceMetadataSchema,
    sleep_duration_seconds: z.nullable(int()),
    sleep_efficiency_percent: numberOrNull(),
    resting_heart_rate_bpm: z.nullable(int()),
    avg_hrv_sdnn_ms: numberOrNull(),
    avg_spo2_percent: numberOrNull(),
    recovery_score: z.nullable(int()),
  })
  .check(z.meta({ id: 'RecoverySummary' }));
export const recoverySummaryPage = cursorPage(recoverySummary, 'RecoverySummaryPage');

export const bodySummary = z
  .object({
    source: sourceMetadataSchema,
    slow_changing: z.object({
      weight_kg: numberOrNull(),
      height_cm: numberOrNull(),
      body_fat_percent: numberOrNull(),
      muscle_mass_kg: numberOrNull(),
      bmi: numberOrNull(),
      age: z.nullable(int()),
    }),
    averaged: z.object({
      period_days: int(),
      resting_heart_rate_bpm: z.nullable(int()),
      avg_hrv_sdnn_ms: numberOrNull(),
      avg_hrv_rmssd_ms: numberOrNull(),
      period_start: dateTime(),
      period_end: dateTime(),
    }),
    latest: z.object({
      body_temperature_celsius: numberOrNull(),
      body_temperature_measured_at: z.nullable(dateTime()),
      skin_temperature_celsius: numberOrNull(),
      skin_temperature_measured_at: z.nullable(dateTime()),
      blood_pressure: z.nullable(
        z.object({
          avg_systolic_mmhg: z.number(),
          avg_diastolic_mmhg: z.number(),
          max_systolic_mmhg: numberOrNull(),
          max_diastolic_mmhg: numberOrNull(),
          min_systolic_mmhg: numberOrNull(),
          min_diastolic_mmhg: numberOrNull(),
          reading_count: int(),
        }),
      ),
      blood_pressure_measured_at: z.nullable(dateTime()),
    }),
  })
  .check(z.meta({ id: 'BodySummary' }));
export const bodySummaryOrNull = z
  .nullable(bodySummary)
  .check(z.meta({ id: 'BodySummaryOrNull', description: 'null when the user has none of its data' }));

const countsBySeries = z.partialRecord(z.enum(SERIES_TYPE_CODES), int());

export const dataSummary = z
  .object({
    user_id: z.string(),
    total_data_points: int(),
    total_workouts: int(),
    total_sleep_events: int(),
    series_type_counts: countsBySeries.check(z.describe('Samples per series type, largest first')),
    workout_type_counts: z.record(z.string(), int()),
    by_provider: z.array(
      z.object({
        provider: z.string(),
        data_points: int(),
        series_counts: countsBySeries,
        workout_count: int(),
        sleep_count: int(),
      }),
    ),
    has_womens_health_data: z.boolean(),
  })
  .check(z.meta({ id: 'DataSummary' }));
