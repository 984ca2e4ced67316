import { CfnOutput, type Stack } from 'aws-cdk-lib';
import { WEBHOOK_PROVIDERS } from '#shared/jobs/queues.js';
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
    description: `Webhook (push notification) URL to register with ${PROVIDER_INFO[provider].name}`,
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
