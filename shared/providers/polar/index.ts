import { type ProviderHooks, type ProviderModule, providerModule } from '#shared/providers/module.js';
import { polarWorkouts } from '#shared/providers/polar/passthrough.js';
import { polarUnits, pullPolar } from '#shared/providers/polar/pull.js';
import { deregisterUser, polarIdentity, registerUser } from '#shared/providers/polar/users.js';
import { handlePolar, polarWebhook } from '#shared/providers/polar/webhook.js';

/**
 * Polar AccessLink v3 (providers.md 4.2): exercises with samples, nights, Nightly Recharge, continuous heart rate,
 * daily activity and physical information, pulled in 28-day units and pushed as notify-then-fetch webhooks. OAuth 2.0
 * without PKCE, client credentials in a Basic header (info.ts); tokens last years and come without a refresh token.
 *
 * Budget: Polar's limits grow with the registered users (per 15 minutes 500 + 20 x users, per day 5,000 + 100 x
 * users) and are reported in `RateLimit-Usage` / `RateLimit-Limit` / `RateLimit-Reset`, which the shared `headers`
 * budget does not read (it reads Strava's `X-RateLimit-*`). So a bucket sized for the 15-minute floor with no user at
 * all (25 a minute, 375 per 15 minutes); a spent daily limit answers 429, deferred until `RateLimit-Reset` (http.ts).
 * A header budget would need the `RateLimit-*` names and their order (Polar lists the 15-minute and 24-hour windows
 * in one header each) recorded as windows, as budget.ts does for Strava.
 *
 * Exercises and nights are Polar's records (a hashed id, a date), so a revision replaces the stored event.
 */
export const polarHooks: ProviderHooks = {
  name: 'polar',
  identity: polarIdentity,
  eventIdentity: 'external',
  workouts: polarWorkouts,
  budget: { kind: 'bucket', perMinute: 25 },
  webhook: polarWebhook,
  connected: registerUser,
  disconnecting: deregisterUser,
};

export const polarModule: ProviderModule = /* @__PURE__ */ providerModule(polarHooks, {
  units: polarUnits,
  pull: pullPolar,
  handle: handlePolar,
});
