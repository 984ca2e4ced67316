import type { ProviderName } from '#shared/model/provider.js';
import type {
  ConnectionContext,
  EventIdentity,
  ProviderGet,
  ProviderIdentity,
  PullResult,
  RequestBudget,
  SyncUnit,
  TokenSet,
  WebhookSettings,
  WorkoutApi,
} from '#shared/providers/types.js';
import type {
  NotificationContext,
  WebhookNotification,
  WebhookProvider,
} from '#shared/providers/webhook-types.js';

/**
 * One provider integration: one folder `shared/providers/<name>/` exporting this, plus one line in index.ts. The
 * sync engine (shared/sync) drives `units`/`pull`; the webhook ingress (shared/webhooks) drives `webhook`.
 */
export interface ProviderModule {
  name: ProviderName;
  /** The provider's account id and name for the connection (after the code exchange). */
  identity(get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity>;
  /** Splits `[start, end)` into units fetched and saved one at a time. */
  units(start: number, end: number): SyncUnit[];
  /** Fetches one unit and maps it to the unified model (a push provider may only request a backfill here). */
  pull(get: ProviderGet, unit: SyncUnit): Promise<PullResult>;
  /**
   * `external`: an event is the provider's record (`externalId`), so a revision whose times changed replaces it
   * and a delete notification finds it. Default `span` (source, start, end), as the reference keys events.
   */
  eventIdentity?: EventIdentity;
  /** App-wide request budget shared by every worker (providers.md 6, risk 6). */
  budget?: RequestBudget;
  /** Push delivery: verifier, parser and handler of the provider's webhooks. */
  webhook?: WebhookProvider;
  /** Headers every data call carries besides the bearer token (Suunto's `Ocp-Apim-Subscription-Key`). */
  requestHeaders?(settings: WebhookSettings): Record<string, string>;
  /**
   * After the code exchange and the identity lookup, before the connection is stored: what the provider needs done
   * for a new user (Polar's mandatory registration, Withings' notification subscriptions). A throw fails the connect
   * with a 400 naming the provider's error, so a user never holds a connection that cannot deliver data.
   */
  connected?(context: ConnectionContext): Promise<void>;
  /** The provider's own workout API, passed through raw (contract 4.6); absent: no workout API (501). */
  workouts?: WorkoutApi;
  /**
   * Before an API disconnect clears the tokens: provider-side deregistration (Polar's user delete, Withings'
   * unsubscribe). Best effort: failures are logged, the disconnect goes on. Not called when the provider itself
   * revoked the access (a deauthorisation webhook, a refused refresh).
   */
  disconnecting?(context: ConnectionContext): Promise<void>;
}

/** The half of a provider's webhook the HTTP ingress uses: verification, parsing, subscriptions; no handling. */
export type WebhookIngress = Omit<WebhookProvider, 'handle'>;

/**
 * A provider without its sync and mapping code: what the API areas (connect, disconnect, the webhook ingress) and
 * the dispatcher need (shared/providers/hooks.ts), so that their bundles leave the pull and mapping code out.
 */
export type ProviderHooks = Omit<ProviderModule, 'units' | 'pull' | 'webhook'> & { webhook?: WebhookIngress };

/** The rest of a provider: the sync engine's units and pull, and the webhook worker's handler of notifications. */
export type ProviderData = Pick<ProviderModule, 'units' | 'pull'> & { handle?: WebhookProvider['handle'] };

/**
 * The whole provider (shared/providers/index.ts) from its two halves. A provider module declares it as
 * `/* @__PURE__ *\/ providerModule(hooks, data)`: the annotation lets esbuild drop the call, and with it `data`'s
 * code, from a bundle that only uses the hooks.
 */
export function providerModule(hooks: ProviderHooks, { handle, ...data }: ProviderData): ProviderModule {
  const { webhook, ...rest } = hooks;
  if (webhook && !handle) throw new Error(`${hooks.name}: a webhook needs its handler`);
  return {
    ...rest,
    ...data,
    // Two arguments only: a handler may take more for its tests (Withings' clock).
    ...(webhook && {
      webhook: {
        ...webhook,
        handle: (context: NotificationContext, notification: WebhookNotification) =>
          handle!(context, notification),
      },
    }),
  };
}
