import { type ProviderHooks, type ProviderModule, providerModule } from '#shared/providers/module.js';
import { SUBSCRIBED_APPLIS, subscribe, unsubscribe } from '#shared/providers/withings/notify.js';
import { withingsWorkouts } from '#shared/providers/withings/passthrough.js';
import { pullUnit, withingsIdentity, withingsUnits } from '#shared/providers/withings/pull.js';
import { handleWithings, withingsWebhook } from '#shared/providers/withings/webhook.js';

/** Withings' limit for the whole app (standard plan), in any 60 s. */
const WITHINGS_REQUESTS_PER_MINUTE = 120;

/**
 * In any 60 s the bucket lets through its burst plus a minute of refill, and a connect subscribes outside the
 * budget: what is left of Withings' limit after those, so every 60 s stays within it (107 a minute, burst 7).
 */
const BURST = 7;
const BUDGET_PER_MINUTE = WITHINGS_REQUESTS_PER_MINUTE - SUBSCRIBED_APPLIS.length - BURST;

/**
 * Withings Public Health Data API (README.md): measures, daily and intraday activity, workouts and sleep, pulled
 * by kind and kept current by per-user notifications (subscribed at connect, unsubscribed at disconnect).
 * OAuth 2.0 with Withings' own token endpoint (info.ts); the account is the token answer's `userid`. Workouts
 * and nights are Withings records with ids (eventIdentity `external`).
 */
export const withingsHooks: ProviderHooks = {
  name: 'withings',
  identity: withingsIdentity,
  eventIdentity: 'external',
  workouts: withingsWorkouts,
  budget: { kind: 'bucket', perMinute: BUDGET_PER_MINUTE, burst: BURST },
  webhook: withingsWebhook,
  connected: subscribe,
  disconnecting: unsubscribe,
};

export const withingsModule: ProviderModule = /* @__PURE__ */ providerModule(withingsHooks, {
  units: (start, end) => withingsUnits(start, end),
  pull: async (get, unit) => (await pullUnit(get, unit)).result(),
  handle: handleWithings,
});
