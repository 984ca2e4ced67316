import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';
import { whoopIdentity } from '#shared/providers/whoop/api.js';
import { whoopWorkouts } from '#shared/providers/whoop/passthrough.js';
import { pullWhoop, whoopUnits } from '#shared/providers/whoop/pull.js';

/** WHOOP without its webhook (index.ts): what the provider client and the sync engine read (module.ts). */
export const whoopCore: ProviderCore = {
  name: 'whoop',
  identity: whoopIdentity,
  eventIdentity: 'external',
  workouts: whoopWorkouts,
  // WHOOP allows 100 a minute: a full bucket (the burst) plus a minute of refill stays within it.
  budget: { kind: 'bucket', perMinute: 90, burst: 10 },
};

export const whoopSync: ProviderModule = /* @__PURE__ */ syncModule(whoopCore, {
  units: whoopUnits,
  pull: pullWhoop,
});
