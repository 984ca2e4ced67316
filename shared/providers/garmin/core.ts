import { backfillUnits, pullBackfill } from '#shared/providers/garmin/backfill.js';
import { garminIdentity } from '#shared/providers/garmin/identity.js';
import { garminWorkouts } from '#shared/providers/garmin/passthrough.js';
import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';

/** Garmin without its webhook (index.ts): what the provider client and the sync engine read (module.ts). */
export const garminCore: ProviderCore = {
  name: 'garmin',
  identity: garminIdentity,
  eventIdentity: 'external',
  workouts: garminWorkouts,
  // Garmin allows 100 a minute per app: a full bucket (the burst) plus a minute of refill stays within it.
  budget: { kind: 'bucket', perMinute: 90, burst: 10 },
};

/** Push only: a sync's units request backfills, whose data arrives through the webhook. */
export const garminSync: ProviderModule = /* @__PURE__ */ syncModule(garminCore, {
  units: backfillUnits,
  pull: pullBackfill,
});
