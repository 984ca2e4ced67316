import type { ProviderName } from '#shared/model/provider.js';
import { fitbit } from '#shared/providers/fitbit/index.js';
import { garminModule } from '#shared/providers/garmin/index.js';
import { googleHealthModule } from '#shared/providers/google-health/index.js';
import type { ProviderModule } from '#shared/providers/module.js';
import { ouraModule } from '#shared/providers/oura/index.js';
import { polarModule } from '#shared/providers/polar/index.js';
import { sensorbioModule } from '#shared/providers/sensorbio/index.js';
import { stravaModule } from '#shared/providers/strava/index.js';
import { suuntoModule } from '#shared/providers/suunto/index.js';
import { ultrahuman } from '#shared/providers/ultrahuman/index.js';
import { whoopModule } from '#shared/providers/whoop/index.js';
import { withingsModule } from '#shared/providers/withings/index.js';

/** Implemented providers, one line each; every other provider of the registry becomes a folder here when built. */
export const providerModules: Partial<Record<ProviderName, ProviderModule>> = {
  fitbit,
  ultrahuman,
  garmin: garminModule,
  strava: stravaModule,
  oura: ouraModule,
  whoop: whoopModule,
  polar: polarModule,
  suunto: suuntoModule,
  google_health: googleHealthModule,
  withings: withingsModule,
  sensorbio: sensorbioModule,
};
