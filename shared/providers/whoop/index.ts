import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';
import { ACCESS_PATH } from '#shared/providers/whoop/api.js';
import { whoopCore, whoopSync } from '#shared/providers/whoop/core.js';
import { handleWhoopEvent, whoopWebhook } from '#shared/providers/whoop/webhook.js';

/**
 * WHOOP Developer Platform, API v2 (providers.md 4.4): cycles (day strain), recoveries, sleeps, workouts and the
 * body measurement, pulled in 30-day chunks and notified by signed webhooks (notify-then-fetch). OAuth 2.0 without
 * PKCE, client credentials in the body, refresh tokens only with the `offline` scope and rotated on every refresh
 * (info.ts). Sleeps and workouts are WHOOP's records: identified by their ids, so an update replaces them and a
 * delete finds them. The app-wide limit is 100 requests a minute (and 10,000 a day): a shared bucket of 90 a
 * minute leaves room for the requests already in flight; a 429 waits for WHOOP's `X-RateLimit-Reset`. The part
 * without the webhook is core.ts.
 */
export const whoopHooks: ProviderHooks = /* @__PURE__ */ withHooks(whoopCore, {
  webhook: whoopWebhook,
  /** Ends the app's access to the member's data at WHOOP (best effort: the disconnect goes on anyway). */
  async disconnecting(context) {
    await context.get(ACCESS_PATH, {}, { method: 'DELETE' });
  },
});

export const whoopModule: ProviderModule = /* @__PURE__ */ providerModule(
  whoopHooks,
  whoopSync,
  handleWhoopEvent,
);
