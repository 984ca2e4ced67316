import {
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  withHooks,
} from '#shared/providers/module.js';
import { polarCore, polarSync } from '#shared/providers/polar/core.js';
import { deregisterUser, registerUser } from '#shared/providers/polar/users.js';
import { handlePolar, polarWebhook } from '#shared/providers/polar/webhook.js';

/**
 * Polar AccessLink v3 (providers.md 4.2): exercises with samples, nights, Nightly Recharge, continuous heart rate,
 * daily activity and physical information, pulled in 28-day units and pushed as notify-then-fetch webhooks. OAuth 2.0
 * without PKCE, client credentials in a Basic header (info.ts); tokens last years and come without a refresh token.
 *
 * Exercises and nights are Polar's records (a hashed id, a date), so a revision replaces the stored event. The
 * budget and the part without the webhook are in core.ts.
 */
export const polarHooks: ProviderHooks = /* @__PURE__ */ withHooks(polarCore, {
  webhook: polarWebhook,
  connected: registerUser,
  disconnecting: deregisterUser,
});

export const polarModule: ProviderModule = /* @__PURE__ */ providerModule(polarHooks, polarSync, handlePolar);
