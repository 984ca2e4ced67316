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
 * One provider integration: one folder `shared/providers/<name>/` exporting this, plus one line in each registry
 * (index.ts, hooks.ts, cores.ts, and webhook-modules.ts for a push provider). The sync engine (shared/sync) drives `units`/`pull`; the webhook ingress
 * (shared/webhooks) drives `webhook`.
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
 * What every caller of a provider reads (shared/providers/cores.ts): its name and account lookup, how its events
 * are keyed, the budget and headers of its API calls, its workout passthrough. Neither its push half nor its
 * connect hooks, so that the provider client and the sync engine leave them out of their bundles.
 */
export type ProviderCore = Omit<ProviderModule, 'units' | 'pull' | 'webhook' | 'connected' | 'disconnecting'>;

/**
 * A provider without its sync and mapping code: what the API areas (connect, disconnect, the webhook ingress) and
 * the dispatcher need (shared/providers/hooks.ts), so that their bundles leave the pull and mapping code out.
 */
export type ProviderHooks = Omit<ProviderModule, 'units' | 'pull' | 'webhook'> & { webhook?: WebhookIngress };

/** What the sync engine drives: a sync window split into units, one unit fetched and mapped. */
export type ProviderPull = Pick<ProviderModule, 'units' | 'pull'>;

/*
 * A provider declares its parts (index.ts, and core.ts for a push provider) as `/* @__PURE__ *\/ withHooks(...)`,
 * `syncModule(...)` and `providerModule(...)`: the annotation lets esbuild drop an unused part, and the code only it
 * reaches, from a bundle. Their arguments must be identifiers or literals: a spread or a property read keeps the call.
 */

/** The core plus the webhook ingress and the connect and disconnect hooks. */
export function withHooks(
  core: ProviderCore,
  hooks: Pick<ProviderHooks, 'webhook' | 'connected' | 'disconnecting'>,
): ProviderHooks {
  return { ...core, ...hooks };
}

/**
 * The provider as the sync engine drives it: the core plus units and pull, without the push half and the connect
 * hooks (`syncModules`, shared/providers/cores.ts).
 */
export function syncModule(core: ProviderCore, { units, pull }: ProviderPull): ProviderModule {
  return { ...core, units, pull };
}

/** What the webhook worker drives (shared/webhooks/worker.ts): the provider's name, event keys and webhook. */
export type WebhookModule = Pick<ProviderModule, 'name' | 'eventIdentity' | 'webhook'>;

/** The whole webhook: the ingress half with the worker's handler of notifications. */
const fullWebhook = (ingress: WebhookIngress, handle: WebhookProvider['handle']): WebhookProvider => ({
  ...ingress,
  // Two arguments only: a handler may take more for its tests (Withings' clock).
  handle: (context: NotificationContext, notification: WebhookNotification) => handle(context, notification),
});

/** A push provider as the webhook worker drives it (`webhookModules`, shared/providers/webhook-modules.ts). */
export function webhookModule(
  core: ProviderCore,
  ingress: WebhookIngress,
  handle: WebhookProvider['handle'],
): WebhookModule {
  return { name: core.name, eventIdentity: core.eventIdentity, webhook: fullWebhook(ingress, handle) };
}

/**
 * The whole provider (shared/providers/index.ts): its hooks, the units and pull of its sync module, and the webhook
 * worker's handler of its notifications when it has a webhook.
 */
export function providerModule(
  hooks: ProviderHooks,
  { units, pull }: ProviderPull,
  handle?: WebhookProvider['handle'],
): ProviderModule {
  const { webhook, ...rest } = hooks;
  if (webhook && !handle) throw new Error(`${hooks.name}: a webhook needs its handler`);
  return { ...rest, units, pull, ...(webhook && { webhook: fullWebhook(webhook, handle!) }) };
}
