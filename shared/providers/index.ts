import type { ProviderName } from '#shared/model/provider.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import { garminModule } from '#shared/providers/garmin/index.js';
import { stravaModule } from '#shared/providers/strava/index.js';
import type { ProviderModule } from '#shared/providers/types.js';
import { ultrahuman } from '#shared/providers/ultrahuman/index.js';

/** Implemented providers, one line each; every other provider of the registry becomes a folder here when built. */
export const providerModules: Partial<Record<ProviderName, ProviderModule>> = {
  fitbit,
  ultrahuman,
  garmin: garminModule,
  strava: stravaModule,
};
