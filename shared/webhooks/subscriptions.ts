import { HttpError } from '#shared/http/errors.js';
import { isWebhookProvider } from '#shared/jobs/queues.js';
import { webhookUrl } from '#shared/oauth/authorize.js';
import { appRequest } from '#shared/providers/app-client.js';
import {
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { providerConfig } from '#shared/providers/registry.js';
import type { SubscriptionApi, SubscriptionContext } from '#shared/providers/webhook-types.js';
import { webhookOf } from '#shared/webhooks/ingress.js';
import { storeWebhookSecret, webhookSettings } from '#shared/webhooks/settings.js';

/** Subscription management (contract 3.3 routes 98-103, 8.2): the provider module's API with app credentials. */

const unsupported = () => new HttpError(501, 'Provider does not support webhook subscription management');

async function subscriptionsOf(
  provider: string,
): Promise<{ api: SubscriptionApi; context: SubscriptionContext }> {
  const webhook = webhookOf(provider);
  if (!webhook.subscriptions || !isWebhookProvider(provider)) throw unsupported();
  const config = await providerConfig(provider);
  if (!config.configured || !config.apiBaseUrl) {
    throw new HttpError(400, `Provider '${provider}' is not configured (client id and secret are missing)`);
  }
  return {
    api: webhook.subscriptions,
    context: {
      request: appRequest(config.apiBaseUrl),
      settings: await webhookSettings(provider),
      storeSecret: storeWebhookSecret,
    },
  };
}

/** A provider's refusal or outage as a 502 naming it; never a 5xx with our stack. */
async function calling<T>(provider: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProviderRequestError) {
      throw new HttpError(502, `${provider} answered ${error.status}: ${error.body.slice(0, 300)}`);
    }
    if (error instanceof TransientProviderError) {
      throw new HttpError(502, `${provider} is unavailable: ${error.message}`);
    }
    if (error instanceof UnauthorizedError) {
      throw new HttpError(502, `${provider} refused this deployment's client credentials`);
    }
    if (error instanceof RateLimitedError) {
      const seconds = Math.max(1, Math.ceil((error.retryAt - Date.now()) / 1000));
      throw new HttpError(503, `${provider} is rate limiting this deployment; retry in ${seconds} s`, {
        'retry-after': String(seconds),
      });
    }
    throw error;
  }
}

export async function listSubscriptions(provider: string) {
  const { api, context } = await subscriptionsOf(provider);
  return { subscriptions: await calling(provider, () => api.list(context)) };
}

export async function createSubscription(provider: string, callbackUrl?: string) {
  const { api, context } = await subscriptionsOf(provider);
  return {
    subscriptions: await calling(provider, () => api.create(context, callbackUrl ?? webhookUrl(provider))),
  };
}

export async function renewSubscriptions(provider: string) {
  const { api, context } = await subscriptionsOf(provider);
  return { renewed: api.renew ? await calling(provider, () => api.renew!(context)) : [] };
}

/**
 * The renewal schedule's run (Oura's subscriptions expire): renews what the provider's module renews; a provider
 * without credentials has nothing to renew and is skipped.
 */
export async function scheduledRenewal(provider: string): Promise<{ renewed: number; skipped?: string }> {
  const config = await providerConfig(provider as Parameters<typeof providerConfig>[0]);
  if (!config.configured) return { renewed: 0, skipped: `${provider} is not configured` };
  const { renewed } = await renewSubscriptions(provider);
  return { renewed: renewed.length };
}

export async function getSubscription(provider: string, id: string) {
  const { api, context } = await subscriptionsOf(provider);
  return { subscription: await calling(provider, () => api.get(context, id)) };
}

/** Update of the callback: the provider's own, or delete + create (Strava allows no update). */
export async function updateSubscription(provider: string, id: string, callbackUrl?: string) {
  const { api, context } = await subscriptionsOf(provider);
  const url = callbackUrl ?? webhookUrl(provider);
  if (api.update) return { updated: await calling(provider, () => api.update!(context, id, url)) };
  return {
    updated: await calling(provider, async () => {
      await api.delete(context, id);
      return api.create(context, url);
    }),
  };
}

export async function deleteSubscription(provider: string, id: string) {
  const { api, context } = await subscriptionsOf(provider);
  return { deleted: await calling(provider, () => api.delete(context, id)) };
}
