import type { SyncProvider } from '#shared/jobs/queues.js';
import type { ProviderName } from '#shared/model/provider.js';
import { type FreshTokens, freshTokens } from '#shared/oauth/fresh-token.js';
import { userClient } from '#shared/providers/client.js';
import type { ProviderModule } from '#shared/providers/module.js';
import type { ProviderGet } from '#shared/providers/types.js';
import type { Connection } from '#shared/store/connections.js';
import { refreshRejectedTokens } from '#shared/sync/tokens.js';

/** What the sync worker (worker.ts) reaches the outside through, and its margins: injectable in tests. */
export interface SyncWorkerDeps {
  providers: Partial<Record<ProviderName, ProviderModule>>;
  /** Usable tokens for a connection (default: `freshTokens`, refreshing near expiry). */
  tokens(connection: Connection): Promise<FreshTokens>;
  /** New tokens after the provider rejected the current ones (default: `refreshRejectedTokens`). */
  refresh(rejected: Connection): Promise<FreshTokens>;
  /** Authenticated GET against the provider's data API (default: `userClient`, within the provider's budget). */
  client(provider: SyncProvider, accessToken: string): Promise<ProviderGet>;
  /** A unit is not started with less than this left of the invocation. */
  softMarginMs: number;
  /** What is kept for the wrap-up (continuation, events, lease): a unit still running then is abandoned. */
  hardMarginMs: number;
  /** Minimum time between two progress events of one invocation. */
  progressEveryMs: number;
}

export const DEFAULT_SYNC_DEPS: Omit<SyncWorkerDeps, 'providers'> = {
  tokens: (connection) => freshTokens(connection),
  refresh: refreshRejectedTokens,
  client: userClient,
  // A unit may page through several provider requests of up to 30 s each.
  softMarginMs: 60_000,
  hardMarginMs: 10_000,
  progressEveryMs: 5_000,
};
