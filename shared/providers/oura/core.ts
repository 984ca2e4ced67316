import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';
import { ouraWorkouts } from '#shared/providers/oura/passthrough.js';
import { ouraIdentity, ouraUnits, pullOura } from '#shared/providers/oura/pull.js';

/** Oura without its webhook (index.ts): what the provider client and the sync engine read (module.ts). */
export const ouraCore: ProviderCore = {
  name: 'oura',
  identity: ouraIdentity,
  eventIdentity: 'external',
  workouts: ouraWorkouts,
  // Oura allows 5,000 requests per 5 minutes. A bucket of 800 a minute holds at most 800 + 5 x 800 = 4,800 in any
  // 5-minute span, even starting full, so the app stays under the limit with room to spare.
  budget: { kind: 'bucket', perMinute: 800 },
};

export const ouraSync: ProviderModule = /* @__PURE__ */ syncModule(ouraCore, {
  units: ouraUnits,
  pull: pullOura,
});
