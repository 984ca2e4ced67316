import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';
import { stravaCore, stravaSync } from '#shared/providers/strava/core.js';
import { handleStravaEvent, stravaWebhook } from '#shared/providers/strava/webhook.js';

/**
 * Strava API v3 (providers.md 4.6): workouts, pulled in 30-day chunks and pushed as notify-then-fetch events.
 * OAuth 2.0 without PKCE, client credentials in the body (registry.ts). The app-wide limits (200 requests per
 * 15 minutes, 2,000 per day) are reported by Strava in `X-RateLimit-*` headers, which the shared budget reads.
 * A Strava workout is identified by its activity id, so an edited activity replaces the stored one and a
 * deleted one can be found. The part without the webhook is core.ts.
 */
export const stravaHooks: ProviderHooks = /* @__PURE__ */ withHooks(stravaCore, { webhook: stravaWebhook });

export const stravaModule: ProviderModule = /* @__PURE__ */ providerModule(
  stravaHooks,
  stravaSync,
  handleStravaEvent,
);
