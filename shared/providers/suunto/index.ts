import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';
import { suuntoCore, suuntoSync } from '#shared/providers/suunto/core.js';
import { handleSuunto, suuntoWebhook } from '#shared/providers/suunto/webhook.js';

/**
 * Suunto Cloud API (providers.md 4.3): workouts with their samples, sleep, recovery and activity samples and daily
 * totals, pulled in 20-day chunks (pull.ts) and pushed by signed webhooks (webhook.ts). OAuth 2.0 without PKCE,
 * client credentials in a Basic header (info.ts); every data call also carries the API-management subscription
 * key. Workouts are keyed by `workoutKey` and nights by `SleepId`, so a revision replaces the stored record. The
 * budget and the part without the webhook are in core.ts.
 */
export const suuntoHooks: ProviderHooks = /* @__PURE__ */ withHooks(suuntoCore, { webhook: suuntoWebhook });

export const suuntoModule: ProviderModule = /* @__PURE__ */ providerModule(
  suuntoHooks,
  suuntoSync,
  handleSuunto,
);
