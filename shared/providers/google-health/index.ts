import { googleHealthCore, googleHealthSync } from '#shared/providers/google-health/core.js';
import { googleHealthWebhook, handleGoogleHealth } from '#shared/providers/google-health/webhook.js';
import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';

/**
 * Google Health API (providers.md 4.9), the successor of the Fitbit Web API: a cloud OAuth provider (`google_health`),
 * unrelated to the mobile Health Connect provider (`health_connect`, legacy alias `google`). Google's web-server
 * flow with client credentials in the body (registry.ts; shared/oauth/authorize.ts adds `access_type=offline`,
 * `prompt=consent`, `include_granted_scopes=true`). Data is pulled per data type (pull.ts: 14 metrics as series,
 * sleep and exercise as events) and announced by notify-then-fetch webhooks (webhook.ts).
 *
 * Sessions are Google's records, keyed by their `name`, so a revision replaces them and a deletion finds them.
 * Quotas are per Google Cloud project; 300 requests a minute for the whole app is well inside them (a 90-day
 * backfill is 13 units of 16 requests). No provider-side revoke on disconnect: Google's revoke endpoint is on
 * another origin than the data API. The project's subscriber (service-account credentials) is set up in the Google
 * Cloud console, not through the subscription routes. The part without the webhook is core.ts.
 */
export const googleHealthHooks: ProviderHooks = /* @__PURE__ */ withHooks(googleHealthCore, {
  webhook: googleHealthWebhook,
});

export const googleHealthModule: ProviderModule = /* @__PURE__ */ providerModule(
  googleHealthHooks,
  googleHealthSync,
  handleGoogleHealth,
);
