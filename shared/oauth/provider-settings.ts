import { badRequest } from '#shared/http/errors.js';
import { liveSyncModeOf } from '#shared/oauth/connections.js';
import {
  INTEGRATED_PROVIDERS,
  type IntegratedProvider,
  iconUrl,
  isIntegrated,
  liveSyncConfigurable,
  PROVIDER_INFO,
  providerConfig,
} from '#shared/providers/registry.js';
import {
  listProviderSettings,
  type ProviderSettings,
  type ProviderSettingsPatch,
  updateProviderSettings,
} from '#shared/store/provider-settings.js';

/**
 * `ProviderSettingRead` (contract 4.4). `is_enabled` is the admin toggle and, for a cloud provider, also whether
 * its client id and secret are configured: a provider nobody can connect to is not shown as enabled. Beyond the
 * contract: `is_configured` (credentials present, whatever the toggle), and `deprecated`, with a message and the
 * provider that replaces it (Fitbit -> google_health).
 */
export async function providerSettingView(
  provider: IntegratedProvider,
  settings: ProviderSettings | undefined,
) {
  const info = PROVIDER_INFO[provider];
  const config = await providerConfig(provider);
  return {
    provider,
    name: info.name,
    has_cloud_api: info.oauth !== null,
    is_enabled: (settings?.is_enabled ?? true) && config.configured,
    is_configured: config.configured,
    icon_url: iconUrl(provider),
    live_sync_mode: liveSyncModeOf(provider, settings),
    live_sync_configurable: liveSyncConfigurable(info),
    data_granularity: settings?.data_granularity ?? null,
    deprecated: info.deprecation !== undefined,
    deprecation_message: info.deprecation?.message ?? null,
    replaced_by: info.deprecation?.replacedBy ?? null,
  };
}

/** Every integrated provider, in the reference's enum order. */
export async function providerSettingViews() {
  const settings = await listProviderSettings();
  return Promise.all(INTEGRATED_PROVIDERS.map((p) => providerSettingView(p, settings.get(p))));
}

function known(provider: string): IntegratedProvider {
  if (!isIntegrated(provider)) throw badRequest(`Unknown provider: ${provider}`);
  return provider;
}

/**
 * PUT /oauth/providers/{provider}. Switching the live mode only records it: registering provider-side webhook
 * subscriptions is not automated here (see README).
 */
export async function updateProviderSetting(provider: string, patch: ProviderSettingsPatch) {
  const slug = known(provider);
  if (patch.live_sync_mode !== undefined && !liveSyncConfigurable(PROVIDER_INFO[slug])) {
    throw badRequest(`Provider '${slug}' does not support live sync mode configuration`);
  }
  return providerSettingView(slug, await updateProviderSettings(slug, patch));
}

/** PUT /oauth/providers: every slug is checked before anything is written (the reference answered 500). */
export async function updateProvidersEnabled(toggles: Record<string, boolean>) {
  const entries = Object.entries(toggles).map(([provider, enabled]) => [known(provider), enabled] as const);
  for (const [provider, is_enabled] of entries) await updateProviderSettings(provider, { is_enabled });
  return providerSettingViews();
}
