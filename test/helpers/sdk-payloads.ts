/**
 * Pushes shaped like the official SDKs send them (contract 6.2, 12; fixtures in test/fixtures/sdk): Health Connect
 * rounds from the Android SDK 0.11 and HealthKit pushes from the iOS SDK.
 */

const iso = (ms: number) => new Date(ms).toISOString();

const PIXEL_WATCH = {
  appId: 'com.google.android.apps.fitness',
  deviceId: null,
  deviceName: null,
  deviceManufacturer: 'Google',
  deviceModel: 'Pixel Watch 2',
  deviceType: 'watch',
  recordingMethod: 'automatic',
};

export interface HeartRateSeries {
  start: number;
  /** One record per sample, `intervalMs` apart. */
  count: number;
  intervalMs?: number;
  value?: (i: number) => number;
}

/** A Health Connect round (Android SDK 0.11): heart-rate records with the SDK's full metadata, as sent. */
export function healthConnectRound(
  series: HeartRateSeries,
  extra: { records?: unknown[]; workouts?: unknown[] } = {},
) {
  const interval = series.intervalMs ?? 60_000;
  const value = series.value ?? ((i: number) => 55 + (i % 60));
  return {
    provider: 'google',
    sdkVersion: '0.11.0',
    syncTimestamp: iso(series.start + series.count * interval),
    data: {
      records: [
        ...Array.from({ length: series.count }, (_, i) => {
          const at = iso(series.start + i * interval);
          return {
            id: `hr-${series.start}-${i}`,
            parentId: `hr-${series.start}`,
            type: 'HEART_RATE',
            startDate: at,
            endDate: at,
            zoneOffset: '+01:00',
            source: PIXEL_WATCH,
            value: value(i),
            unit: 'bpm',
            metadata: {
              clientRecordId: null,
              clientRecordVersion: 0,
              lastModifiedTime: at,
              dataOrigin: PIXEL_WATCH.appId,
            },
          };
        }),
        ...(extra.records ?? []),
      ],
      sleep: [],
      workouts: extra.workouts ?? [],
    },
  };
}

/** One Health Connect record of any type (same shape as the heart-rate ones). */
export const healthConnectRecord = (type: string, at: number, value: unknown, unit: string) => ({
  id: `${type}-${at}`,
  type,
  startDate: iso(at),
  endDate: iso(at),
  zoneOffset: '+01:00',
  source: PIXEL_WATCH,
  value,
  unit,
});

/** A Health Connect workout (upper-case type, as the Android SDK sends). */
export const healthConnectWorkout = (start: number, end: number, values: unknown[] = []) => ({
  id: `workout-${start}`,
  type: 'RUNNING',
  startDate: iso(start),
  endDate: iso(end),
  zoneOffset: '+01:00',
  source: PIXEL_WATCH,
  title: 'Run',
  values,
});
