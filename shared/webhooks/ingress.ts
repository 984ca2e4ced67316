import { HttpError } from '#shared/http/errors.js';
import { isWebhookProvider } from '#shared/jobs/queues.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { providerHooks } from '#shared/providers/hooks.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { isIntegrated, PROVIDER_INFO } from '#shared/providers/registry.js';
import { type WebhookAnswer, WebhookRejected, type WebhookRequest } from '#shared/providers/webhook-types.js';
import { newTraceId, storeWebhook } from '#shared/webhooks/message.js';
import { webhookSettings } from '#shared/webhooks/settings.js';

/**
 * The webhook ingress (architecture.md 7): verify, store durably, acknowledge. Nothing here calls the provider or
 * reads the table beyond the cached app-level secrets (settings.ts): the provider's deadline (Strava 2 s, Garmin 30 s) covers only a signature check, a JSON
 * parse and one queue write (plus one S3 write for a large body). A refused request is never queued.
 */

export const ACCEPTED: WebhookAnswer = { status: 200, body: { status: 'accepted' } };

const capabilities = (provider: string) => {
  if (!isIntegrated(provider)) return 'none';
  const info = PROVIDER_INFO[provider];
  const flags = {
    rest_pull: info.restPull,
    webhook_stream: info.webhookStream,
    webhook_ping: info.webhookPing,
    webhook_callback: info.webhookCallback,
  };
  return Object.entries(flags)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
};

/** The provider's webhook handler, or the contract's 404 / 501 (contract 8.2). */
export function webhookOf(provider: string): WebhookIngress {
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new HttpError(404, `Unknown provider: '${provider}'`);
  }
  const webhook = isWebhookProvider(provider) ? providerHooks[provider]?.webhook : undefined;
  if (!webhook) {
    throw new HttpError(
      501,
      `Provider '${provider}' has not implemented a webhook handler yet. Capabilities: ${capabilities(provider)}`,
    );
  }
  return webhook;
}

/** The body as the provider's parser takes it: its own decoding, or JSON. */
export function decodeBody(webhook: WebhookIngress, body: Buffer): unknown {
  if (webhook.decode) return webhook.decode(body);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRejected(400, 'Invalid JSON body');
  }
}

const rejected = (error: unknown): never => {
  if (error instanceof WebhookRejected) throw new HttpError(error.status, error.detail);
  throw error;
};

/** A GET challenge (subscription verification). */
export async function answerChallenge(provider: string, request: WebhookRequest): Promise<WebhookAnswer> {
  const webhook = webhookOf(provider);
  if (!webhook.challenge) {
    throw new HttpError(
      501,
      `Provider '${provider}' does not support webhook subscription verification via GET.`,
    );
  }
  const settings = await webhookSettings(provider);
  try {
    return webhook.challenge(request, settings);
  } catch (error) {
    return rejected(error);
  }
}

/** A POSTed notification: verified over the raw body, parsed, stored for the provider's worker, then 200. */
export async function receiveWebhook(provider: string, request: WebhookRequest): Promise<WebhookAnswer> {
  const webhook = webhookOf(provider);
  if (!isWebhookProvider(provider)) throw new HttpError(404, `Unknown provider: '${provider}'`);
  const settings = await webhookSettings(provider);
  let parsed: ReturnType<WebhookIngress['parse']>;
  try {
    webhook.verify(request, settings);
    parsed = webhook.parse(decodeBody(webhook, request.body));
  } catch (error) {
    if (error instanceof WebhookRejected && error.status === 401) {
      logger.warn('webhook refused: invalid signature', { provider });
      count(BUSINESS_METRICS.webhookSignatureRejected, { provider }, 1, { total: true });
    }
    return rejected(error);
  }
  if (!Array.isArray(parsed)) return parsed;
  if (parsed.length === 0) return ACCEPTED;
  const traceId = newTraceId();
  await storeWebhook(
    { provider, trace_id: traceId, received_at: request.now, form: 'raw', attempt: 0, deferrals: 0 },
    request.body.toString('utf8'),
  );
  logger.info('webhook accepted', {
    provider,
    traceId,
    notifications: parsed.length,
    bytes: request.body.length,
  });
  return ACCEPTED;
}
