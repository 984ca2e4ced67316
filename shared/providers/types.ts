import type { HealthEvent, HealthScore, SeriesSamples } from '#shared/model/health-data.js';
import type { ProviderName } from '#shared/model/provider.js';

/** OAuth 2.0 authorization-code settings of a cloud provider (providers.md 3.1, 3.6). */
export interface OAuthSpec {
  authorizeUrl: string;
  tokenUrl: string;
  /** Client credentials in a Basic header, or as form fields of the token request. */
  clientAuth: 'basic' | 'body';
  pkce: boolean;
  defaultScope: string;
}

/** Tokens of one connection; never returned by the API, stored encrypted. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms. */
  expiresAt: number;
  scope: string | null;
  /** Provider extras of the token response (Fitbit `user_id`, Polar `x_user_id`, ...). */
  extras: Record<string, unknown>;
}

export interface ProviderIdentity {
  providerUserId: string | null;
  providerUsername: string | null;
}

/** What one pull unit produced, in the unified model. */
export interface PullResult {
  series: SeriesSamples[];
  events: HealthEvent[];
  scores: HealthScore[];
}

/** A resumable piece of a sync window: the worker checkpoints after each one. */
export interface SyncUnit {
  /** Stable label, e.g. `2024-01-15` or `activities:2024-01-01`. */
  key: string;
  start: number;
  end: number;
}

/** Authenticated JSON GET against the provider's data API; errors are classified (see http.ts). */
export type ProviderGet = (pathOrUrl: string, query?: Record<string, string | number>) => Promise<unknown>;

/** A provider whose data we pull with the user's OAuth token. One implementation per `shared/providers/<name>/`. */
export interface PullProvider {
  name: ProviderName;
  /** The provider's account id and name for the connection (after the code exchange). */
  identity(get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity>;
  /** Splits `[start, end)` into units fetched and saved one at a time. */
  units(start: number, end: number): SyncUnit[];
  /** Fetches one unit and maps it to the unified model. */
  pull(get: ProviderGet, unit: SyncUnit): Promise<PullResult>;
}
