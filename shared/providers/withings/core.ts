import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';
import { SUBSCRIBED_APPLIS } from '#shared/providers/withings/notify.js';
import { withingsWorkouts } from '#shared/providers/withings/passthrough.js';
import { pullUnit, withingsIdentity, withingsUnits } from '#shared/providers/withings/pull.js';

/** Withings' limit for the whole app (standard plan), in any 60 s. */
const WITHINGS_REQUESTS_PER_MINUTE = 120;

/**
 * In any 60 s the bucket lets through its burst plus a minute of refill, and a connect subscribes outside the
 * budget: what is left of Withings' limit after those, so every 60 s stays within it (107 a minute, burst 7).
 */
const BURST = 7;
const BUDGET_PER_MINUTE = WITHINGS_REQUESTS_PER_MINUTE - SUBSCRIBED_APPLIS.length - BURST;

/** Withings without its notifications (index.ts): what the provider client and the sync engine read (module.ts). */
export const withingsCore: ProviderCore = {
  name: 'withings',
  identity: withingsIdentity,
  eventIdentity: 'external',
  workouts: withingsWorkouts,
  budget: { kind: 'bucket', perMinute: BUDGET_PER_MINUTE, burst: BURST },
};

export const withingsSync: ProviderModule = /* @__PURE__ */ syncModule(withingsCore, {
  units: (start, end) => withingsUnits(start, end),
  pull: async (get, unit) => (await pullUnit(get, unit)).result(),
});
