import type { ProviderName } from '#shared/model/provider.js';
import { countProviderHttpError } from '#shared/observability.js';
import { budgetHooks } from '#shared/providers/budget.js';
import { providerCores } from '#shared/providers/cores.js';
import { bearerGet, type FetchHooks } from '#shared/providers/http.js';
import { isIntegrated, providerConfig, providerVariables } from '#shared/providers/registry.js';
import type { ProviderGet } from '#shared/providers/types.js';

/**
 * An authenticated call as one user against the provider's configured API base, with the headers the provider
 * wants on every request: what the sync worker, the webhook worker and the connect flow call the provider with.
 * Within the provider's app-wide budget unless `budgeted` is false (the connect flow's few requests, made while
 * the user waits in the browser).
 */
export async function userClient(
  provider: ProviderName,
  accessToken: string,
  { budgeted = true }: { budgeted?: boolean } = {},
): Promise<ProviderGet> {
  if (!isIntegrated(provider)) throw new Error(`${provider} has no cloud API`);
  const config = await providerConfig(provider);
  if (!config.apiBaseUrl) throw new Error(`no API base URL configured for ${provider}`);
  const core = providerCores[provider];
  const headers = core?.requestHeaders ? core.requestHeaders(await providerVariables()) : {};
  const hooks = budgeted ? budgetHooks(provider, core?.budget) : undefined;
  return bearerGet(config.apiBaseUrl, accessToken, countingErrors(provider, hooks), headers);
}

/** `hooks`, plus a count of the provider's error answers. */
function countingErrors(provider: ProviderName, hooks: FetchHooks | undefined): FetchHooks {
  return {
    before: async () => hooks?.before(),
    after: async (response) => {
      // A 404 is how several providers say "no data".
      if (!response.ok && response.status !== 404) countProviderHttpError(provider, response.status);
      await hooks?.after(response);
    },
  };
}
