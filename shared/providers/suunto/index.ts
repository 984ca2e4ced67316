import { type ProviderHooks, type ProviderModule, providerModule } from '#shared/providers/module.js';
import { suuntoWorkouts } from '#shared/providers/suunto/passthrough.js';
import { pullSuunto, suuntoIdentity, suuntoUnits } from '#shared/providers/suunto/pull.js';
import { handleSuunto, suuntoWebhook } from '#shared/providers/suunto/webhook.js';

const SUBSCRIPTION_KEY_SETTING = 'SUUNTO_SUBSCRIPTION_KEY';

/**
 * Suunto Cloud API (providers.md 4.3): workouts with their samples, sleep, recovery and activity samples and daily
 * totals, pulled in 20-day chunks (pull.ts) and pushed by signed webhooks (webhook.ts). OAuth 2.0 without PKCE,
 * client credentials in a Basic header (info.ts); every data call also carries the API-management subscription
 * key. Workouts are keyed by `workoutKey` and nights by `SleepId`, so a revision replaces the stored record.
 *
 * Suunto enforces quotas per subscription key, that is per application, and publishes them with the key rather
 * than in its documentation: the app-wide budget is a conservative 60 requests a minute, shared by every worker.
 */
export const suuntoHooks: ProviderHooks = {
  name: 'suunto',
  identity: suuntoIdentity,
  eventIdentity: 'external',
  workouts: suuntoWorkouts,
  budget: { kind: 'bucket', perMinute: 60 },
  webhook: suuntoWebhook,
  // Unset: no header, and Suunto's 401 says what is missing (the connect flow needs no request to Suunto).
  requestHeaders(settings): Record<string, string> {
    const key = settings(SUBSCRIPTION_KEY_SETTING);
    return key ? { 'Ocp-Apim-Subscription-Key': key } : {};
  },
};

export const suuntoModule: ProviderModule = /* @__PURE__ */ providerModule(suuntoHooks, {
  units: suuntoUnits,
  pull: pullSuunto,
  handle: handleSuunto,
});
