import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';
import { ouraCore, ouraSync } from '#shared/providers/oura/core.js';
import { handleOuraEvent, ouraWebhook } from '#shared/providers/oura/webhook.js';

/**
 * Oura API v2 (providers.md 4.5): workouts, sleep periods with stages, heart rate and HRV, the daily sleep,
 * readiness and activity scores with their contributors, SpO2, cardiovascular age, VO2max, weight and height.
 * Pulled per collection in 30-day chunks (pull.ts) and notified by signed webhooks (webhook.ts). OAuth 2.0 without
 * PKCE, client credentials in the body, single-use (rotating) refresh tokens (registry.ts). The part without the
 * webhook is core.ts.
 */
export const ouraHooks: ProviderHooks = /* @__PURE__ */ withHooks(ouraCore, {
  webhook: ouraWebhook,
  /** Ends this token's authorization at Oura (`POST /oauth/revoke?access_token=…`). */
  async disconnecting(context) {
    await context.get('/oauth/revoke', { access_token: context.tokens.accessToken }, { method: 'POST' });
  },
});

export const ouraModule: ProviderModule = /* @__PURE__ */ providerModule(
  ouraHooks,
  ouraSync,
  handleOuraEvent,
);
