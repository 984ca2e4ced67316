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

const APPLE_SOURCES = {
  watch: {
    appId: 'com.apple.health.6D1B2F44-0C3E-4F0A-9A8B-2E5C7D9A1B33',
    name: 'Apple Watch',
    deviceId: null,
    deviceName: 'Apple Watch',
    deviceManufacturer: 'Apple Inc.',
    deviceModel: 'Watch7,1',
    deviceType: 'watch',
    recordingMethod: null,
    operatingSystemVersion: { majorVersion: 11, minorVersion: 2, patchVersion: 0 },
  },
  phone: {
    appId: 'com.apple.health.9C0E5A21-77B3-4D2B-8F11-0A4C3E6D2B90',
    name: 'iPhone',
    deviceId: null,
    deviceName: 'iPhone',
    deviceManufacturer: 'Apple Inc.',
    deviceModel: 'iPhone16,1',
    deviceType: 'phone',
    recordingMethod: null,
    operatingSystemVersion: { majorVersion: 18, minorVersion: 1, patchVersion: 0 },
  },
};
export type AppleDevice = keyof typeof APPLE_SOURCES;

/** A HealthKit record as the iOS SDK (0.14) sends it: raw identifier, metadata values stringified. */
export const healthKitRecord = (
  type: string,
  start: number,
  end: number,
  value: number,
  unit: string | null,
  device: AppleDevice = 'watch',
) => ({
  id: `${type}-${device}-${start}`,
  type,
  startDate: iso(start),
  endDate: iso(end),
  zoneOffset: '+01:00',
  source: APPLE_SOURCES[device],
  value,
  unit,
  parentId: null,
  metadata: null,
});

/** A HealthKit sleep-analysis sample, stage already mapped by the SDK. */
export const healthKitSleep = (stage: string, start: number, end: number, device: AppleDevice = 'watch') => ({
  id: `sleep-${device}-${stage}-${start}`,
  parentId: null,
  stage,
  startDate: iso(start),
  endDate: iso(end),
  zoneOffset: '+01:00',
  source: APPLE_SOURCES[device],
  values: null,
  metadata: null,
});

/** A HealthKit workout with its statistics (`{type, value, unit}`). */
export const healthKitWorkout = (start: number, end: number, values: unknown[], type = 'running') => ({
  id: `workout-${start}`,
  parentId: null,
  type,
  startDate: iso(start),
  endDate: iso(end),
  zoneOffset: '+01:00',
  source: APPLE_SOURCES.watch,
  title: null,
  values,
  laps: null,
  metadata: null,
});

/** An iOS SDK push; `envelope` adds fields such as 0.15's `syncSessionId` / `syncType`. */
export const healthKitPush = (
  data: { records?: unknown[]; workouts?: unknown[]; sleep?: unknown[] },
  envelope: Record<string, unknown> = {},
) => ({
  provider: 'apple',
  sdkVersion: '0.14.0',
  syncTimestamp: new Date().toISOString(),
  data: { records: data.records ?? [], workouts: data.workouts ?? [], sleep: data.sleep ?? [] },
  ...envelope,
});
