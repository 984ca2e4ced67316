import { garminCore } from '#shared/providers/garmin/core.js';
import { garminWebhook, handleGarminNotification } from '#shared/providers/garmin/webhook.js';
import { googleHealthCore } from '#shared/providers/google-health/core.js';
import { googleHealthWebhook, handleGoogleHealth } from '#shared/providers/google-health/webhook.js';
import { type WebhookModule, webhookModule } from '#shared/providers/module.js';
import { ouraCore } from '#shared/providers/oura/core.js';
import { handleOuraEvent, ouraWebhook } from '#shared/providers/oura/webhook.js';
import { polarCore } from '#shared/providers/polar/core.js';
import { handlePolar, polarWebhook } from '#shared/providers/polar/webhook.js';
import { stravaCore } from '#shared/providers/strava/core.js';
import { handleStravaEvent, stravaWebhook } from '#shared/providers/strava/webhook.js';
import { suuntoCore } from '#shared/providers/suunto/core.js';
import { handleSuunto, suuntoWebhook } from '#shared/providers/suunto/webhook.js';
import { whoopCore } from '#shared/providers/whoop/core.js';
import { handleWhoopEvent, whoopWebhook } from '#shared/providers/whoop/webhook.js';
import { withingsCore } from '#shared/providers/withings/core.js';
import { handleWithings, withingsWebhook } from '#shared/providers/withings/webhook.js';

/**
 * The push providers of index.ts as the webhook worker drives them: name, event keys and webhook, without the sync
 * engine's units and pull or the connect hooks. test/unit/provider-hooks.test.ts holds it to index.ts.
 */
export const webhookModules: Record<string, WebhookModule> = {
  garmin: webhookModule(garminCore, garminWebhook, handleGarminNotification),
  strava: webhookModule(stravaCore, stravaWebhook, handleStravaEvent),
  oura: webhookModule(ouraCore, ouraWebhook, handleOuraEvent),
  whoop: webhookModule(whoopCore, whoopWebhook, handleWhoopEvent),
  polar: webhookModule(polarCore, polarWebhook, handlePolar),
  suunto: webhookModule(suuntoCore, suuntoWebhook, handleSuunto),
  google_health: webhookModule(googleHealthCore, googleHealthWebhook, handleGoogleHealth),
  withings: webhookModule(withingsCore, withingsWebhook, handleWithings),
};
