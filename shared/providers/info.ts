import type { ProviderName } from '#shared/model/provider.js';
import type { OAuthSpec } from '#shared/providers/types.js';

/** A provider on its way out: integrators see it in GET /oauth/providers, a run its API refuses (410) says it. */
export interface ProviderDeprecation {
  /** What happened and where the provider's users go instead. */
  message: string;
  /** The provider that replaces it, if any. */
  replacedBy: ProviderName | null;
}

/** A provider's registry entry (contract 4.4, 7.6): what it is, how to connect, how its data arrives. */
export interface ProviderInfo {
  /** Display name (contract 4.4). */
  name: string;
  oauth: OAuthSpec | null;
  /** The data API base as providers.md names it; request paths are appended to it. */
  apiBaseUrl: string | null;
  restPull: boolean;
  webhookStream: boolean;
  webhookPing: boolean;
  webhookCallback: boolean;
  maxHistoricalDays: number | null;
  deprecation?: ProviderDeprecation;
}

export const cloud = (
  name: string,
  oauth: OAuthSpec,
  apiBaseUrl: string,
  capabilities: Partial<Pick<ProviderInfo, 'restPull' | 'webhookStream' | 'webhookPing' | 'webhookCallback'>>,
  maxHistoricalDays: number | null = null,
): ProviderInfo => ({
  name,
  oauth,
  apiBaseUrl,
  restPull: false,
  webhookStream: false,
  webhookPing: false,
  webhookCallback: false,
  ...capabilities,
  maxHistoricalDays,
});

export const sdkOnly = (name: string): ProviderInfo => ({
  name,
  oauth: null,
  apiBaseUrl: null,
  restPull: false,
  webhookStream: false,
  webhookPing: false,
  webhookCallback: false,
  maxHistoricalDays: null,
});
