/** ProviderName (contract 5.2.3), in the reference's enum order. */
export const PROVIDERS = [
  'apple',
  'samsung',
  'garmin',
  'google',
  'polar',
  'suunto',
  'whoop',
  'strava',
  'oura',
  'fitbit',
  'ultrahuman',
  'sensorbio',
  'unknown',
  'internal',
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Providers whose data arrives through the mobile SDK push. */
export const SDK_PROVIDERS = ['apple', 'samsung', 'google'] as const;
export type SdkProvider = (typeof SDK_PROVIDERS)[number];
