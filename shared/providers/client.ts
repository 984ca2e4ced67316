import type { ProviderName } from '#shared/model/provider.js';
import { budgetHooks } from '#shared/providers/budget.js';
import { bearerGet } from '#shared/providers/http.js';
import { providerModules } from '#shared/providers/index.js';
import { isIntegrated, providerConfig } from '#shared/providers/registry.js';
import type { ProviderGet } from '#shared/providers/types.js';

/**
 * An authenticated GET as one user against the provider's configured API base, within the provider's app-wide
 * budget: what the sync worker and the webhook worker call the provider with.
 */
export async function userClient(provider: ProviderName, accessToken: string): Promise<ProviderGet> {
  if (!isIntegrated(provider)) throw new Error(`${provider} has no cloud API`);
  const config = await providerConfig(provider);
  if (!config.apiBaseUrl) throw new Error(`no API base URL configured for ${provider}`);
  return bearerGet(config.apiBaseUrl, accessToken, budgetHooks(provider, providerModules[provider]?.budget));
}
