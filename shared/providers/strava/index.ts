import { type ProviderHooks, type ProviderModule, providerModule } from '#shared/providers/module.js';
import { stravaWorkouts } from '#shared/providers/strava/passthrough.js';
import { pullActivities, stravaIdentity, stravaUnits } from '#shared/providers/strava/pull.js';
import { handleStravaEvent, stravaWebhook } from '#shared/providers/strava/webhook.js';

/**
 * Strava API v3 (providers.md 4.6): workouts, pulled in 30-day chunks and pushed as notify-then-fetch events.
 * OAuth 2.0 without PKCE, client credentials in the body (registry.ts). The app-wide limits (200 requests per
 * 15 minutes, 2,000 per day) are reported by Strava in `X-RateLimit-*` headers, which the shared budget reads.
 * A Strava workout is identified by its activity id, so an edited activity replaces the stored one and a
 * deleted one can be found.
 */
export const stravaHooks: ProviderHooks = {
  name: 'strava',
  identity: stravaIdentity,
  eventIdentity: 'external',
  workouts: stravaWorkouts,
  budget: { kind: 'headers' },
  webhook: stravaWebhook,
};

export const stravaModule: ProviderModule = /* @__PURE__ */ providerModule(stravaHooks, {
  units: stravaUnits,
  async pull(get, unit) {
    return { series: [], events: await pullActivities(get, unit), scores: [] };
  },
  handle: handleStravaEvent,
});
