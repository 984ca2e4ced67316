import { CfnOutput, type Stack } from 'aws-cdk-lib';
import { WEBHOOK_PROVIDERS, type WebhookProviderName } from '#shared/jobs/queues.js';
import { PROVIDER_INFO } from '#shared/providers/registry.js';

/** `google_health` -> `GoogleHealth`: an output name from a provider name. */
export const outputPrefix = (provider: string) =>
  provider
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** Every provider with an OAuth flow (the cloud providers of the registry), in registry order. */
export const OAUTH_PROVIDERS = Object.entries(PROVIDER_INFO)
  .filter(([, info]) => info.oauth !== null)
  .map(([provider]) => provider);

/** How each provider learns its webhook URL (README "Wearable providers"). */
const WEBHOOK_REGISTRATION: Record<WebhookProviderName, string> = {
  garmin: "register it in Garmin's endpoint configuration for every summary type",
  strava: 'subscribed by POST /api/v1/providers/strava/webhooks/subscriptions (its default callback_url)',
  oura: 'subscribed by POST /api/v1/providers/oura/webhooks/subscriptions',
  whoop: "register it in the app's settings of the WHOOP developer dashboard",
  polar: 'subscribed by POST /api/v1/providers/polar/webhooks/subscriptions',
  suunto: "register it in Suunto's API zone for the app",
  google_health: 'create the subscriber in the Google Cloud console with GOOGLE_HEALTH_WEBHOOK_SECRET',
  withings: 'subscribed per user at connect, with ?token=<WITHINGS_WEBHOOK_TOKEN>; nothing to register',
};

/** `<Pascal>CallbackUrl` and `<Pascal>WebhookUrl` outputs and their paths under the API base URL. */
export const PROVIDER_URL_OUTPUTS: ReadonlyArray<{ name: string; path: string; description: string }> = [
  ...OAUTH_PROVIDERS.map((provider) => ({
    name: `${outputPrefix(provider)}CallbackUrl`,
    path: `/api/v1/oauth/${provider}/callback`,
    description: `OAuth redirect URI to register in the ${PROVIDER_INFO[provider as keyof typeof PROVIDER_INFO].name} developer console`,
  })),
  ...WEBHOOK_PROVIDERS.map((provider) => ({
    name: `${outputPrefix(provider)}WebhookUrl`,
    path: `/api/v1/providers/${provider}/webhooks`,
    description: `Webhook URL of ${PROVIDER_INFO[provider].name}: ${WEBHOOK_REGISTRATION[provider]}`,
  })),
];

/**
 * The URLs an operator registers with each provider, as stack outputs: what shared/oauth/authorize.ts builds at
 * runtime (`callbackUrl`, `webhookUrl`) from the same base URL.
 */
export function providerUrlOutputs(stack: Stack, apiBaseUrl: string): void {
  for (const { name, path, description } of PROVIDER_URL_OUTPUTS) {
    new CfnOutput(stack, name, { value: `${apiBaseUrl}${path}`, description });
  }
}
