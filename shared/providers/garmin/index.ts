import { backfillUnits, pullBackfill } from '#shared/providers/garmin/backfill.js';
import { garminIdentity } from '#shared/providers/garmin/identity.js';
import { garminWorkouts } from '#shared/providers/garmin/passthrough.js';
import { garminWebhook, handleGarminNotification } from '#shared/providers/garmin/webhook.js';
import { type ProviderHooks, type ProviderModule, providerModule } from '#shared/providers/module.js';

/**
 * Garmin Connect Developer Program (providers.md 4.1): push only. Garmin's terms forbid polling its summary
 * endpoints, so a sync's units only request asynchronous backfills (backfill.ts) and the data arrives through
 * the webhook (webhook.ts), mapped by mapping.ts. Events are Garmin's records, keyed by Garmin's ids
 * (`activityId` for workouts, whichever summary they came in; `summaryId` for the rest), so a revised summary
 * replaces its event. Garmin allows 100 requests a minute per app.
 */

export const garminHooks: ProviderHooks = {
  name: 'garmin',
  identity: garminIdentity,
  eventIdentity: 'external',
  workouts: garminWorkouts,
  // Garmin allows 100 a minute per app: a full bucket (the burst) plus a minute of refill stays within it.
  budget: { kind: 'bucket', perMinute: 90, burst: 10 },
  webhook: garminWebhook,
};

export const garminModule: ProviderModule = /* @__PURE__ */ providerModule(garminHooks, {
  units: backfillUnits,
  pull: pullBackfill,
  handle: handleGarminNotification,
});
