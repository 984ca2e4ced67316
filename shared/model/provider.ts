/** ProviderName (contract 5.2.3), in the reference's enum order. */
export const PROVIDERS = [
  'apple',
  'samsung',
  'garmin',
  'google',
  'health_connect',
  'google_health',
  'polar',
  'suunto',
  'whoop',
  'strava',
  'oura',
  'fitbit',
  'ultrahuman',
  'sensorbio',
  'withings',
  'unknown',
  'internal',
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Providers whose data arrives through the mobile SDK push. */
export const SDK_PROVIDERS = ['apple', 'samsung', 'health_connect'] as const;
export type SdkProvider = (typeof SDK_PROVIDERS)[number];

/**
 * The newest reference splits `google` into `health_connect` (mobile SDK) and `google_health` (cloud API); `google`
 * stays a permanent alias of `health_connect` for what the SDKs push (every Android SDK sends it) and for the data
 * and connections stored under it before the split.
 */
export const LEGACY_HEALTH_CONNECT = 'google';
export const SDK_PUSH_PROVIDERS = [...SDK_PROVIDERS, LEGACY_HEALTH_CONNECT] as const;
export type SdkPushProvider = (typeof SDK_PUSH_PROVIDERS)[number];

type Canonical<P extends ProviderName> = Exclude<P, typeof LEGACY_HEALTH_CONNECT> | 'health_connect';

/** A stored or requested provider name with the legacy alias resolved. */
export const canonicalProvider = <P extends ProviderName>(provider: P): Canonical<P> =>
  (provider === LEGACY_HEALTH_CONNECT ? 'health_connect' : provider) as Canonical<P>;
