import type * as z from 'zod/mini';
import type { userPage } from '#shared/api/schemas.js';
import type {
  healthScorePage,
  sleepSessionPage,
  sourceMetadataSchema,
  timeseriesPage,
  workoutPage,
} from '#shared/data/schemas.js';
import type {
  activitySummaryPage,
  bodySummary,
  recoverySummaryPage,
  sleepSummaryPage,
} from '#shared/data/summaries/schemas.js';

/** Response examples of the main reads in the OpenAPI document; test/openapi checks them against their schemas. */

type Of<T extends z.ZodMiniType> = z.output<T>;

const USER_ID = '3f2c9a4e-5b7d-4e1a-9c3b-8d6e2f1a7b90';

const watch: Of<typeof sourceMetadataSchema> = {
  provider: 'apple',
  source: 'Apple Watch',
  device: 'Watch7,1',
  device_type: 'watch',
  device_name: 'Apple Watch Series 9',
};

const oneDay = (start: string, end: string, resolution: 'raw' | '5min' | null, count: number) => ({
  resolution,
  sample_count: count,
  start_time: start,
  end_time: end,
});

const lastPage = (total: number | null) => ({
  next_cursor: null,
  previous_cursor: null,
  has_more: false,
  total_count: total,
});

export const userPageExample: Of<typeof userPage> = {
  items: [
    {
      id: USER_ID,
      created_at: '2026-11-02T09:14:05Z',
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      external_user_id: 'crm-1842',
      last_synced_at: '2026-11-30T06:02:11Z',
      last_synced_provider: 'apple',
      has_active_connection: true,
    },
  ],
  total: 1,
  page: 1,
  limit: 20,
  pages: 1,
  has_next: false,
  has_prev: false,
};

export const timeseriesExample: Of<typeof timeseriesPage> = {
  data: [
    {
      timestamp: '2026-11-30T07:00:00Z',
      zone_offset: '+01:00',
      type: 'heart_rate',
      value: 62,
      unit: 'bpm',
      source: watch,
      is_daily_total: false,
    },
    {
      timestamp: '2026-11-30T07:05:00Z',
      zone_offset: '+01:00',
      type: 'heart_rate',
      value: 71,
      unit: 'bpm',
      source: watch,
      is_daily_total: false,
    },
  ],
  pagination: {
    next_cursor: 'bmV4dHwyMDI2LTExLTMwVDA3OjA1OjAwLjAwMFp8aGVhcnRfcmF0ZSNhcHBsZQ==',
    previous_cursor: null,
    has_more: true,
    total_count: 288,
  },
  metadata: oneDay('2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z', '5min', 2),
};

export const workoutPageExample: Of<typeof workoutPage> = {
  data: [
    {
      id: '9b1e6c2a-4f3d-8a7b-a1c2-5e6f7a8b9c0d',
      type: 'running',
      name: null,
      start_time: '2026-11-29T17:30:00Z',
      end_time: '2026-11-29T18:12:30Z',
      zone_offset: '+01:00',
      duration_seconds: 2550,
      source: watch,
      calories_kcal: 512.4,
      distance_meters: 8120.5,
      avg_heart_rate_bpm: 152,
      max_heart_rate_bpm: 178,
      avg_pace_sec_per_km: 314,
      elevation_gain_meters: 64.2,
    },
  ],
  pagination: lastPage(1),
  metadata: oneDay('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', null, 1),
};

const stages = { awake_minutes: 18, light_minutes: 232, deep_minutes: 84, rem_minutes: 106 };

export const sleepSessionPageExample: Of<typeof sleepSessionPage> = {
  data: [
    {
      id: '2d4f6a8c-1e3b-8c5d-a7f9-0b2d4f6a8c1e',
      start_time: '2026-11-29T22:41:00Z',
      end_time: '2026-11-30T06:21:00Z',
      zone_offset: '+01:00',
      source: watch,
      duration_seconds: 27600,
      sleep_duration_seconds: 25320,
      efficiency_percent: 91.7,
      stages,
      sleep_stage_intervals: [
        { stage: 'light', start_time: '2026-11-29T22:41:00Z', end_time: '2026-11-29T23:20:00Z' },
        { stage: 'deep', start_time: '2026-11-29T23:20:00Z', end_time: '2026-11-30T00:44:00Z' },
      ],
      is_nap: false,
    },
  ],
  pagination: lastPage(1),
  metadata: oneDay('2026-11-29T00:00:00Z', '2026-12-01T00:00:00Z', null, 1),
};

export const activitySummaryPageExample: Of<typeof activitySummaryPage> = {
  data: [
    {
      date: '2026-11-29',
      source: watch,
      steps: 11842,
      distance_meters: 8934.2,
      floors_climbed: 12,
      elevation_meters: 64.2,
      active_calories_kcal: 734.5,
      total_calories_kcal: 2412.9,
      active_minutes: 96,
      sedentary_minutes: 611,
      intensity_minutes: { light: 58, moderate: 31, vigorous: 42 },
      heart_rate: { avg_bpm: 78, max_bpm: 178, min_bpm: 51 },
    },
  ],
  pagination: lastPage(null),
  metadata: oneDay('2026-11-29T00:00:00Z', '2026-11-30T00:00:00Z', null, 1),
};

export const sleepSummaryPageExample: Of<typeof sleepSummaryPage> = {
  data: [
    {
      date: '2026-11-30',
      source: watch,
      start_time: '2026-11-29T22:41:00Z',
      end_time: '2026-11-30T06:21:00Z',
      zone_offset: '+01:00',
      duration_minutes: 422,
      total_duration_minutes: 422,
      time_in_bed_minutes: 460,
      efficiency_percent: 91.74,
      stages,
      interruptions_count: 2,
      nap_count: 0,
      nap_duration_minutes: 0,
      sessions: [
        {
          start_time: '2026-11-29T22:41:00Z',
          end_time: '2026-11-30T06:21:00Z',
          zone_offset: '+01:00',
          duration_minutes: 422,
          is_nap: false,
        },
      ],
      avg_heart_rate_bpm: 54,
      avg_hrv_sdnn_ms: 48.2,
      avg_hrv_rmssd_ms: 41.7,
      avg_respiratory_rate: 14.1,
      avg_spo2_percent: 96.4,
    },
  ],
  pagination: lastPage(null),
  metadata: oneDay('2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z', null, 1),
};

export const recoverySummaryPageExample: Of<typeof recoverySummaryPage> = {
  data: [
    {
      date: '2026-11-30',
      source: { provider: 'whoop', source: null, device: null, device_type: 'band', device_name: null },
      sleep_duration_seconds: 25320,
      sleep_efficiency_percent: 91,
      resting_heart_rate_bpm: 52,
      avg_hrv_sdnn_ms: 61.3,
      avg_spo2_percent: 96.8,
      recovery_score: 74,
    },
  ],
  pagination: lastPage(null),
  metadata: oneDay('2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z', null, 1),
};

export const bodySummaryExample: Of<typeof bodySummary> = {
  source: { ...watch, source: 'Withings', device: 'Body+', device_type: 'scale', device_name: 'Body+' },
  slow_changing: {
    weight_kg: 68.4,
    height_cm: 171,
    body_fat_percent: 21.3,
    muscle_mass_kg: 51.2,
    bmi: 23.4,
    age: null,
  },
  averaged: {
    period_days: 7,
    resting_heart_rate_bpm: 55,
    avg_hrv_sdnn_ms: 47.9,
    avg_hrv_rmssd_ms: 40.2,
    period_start: '2026-11-23T08:00:00Z',
    period_end: '2026-11-30T08:00:00Z',
  },
  latest: {
    body_temperature_celsius: null,
    body_temperature_measured_at: null,
    skin_temperature_celsius: 33.8,
    skin_temperature_measured_at: '2026-11-30T06:20:00Z',
    blood_pressure: null,
    blood_pressure_measured_at: null,
  },
};

export const healthScorePageExample: Of<typeof healthScorePage> = {
  data: [
    {
      id: '7c5e3a1f-9d2b-8e4c-a6f8-1a3c5e7f9b2d',
      category: 'recovery',
      value: 74,
      qualifier: null,
      recorded_at: '2026-11-30T06:25:00Z',
      zone_offset: '+01:00',
      components: {
        resting_heart_rate: { value: 52, qualifier: null },
        hrv_rmssd_milli: { value: 58.4, qualifier: null },
        spo2_percentage: { value: 96.8, qualifier: null },
      },
      data_source_id: '5a7c9e1b-3d5f-8a2c-b4e6-8f0a2c4e6a8c',
      provider: 'whoop',
    },
  ],
  pagination: lastPage(1),
  metadata: { resolution: null, sample_count: 1, start_time: null, end_time: null },
};
