import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';
import { stravaWorkouts } from '#shared/providers/strava/passthrough.js';
import { pullActivities, stravaIdentity, stravaUnits } from '#shared/providers/strava/pull.js';

/** Strava without its webhook (index.ts): what the provider client and the sync engine read (module.ts). */
export const stravaCore: ProviderCore = {
  name: 'strava',
  identity: stravaIdentity,
  eventIdentity: 'external',
  workouts: stravaWorkouts,
  budget: { kind: 'headers' },
};

export const stravaSync: ProviderModule = /* @__PURE__ */ syncModule(stravaCore, {
  units: stravaUnits,
  async pull(get, unit) {
    return { series: [], events: await pullActivities(get, unit), scores: [] };
  },
});
