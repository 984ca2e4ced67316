import * as z from 'zod';
import { cursorPage, sleepStages, sourceMetadataSchema } from '#shared/data/schemas.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';

/** Response schemas of the summaries (contract 4.7), typed by their builders and published in the OpenAPI document. */

const date = () => z.iso.date();
const dateTime = () => z.iso.datetime();
const int = () => z.number().int();
const numberOrNull = () => z.number().nullable();

export const activitySummary = z
  .object({
    date: date(),
    source: sourceMetadataSchema,
    steps: int().nullable(),
    distance_meters: numberOrNull(),
    floors_climbed: int().nullable(),
    elevation_meters: numberOrNull(),
    active_calories_kcal: numberOrNull(),
    total_calories_kcal: numberOrNull(),
    active_minutes: int().nullable(),
    sedentary_minutes: int().nullable(),
    intensity_minutes: z.object({ light: int(), moderate: int(), vigorous: int() }).nullable(),
    heart_rate: z.object({ avg_bpm: int(), max_bpm: int(), min_bpm: int() }).nullable(),
  })
  .meta({ id: 'ActivitySummary' });
export const activitySummaryPage = cursorPage(activitySummary, 'ActivitySummaryPage');

export const sleepSummary = z
  .object({
    date: date(),
    source: sourceMetadataSchema,
    start_time: dateTime().nullable(),
    end_time: dateTime().nullable(),
    zone_offset: z.string().nullable(),
    duration_minutes: int().nullable(),
    total_duration_minutes: int().nullable(),
    time_in_bed_minutes: int().nullable(),
    efficiency_percent: numberOrNull(),
    stages: sleepStages.nullable(),
    interruptions_count: int().nullable(),
    nap_count: int(),
    nap_duration_minutes: int(),
    sessions: z
      .array(
        z.object({
          start_time: dateTime(),
          end_time: dateTime(),
          zone_offset: z.string().nullable(),
          duration_minutes: int(),
          is_nap: z.boolean(),
        }),
      )
      .nullable(),
    avg_heart_rate_bpm: int().nullable(),
    avg_hrv_sdnn_ms: numberOrNull(),
    avg_hrv_rmssd_ms: numberOrNull(),
    avg_respiratory_rate: numberOrNull(),
    avg_spo2_percent: numberOrNull(),
  })
  .meta({ id: 'SleepSummary' });
export const sleepSummaryPage = cursorPage(sleepSummary, 'SleepSummaryPage');

export const recoverySummary = z
  .object({
    date: date(),
    source: sourceMetadataSchema,
    sleep_duration_seconds: int().nullable(),
    sleep_efficiency_percent: numberOrNull(),
    resting_heart_rate_bpm: int().nullable(),
    avg_hrv_sdnn_ms: numberOrNull(),
    avg_spo2_percent: numberOrNull(),
    recovery_score: int().nullable(),
  })
  .meta({ id: 'RecoverySummary' });
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
      age: int().nullable(),
    }),
    averaged: z.object({
      period_days: int(),
      resting_heart_rate_bpm: int().nullable(),
      avg_hrv_sdnn_ms: numberOrNull(),
      avg_hrv_rmssd_ms: numberOrNull(),
      period_start: dateTime(),
      period_end: dateTime(),
    }),
    latest: z.object({
      body_temperature_celsius: numberOrNull(),
      body_temperature_measured_at: dateTime().nullable(),
      skin_temperature_celsius: numberOrNull(),
      skin_temperature_measured_at: dateTime().nullable(),
      blood_pressure: z
        .object({
          avg_systolic_mmhg: z.number(),
          avg_diastolic_mmhg: z.number(),
          max_systolic_mmhg: numberOrNull(),
          max_diastolic_mmhg: numberOrNull(),
          min_systolic_mmhg: numberOrNull(),
          min_diastolic_mmhg: numberOrNull(),
          reading_count: int(),
        })
        .nullable(),
      blood_pressure_measured_at: dateTime().nullable(),
    }),
  })
  .meta({ id: 'BodySummary' });
export const bodySummaryOrNull = bodySummary
  .nullable()
  .meta({ id: 'BodySummaryOrNull', description: 'null when the user has none of its data' });

const countsBySeries = z.partialRecord(z.enum(SERIES_TYPE_CODES), int());

export const dataSummary = z
  .object({
    user_id: z.string(),
    total_data_points: int(),
    total_workouts: int(),
    total_sleep_events: int(),
    series_type_counts: countsBySeries.describe('Samples per series type, largest first'),
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
  .meta({ id: 'DataSummary' });
