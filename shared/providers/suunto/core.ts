import { type ProviderCore, type ProviderModule, syncModule } from '#shared/providers/module.js';
import { suuntoWorkouts } from '#shared/providers/suunto/passthrough.js';
import { pullSuunto, suuntoIdentity, suuntoUnits } from '#shared/providers/suunto/pull.js';

const SUBSCRIPTION_KEY_SETTING = 'SUUNTO_SUBSCRIPTION_KEY';

/**
 * Suunto without its webhook (index.ts): what the provider client and the sync engine read (module.ts).
 *
 * Suunto enforces quotas per subscription key, that is per application, and publishes them with the key rather
 * than in its documentation: the app-wide budget is a conservative 60 requests a minute, shared by every worker.
 */
export const suuntoCore: ProviderCore = {
  name: 'suunto',
  identity: suuntoIdentity,
  eventIdentity: 'external',
  workouts: suuntoWorkouts,
  budget: { kind: 'bucket', perMinute: 60 },
  // Unset: no header, and Suunto's 401 says what is missing (the connect flow needs no request to Suunto).
  requestHeaders(settings): Record<string, string> {
    const key = settings(SUBSCRIPTION_KEY_SETTING);
    return key ? { 'Ocp-Apim-Subscription-Key': key } : {};
  },
};

export const suuntoSync: ProviderModule = /* @__PURE__ */ syncModule(suuntoCore, {
  units: suuntoUnits,
  pull: pullSuunto,
});
