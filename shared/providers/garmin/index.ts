import { garminCore, garminSync } from '#shared/providers/garmin/core.js';
import { garminWebhook, handleGarminNotification } from '#shared/providers/garmin/webhook.js';
import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';

/**
 * Garmin Connect Developer Program (providers.md 4.1): push only. Garmin's terms forbid polling its summary
 * endpoints, so a sync's units only request asynchronous backfills (backfill.ts) and the data arrives through
 * the webhook (webhook.ts), mapped by mapping.ts. Events are Garmin's records, keyed by Garmin's ids
 * (`activityId` for workouts, whichever summary they came in; `summaryId` for the rest), so a revised summary
 * replaces its event. Garmin allows 100 requests a minute per app. The part without the webhook is core.ts.
 */

export const garminHooks: ProviderHooks = /* @__PURE__ */ withHooks(garminCore, { webhook: garminWebhook });

export const garminModule: ProviderModule = /* @__PURE__ */ providerModule(
  garminHooks,
  garminSync,
  handleGarminNotification,
);
