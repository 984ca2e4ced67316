import type { Context, SQSRecord } from 'aws-lambda';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { isoAt } from '#shared/model/time.js';
import { ConnectionAuthError } from '#shared/oauth/errors.js';
import { freshTokens } from '#shared/oauth/fresh-token.js';
import { countMetric, logger } from '#shared/observability.js';
import { userClient } from '#shared/providers/client.js';
import {
  PermissionDeniedError,
  ProviderRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { ProviderModule, WebhookNotification } from '#shared/providers/types.js';
import { getConnection } from '#shared/store/connections.js';
import { accountUserIds, stampDelivery } from '#shared/store/provider-accounts.js';
import { UserGone } from '#shared/store/user-guard.js';
import { recordSyncEvent } from '#shared/sync/status.js';
import { refreshRejectedTokens } from '#shared/sync/tokens.js';
import { notificationContext, type ProviderAccess } from '#shared/webhooks/context.js';
import {
  discardWebhook,
  loadWebhook,
  type PendingItem,
  pendingItem,
  storeWebhook,
  type WebhookMessage,
  webhookMessage,
} from '#shared/webhooks/message.js';

/**
 * The webhook worker (one function, one event source per provider queue): a stored webhook becomes writes.
 *
 * Per message: its notifications (the provider module's `parse`, again), each for every one of our users linked
 * to the provider account (an account linked to several users fans out to each); a user without an active
 * connection is skipped (a late delivery after a disconnect writes nothing), an account linked to nobody is
 * acknowledged, logged and counted (the provider would retry a refusal for days).
 *
 * Per (notification, user) the outcome is one terminal sync status event (`source: webhook`, run id = the
 * delivery's trace id), then:
 * - done, or permanently failed (the provider refused the request, the data was unusable): nothing to retry;
 * - rate limited: re-queued alone, delayed until the provider's reset (`deferrals`, bounded);
 * - transient (5xx, network, a refresh running elsewhere, anything unexpected): re-queued alone, with backoff
 *   (`attempt`, bounded). If nothing of the message succeeded the message itself fails instead, and SQS retries
 *   and finally dead-letters it; so a bad record never sinks the good ones, and nothing acknowledged is lost.
 */

export const MAX_ATTEMPTS = 6;
export const MAX_DEFERRALS = 48;
const MAX_DELAY_SECONDS = 900;
const backoffSeconds = (attempt: number) => Math.min(MAX_DELAY_SECONDS, 30 * 2 ** attempt);

export interface WebhookWorkerDeps extends ProviderAccess {
  providers: Partial<Record<string, ProviderModule>>;
  /** Delay of a re-queue after the `attempt`-th transient failure (default 30 s doubling, at most 15 min). */
  backoffSeconds?: (attempt: number) => number;
}

export const DEFAULT_ACCESS: ProviderAccess = {
  tokens: (connection) => freshTokens(connection),
  refresh: refreshRejectedTokens,
  client: userClient,
};

type Outcome = { kind: 'done' } | { kind: 'retry'; error: Error } | { kind: 'deferred'; retryAt: number };

async function handleForUser(
  module: ProviderModule,
  notification: WebhookNotification,
  userId: string,
  message: WebhookMessage,
  deps: WebhookWorkerDeps,
): Promise<Outcome> {
  const connection = await getConnection(userId, module.name);
  if (connection?.status !== 'active') {
    logger.info('webhook for a connection that is not active: skipped', { provider: module.name, userId });
    return { kind: 'done' };
  }
  const started = isoAt(Date.now());
  const status = (fields: {
    status: 'success' | 'partial' | 'failed' | 'skipped';
    message: string;
    error?: string;
  }) =>
    recordSyncEvent({
      run_id: message.trace_id,
      user_id: userId,
      provider: module.name,
      source: 'webhook',
      stage: fields.status === 'failed' ? 'failed' : 'completed',
      started_at: started,
      ended_at: isoAt(Date.now()),
      ...fields,
      metadata: {
        kind: notification.kind,
        received_at: isoAt(message.received_at),
        attempt: message.attempt,
      },
    });
  const { context, effects } = notificationContext(module, connection, deps);
  try {
    const handled = await module.webhook!.handle(context, notification);
    if (!effects.revoked) await stampDelivery(userId, module.name, started, [...effects.arrived]);
    const parts = `${handled.samples} samples, ${handled.events} events, ${handled.scores} scores`;
    await status({
      status: handled.skipped > 0 ? 'partial' : 'success',
      message: effects.revoked
        ? `${module.name} revoked the connection (${notification.kind})`
        : `Webhook ${notification.kind}: ${parts}${handled.skipped > 0 ? `, ${handled.skipped} items skipped` : ''}`,
    });
    return { kind: 'done' };
  } catch (error) {
    if (error instanceof UserGone) return { kind: 'done' };
    if (error instanceof RateLimitedError) return { kind: 'deferred', retryAt: error.retryAt };
    const permanent =
      error instanceof ProviderRequestError ||
      error instanceof PermissionDeniedError ||
      error instanceof UnauthorizedError ||
      error instanceof ConnectionAuthError;
    if (!permanent) return { kind: 'retry', error: error as Error };
    const text = (error as Error).message;
    await status({ status: 'failed', message: `Webhook ${notification.kind} failed: ${text}`, error: text });
    return { kind: 'done' };
  }
}

/** The notifications of a stored message: the raw body parsed again, or the pending ones of a re-queue. */
function itemsOf(module: ProviderModule, message: WebhookMessage, content: string): PendingItem[] {
  const parsed = JSON.parse(content) as unknown;
  if (message.form === 'pending') return pendingItem.array().parse(parsed);
  const notifications = module.webhook!.parse(parsed);
  return Array.isArray(notifications) ? notifications.map((notification) => ({ notification })) : [];
}

/** Handles one stored webhook; throws (the message fails) only when nothing of it succeeded and a retry may help. */
export async function handleWebhookMessage(message: WebhookMessage, deps: WebhookWorkerDeps): Promise<void> {
  const module = deps.providers[message.provider];
  if (!module?.webhook) throw new Error(`no webhook handler for ${message.provider}`);
  const content = await loadWebhook(message);
  if (content === undefined) {
    logger.warn('stored webhook body is gone (handled before): nothing to do', { traceId: message.trace_id });
    return;
  }
  const retry: PendingItem[] = [];
  const deferred: PendingItem[] = [];
  let retryAt = 0;
  let progressed = false;
  let lastError: Error | undefined;

  for (const item of itemsOf(module, message, content)) {
    const { notification } = item;
    const userIds = item.user_ids ?? (await accountUserIds(message.provider, notification.providerUserId));
    if (userIds.length === 0) {
      logger.warn('webhook for an unknown provider user: acknowledged', {
        provider: message.provider,
        kind: notification.kind,
        traceId: message.trace_id,
      });
      countMetric('WebhookUnknownUser', message.provider);
      continue;
    }
    const again: string[] = [];
    const later: string[] = [];
    for (const userId of userIds) {
      const outcome = await handleForUser(module, notification, userId, message, deps);
      if (outcome.kind === 'done') progressed = true;
      else if (outcome.kind === 'retry') {
        again.push(userId);
        lastError = outcome.error;
      } else {
        later.push(userId);
        retryAt = Math.max(retryAt, outcome.retryAt);
      }
    }
    if (again.length > 0) retry.push({ notification, user_ids: again });
    if (later.length > 0) deferred.push({ notification, user_ids: later });
  }

  if (retry.length === 0 && deferred.length === 0) {
    await discardWebhook(message);
    return;
  }
  if (retry.length > 0 && (!progressed || message.attempt >= MAX_ATTEMPTS)) {
    // Nothing done (or tried often enough): SQS retries the whole message, then dead-letters it.
    throw lastError ?? new Error('webhook handling failed');
  }
  const base = { provider: message.provider, trace_id: message.trace_id, received_at: message.received_at };
  if (retry.length > 0) {
    await storeWebhook(
      { ...base, form: 'pending', attempt: message.attempt + 1, deferrals: message.deferrals },
      JSON.stringify(retry),
      (deps.backoffSeconds ?? backoffSeconds)(message.attempt),
    );
  }
  if (deferred.length > 0) {
    if (message.deferrals >= MAX_DEFERRALS) throw new Error(`${message.provider} stayed rate limited`);
    const wait = Math.ceil((retryAt - Date.now()) / 1000);
    await storeWebhook(
      { ...base, form: 'pending', attempt: message.attempt, deferrals: message.deferrals + 1 },
      JSON.stringify(deferred),
      Math.min(MAX_DELAY_SECONDS, Math.max(1, wait)),
    );
  }
  await discardWebhook(message);
}

/** The SQS consumer of every webhook queue (functions/webhook-worker.ts). */
export function createWebhookWorker(deps: Partial<WebhookWorkerDeps> & Pick<WebhookWorkerDeps, 'providers'>) {
  const full: WebhookWorkerDeps = { ...DEFAULT_ACCESS, ...deps };
  return createSqsWorker(
    webhookMessage,
    async (message: WebhookMessage, _context: Context, record: SQSRecord) => {
      await handleWebhookMessage(message, full);
      logger.info('webhook handled', {
        provider: message.provider,
        traceId: message.trace_id,
        messageId: record.messageId,
      });
    },
  );
}
