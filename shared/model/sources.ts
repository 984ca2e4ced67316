import { createHash } from 'node:crypto';
import type { SourceRef } from '#shared/model/health-data.js';
import {
  canonicalProvider,
  LEGACY_HEALTH_CONNECT,
  PROVIDERS,
  type ProviderName,
} from '#shared/model/provider.js';

export const DEVICE_TYPES = ['watch', 'band', 'phone', 'scale', 'ring', 'other', 'unknown'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

const MODEL_RULES: Array<[RegExp, DeviceType]> = [
  [/^watch\d/i, 'watch'],
  [/^(iphone|ipad)/i, 'phone'],
  [/^SM-R/i, 'watch'],
  [/^SM-Q/i, 'ring'],
  [/^SM-[SGANF]/i, 'phone'],
  [/whoop/i, 'band'],
  [/ring|oura/i, 'ring'],
  [/band|vivosmart|vivofit/i, 'band'],
  [
    /watch|forerunner|fenix|f[eē]nix|venu|vivoactive|instinct|epix|enduro|edge|polar|vantage|grit|pacer|ignite|suunto|coros/i,
    'watch',
  ],
  [/phone|pixel/i, 'phone'],
  [/scale|index|body\+|body cardio/i, 'scale'],
];

const SOURCE_NAME_RULES: Array<[RegExp, DeviceType]> = [
  [/autosleep/i, 'watch'],
  [/mi band|xiaomi|amazfit band/i, 'band'],
  [/oura/i, 'ring'],
];

/** Device type inferred server-side from the model string, else from the source name (contract 10.1). */
export function inferDeviceType(deviceModel: string | null, sourceName: string | null): DeviceType {
  if (deviceModel) return MODEL_RULES.find(([pattern]) => pattern.test(deviceModel))?.[1] ?? 'other';
  if (sourceName) return SOURCE_NAME_RULES.find(([pattern]) => pattern.test(sourceName))?.[1] ?? 'unknown';
  return 'unknown';
}

/** Marketing names of common Apple and Samsung model codes; anything else is shown as sent. */
const DEVICE_NAMES: Record<string, string> = {
  'Watch5,1': 'Apple Watch Series 5',
  'Watch6,1': 'Apple Watch Series 6',
  'Watch6,6': 'Apple Watch Series 7',
  'Watch6,10': 'Apple Watch SE (2nd gen)',
  'Watch6,14': 'Apple Watch Series 8',
  'Watch6,18': 'Apple Watch Ultra',
  'Watch7,1': 'Apple Watch Series 9',
  'Watch7,3': 'Apple Watch Series 9',
  'Watch7,5': 'Apple Watch Ultra 2',
  'Watch7,8': 'Apple Watch Series 10',
  'Watch7,10': 'Apple Watch Series 10',
  'iPhone14,5': 'iPhone 13',
  'iPhone14,7': 'iPhone 14',
  'iPhone15,2': 'iPhone 14 Pro',
  'iPhone15,3': 'iPhone 14 Pro Max',
  'iPhone15,4': 'iPhone 15',
  'iPhone16,1': 'iPhone 15 Pro',
  'iPhone16,2': 'iPhone 15 Pro Max',
  'iPhone17,1': 'iPhone 16 Pro',
  'iPhone17,3': 'iPhone 16',
  'SM-R960': 'Galaxy Watch6 Classic',
  'SM-R930': 'Galaxy Watch6',
  'SM-L310': 'Galaxy Watch7',
  'SM-L705': 'Galaxy Watch Ultra',
  'SM-Q500': 'Galaxy Ring',
};

export const deviceName = (deviceModel: string | null) =>
  deviceModel === null ? null : (DEVICE_NAMES[deviceModel] ?? deviceModel);

/** Default priorities (contract 5.1): lower wins; providers not listed follow, unknown device types last. */
const PROVIDER_PRIORITY: Partial<Record<ProviderName, number>> = {
  apple: 1,
  garmin: 2,
  polar: 3,
  suunto: 4,
  whoop: 5,
};
const UNLISTED_PROVIDER_PRIORITY = 50;
const DEVICE_TYPE_PRIORITY: Record<DeviceType, number> = {
  watch: 1,
  band: 2,
  ring: 3,
  phone: 4,
  scale: 5,
  other: 6,
  unknown: 99,
};

/**
 * The priorities in force (contract 10.1): the operator's stored ones (`/priorities/*`, shared/store/priorities.ts)
 * over the defaults above. A provider or device type absent here has its default.
 */
export interface SourcePriorities {
  provider: Partial<Record<ProviderName, number>>;
  deviceType: Partial<Record<DeviceType, number>>;
}

export const DEFAULT_PRIORITIES: SourcePriorities = { provider: {}, deviceType: {} };

/** The providers that can be given a priority: every provider name but the legacy alias of Health Connect. */
export const PRIORITY_PROVIDERS = PROVIDERS.filter((p) => p !== LEGACY_HEALTH_CONNECT);

/** The provenance of a record whose data source is not (or no longer) known. */
export const UNKNOWN_SOURCE: SourceRef = {
  provider: 'unknown',
  deviceModel: null,
  sourceName: null,
  softwareVersion: null,
  originalSourceName: null,
};

export const providerPriority = (provider: ProviderName, priorities = DEFAULT_PRIORITIES) =>
  priorities.provider[canonicalProvider(provider)] ??
  PROVIDER_PRIORITY[canonicalProvider(provider)] ??
  UNLISTED_PROVIDER_PRIORITY;
export const deviceTypePriority = (type: DeviceType, priorities = DEFAULT_PRIORITIES) =>
  priorities.deviceType[type] ?? DEVICE_TYPE_PRIORITY[type];

/**
 * A data source's identity is (user, provider, device model, source name) (contract 5.1); `key` is a short
 * stable hash of it used in item keys, `id` the UUID shown by the API, derived from the same hash so that
 * concurrent writers agree on it without a lookup.
 */
export function sourceIdentity(userId: string, source: SourceRef): { key: string; id: string } {
  // Health Connect sources keep the identity they had when the provider was called `google`.
  const provider = source.provider === 'health_connect' ? LEGACY_HEALTH_CONNECT : source.provider;
  const digest = createHash('sha256')
    .update([userId, provider, source.deviceModel ?? '', source.sourceName ?? ''].join('\u0000'))
    .digest('hex');
  const hex = `${digest.slice(0, 12)}8${digest.slice(13, 16)}a${digest.slice(17, 32)}`;
  return {
    key: digest.slice(0, 16),
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
  };
}
