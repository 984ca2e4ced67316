import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';
import { polarWorkouts } from '#shared/providers/polar/passthrough.js';
import { polarUnits, pullPolar } from '#shared/providers/polar/pull.js';
import { polarIdentity } from '#shared/providers/polar/users.js';

/**
 * Polar without its webhook and user registration (index.ts): what the provider client and the sync engine read
 * (module.ts).
 *
 * Budget: Polar's limits grow with the registered users (per 15 minutes 500 + 20 x users, per day 5,000 + 100 x
 * users) and are reported in `RateLimit-Usage` / `RateLimit-Limit` / `RateLimit-Reset`, which the shared `headers`
 * budget does not read (it reads Strava's `X-RateLimit-*`). So a bucket sized for the 15-minute floor with no user at
 * all (25 a minute, 375 per 15 minutes); a spent daily limit answers 429, deferred until `RateLimit-Reset` (http.ts).
 * A header budget would need the `RateLimit-*` names and their order (Polar lists the 15-minute and 24-hour windows
 * in one header each) recorded as windows, as budget.ts does for Strava.
 */
export const polarCore: ProviderCore = {
  name: 'polar',
  identity: polarIdentity,
  eventIdentity: 'external',
  workouts: polarWorkouts,
  budget: { kind: 'bucket', perMinute: 25 },
};

export const polarSync: ProviderModule = /* @__PURE__ */ syncModule(polarCore, {
  units: polarUnits,
  pull: pullPolar,
});
