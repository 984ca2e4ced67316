import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';
import { withingsCore, withingsSync } from '#shared/providers/withings/core.js';
import { subscribe, unsubscribe } from '#shared/providers/withings/notify.js';
import { handleWithings, withingsWebhook } from '#shared/providers/withings/webhook.js';

/**
 * Withings Public Health Data API (README.md): measures, daily and intraday activity, workouts and sleep, pulled
 * by kind and kept current by per-user notifications (subscribed at connect, unsubscribed at disconnect).
 * OAuth 2.0 with Withings' own token endpoint (info.ts); the account is the token answer's `userid`. Workouts
 * and nights are Withings records with ids (eventIdentity `external`). The part without the notifications is
 * core.ts.
 */
export const withingsHooks: ProviderHooks = /* @__PURE__ */ withHooks(withingsCore, {
  webhook: withingsWebhook,
  connected: subscribe,
  disconnecting: unsubscribe,
});

export const withingsModule: ProviderModule = /* @__PURE__ */ providerModule(
  withingsHooks,
  withingsSync,
  handleWithings,
);
