import type { Sample } from '#shared/model/health-data.js';

/**
 * What the store accepts. A sample outside these bounds is dropped and counted where it arrives (never stored):
 * times before 1970 or from 2100 cannot be real health data and break the time-bucketed keys, and values beyond
 * a billion cannot be real measurements (the reference's numeric(10,3) columns end at ten million).
 */
export const LATEST_TIME_MS = Date.UTC(2100, 0, 1);
export const MAX_ABS_VALUE = 1e9;

export const isStorableTime = (ms: number) => Number.isFinite(ms) && ms >= 0 && ms < LATEST_TIME_MS;

export const isStorableValue = (value: number) => Number.isFinite(value) && Math.abs(value) < MAX_ABS_VALUE;

export const isStorableSample = (sample: Sample) =>
  isStorableTime(sample.timestamp) && isStorableValue(sample.value);

/** An event's window: both ends storable, the end not before the start. */
export const isStorableSpan = (start: number, end: number) =>
  isStorableTime(start) && isStorableTime(end) && end >= start;
