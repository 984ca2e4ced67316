import { googleHealthWorkouts } from '#shared/providers/google-health/passthrough.js';
import { googleHealthIdentity, googleHealthUnits, pullUnit } from '#shared/providers/google-health/pull.js';
import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';

/** Google Health without its webhook (index.ts): what the provider client and the sync engine read (module.ts). */
export const googleHealthCore: ProviderCore = {
  name: 'google_health',
  identity: googleHealthIdentity,
  eventIdentity: 'external',
  workouts: googleHealthWorkouts,
  budget: { kind: 'bucket', perMinute: 300 },
};

export const googleHealthSync: ProviderModule = /* @__PURE__ */ syncModule(googleHealthCore, {
  units: googleHealthUnits,
  pull: pullUnit,
});
