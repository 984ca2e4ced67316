import type { ProviderName } from '#shared/model/provider.js';
import { fitbitHooks } from '#shared/providers/fitbit/index.js';
import { garminHooks } from '#shared/providers/garmin/index.js';
import { googleHealthHooks } from '#shared/providers/google-health/index.js';
import type { ProviderHooks } from '#shared/providers/module.js';
import { ouraHooks } from '#shared/providers/oura/index.js';
import { polarHooks } from '#shared/providers/polar/index.js';
import { sensorbioHooks } from '#shared/providers/sensorbio/index.js';
import { stravaHooks } from '#shared/providers/strava/index.js';
import { suuntoHooks } from '#shared/providers/suunto/index.js';
import { ultrahumanHooks } from '#shared/providers/ultrahuman/index.js';
import { whoopHooks } from '#shared/providers/whoop/index.js';
import { withingsHooks } from '#shared/providers/withings/index.js';

/**
 * The implemented providers of index.ts without their sync and mapping code (module.ts), one line each: what the
 * connect and disconnect flows, the webhook ingress and the dispatcher use, so that their functions' bundles stay
 * small. test/unit/provider-hooks.test.ts holds the two registries together.
 */
export const providerHooks: Partial<Record<ProviderName, ProviderHooks>> = {
  fitbit: fitbitHooks,
  ultrahuman: ultrahumanHooks,
  garmin: garminHooks,
  strava: stravaHooks,
  oura: ouraHooks,
  whoop: whoopHooks,
  polar: polarHooks,
  suunto: suuntoHooks,
  google_health: googleHealthHooks,
  withings: withingsHooks,
  sensorbio: sensorbioHooks,
};
