import type {
  NotificationContext,
  ProviderModule,
  WebhookNotification,
  WebhookProvider,
} from '#shared/providers/types.js';

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
