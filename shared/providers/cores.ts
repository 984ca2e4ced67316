import type { ProviderName } from '#shared/model/provider.js';
import { fitbitCore, fitbitSync } from '#shared/providers/fitbit/index.js';
import { garminCore, garminSync } from '#shared/providers/garmin/core.js';
import { googleHealthCore, googleHealthSync } from '#shared/providers/google-health/core.js';
import type { ProviderCore, ProviderModule } from '#shared/providers/module.js';
import { ouraCore, ouraSync } from '#shared/providers/oura/core.js';
import { polarCore, polarSync } from '#shared/providers/polar/core.js';
import { sensorbioCore, sensorbioSync } from '#shared/providers/sensorbio/index.js';
import { stravaCore, stravaSync } from '#shared/providers/strava/core.js';
import { suuntoCore, suuntoSync } from '#shared/providers/suunto/core.js';
import { ultrahumanCore, ultrahumanSync } from '#shared/providers/ultrahuman/index.js';
import { whoopCore, whoopSync } from '#shared/providers/whoop/core.js';
import { withingsCore, withingsSync } from '#shared/providers/withings/core.js';

/*
 * The implemented providers of index.ts without their push half and connect hooks (module.ts), one line each, from
 * files that do not import the webhook code (a push provider's core.ts): a bundle keeps none of it, not even the
 * schemas a webhook module builds when it loads. test/unit/provider-hooks.test.ts holds them to index.ts.
 */

/** What the provider client (client.ts) reads: the budget and headers of each provider's calls. */
export const providerCores: Partial<Record<ProviderName, ProviderCore>> = {
  fitbit: fitbitCore,
  ultrahuman: ultrahumanCore,
  garmin: garminCore,
  strava: stravaCore,
  oura: ouraCore,
  whoop: whoopCore,
  polar: polarCore,
  suunto: suuntoCore,
  google_health: googleHealthCore,
  withings: withingsCore,
  sensorbio: sensorbioCore,
};

/** The providers as the sync engine drives them: the sync worker, and a manual sync run in its request. */
export const syncModules: Partial<Record<ProviderName, ProviderModule>> = {
  fitbit: fitbitSync,
  ultrahuman: ultrahumanSync,
  garmin: garminSync,
  strava: stravaSync,
  oura: ouraSync,
  whoop: whoopSync,
  polar: polarSync,
  suunto: suuntoSync,
  google_health: googleHealthSync,
  withings: withingsSync,
  sensorbio: sensorbioSync,
};
