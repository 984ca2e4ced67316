import { type ProviderHooks, type ProviderModule, providerModule } from '#shared/providers/module.js';
import { ouraWorkouts } from '#shared/providers/oura/passthrough.js';
import { ouraIdentity, ouraUnits, pullOura } from '#shared/providers/oura/pull.js';
import { handleOuraEvent, ouraWebhook } from '#shared/providers/oura/webhook.js';

/**
 * Oura API v2 (providers.md 4.5): workouts, sleep periods with stages, heart rate and HRV, the daily sleep,
 * readiness and activity scores with their contributors, SpO2, cardiovascular age, VO2max, weight and height.
 * Pulled per collection in 30-day chunks (pull.ts) and notified by signed webhooks (webhook.ts). OAuth 2.0 without
 * PKCE, client credentials in the body, single-use (rotating) refresh tokens (registry.ts).
 *
 * Budget: Oura allows 5,000 requests per 5 minutes. A bucket of 800 a minute holds at most 800 + 5 x 800 = 4,800
 * in any 5-minute span, even starting full, so the app stays under the limit with room to spare.
 */
export const ouraHooks: ProviderHooks = {
  name: 'oura',
  identity: ouraIdentity,
  eventIdentity: 'external',
  workouts: ouraWorkouts,
  budget: { kind: 'bucket', perMinute: 800 },
  webhook: ouraWebhook,
  /** Ends this token's authorization at Oura (`POST /oauth/revoke?access_token=…`). */
  async disconnecting(context) {
    await context.get('/oauth/revoke', { access_token: context.tokens.accessToken }, { method: 'POST' });
  },
};

export const ouraModule: ProviderModule = /* @__PURE__ */ providerModule(ouraHooks, {
  units: ouraUnits,
  pull: pullOura,
  handle: handleOuraEvent,
});
