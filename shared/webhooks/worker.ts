import type { Context, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { createSqsWorker } from '#shared/jobs/worker.js';
import { isoAt } from '#shared/model/time.js';
import { ConnectionAuthError } from '#shared/oauth/errors.js';
import { freshTokens } from '#shared/oauth/fresh-token.js';
import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { userClient } from '#shared/providers/client.js';
import {
  PermissionDeniedError,
  ProviderGoneError,
  ProviderRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import type { WebhookModule } from '#shared/providers/module.js';
import type { WebhookNotification } from '#shared/providers/webhook-types.js';
import { getConnection } from '#shared/store/connections.js';
import { accountUserIds, stampDelivery } from '#shared/store/provider-accounts.js';
import { UserGone } from '#shared/store/user-guard.js';
import { apiGoneReason } from '#shared/sync/run-handover.js';
import { recordSyncEvent } from '#shared/sync/status.js';
import { refreshRejectedTokens } from '#shared/sync/tokens.js';
import { notificationContext, type ProviderAccess } from '#shared/webhooks/context.js';
import { decodeBody } from '#shared/webhooks/ingress.js';
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
 * to the provider account (an account linked to several users fans out to each); a user whose connection is
 * revoked is skipped (a late delivery after a disconnect writes nothing), an account linked to nobody is
 * acknowledged, logged and counted (the provider would retry a refusal for days).
 *
 * Per (notification, user) the outcome is one terminal sync status event (`source: webhook`, run id = the
 * delivery's trace id), then:
 * - done, or permanently failed (the provider refused the request, the data was unusable): nothing to retry;
 * - rate limited: re-queued alone, delayed until the provider's reset (`deferrals`, bounded);
 * - transient (5xx, network, a refresh running elsewhere, anything unexpected): re-queued alone, with backoff
 *   (`attempt`, bounded). If nothing of the message succeeded the message itself fails instead, and SQS retries
 *   and finally dead-letters it; so a bad record never sinks the good ones, and nothing acknowledged is lost;
 * - not started before the invocation's deadline: re-queued as it is.
 */

export const MAX_ATTEMPTS = 6;
/** Rate-limited notifications wait for the reset (Strava's daily one may be a day away), at most this long. */
export const MAX_DEFERRAL_MS = 3 * 86_400_000;
/** Time kept before handling another (notification, user): a ping fetch or a token refresh may take 30 s. */
export const DEADLINE_MARGIN_MS = 45_000;
const MAX_DELAY_SECONDS = 900;
const backoffSeconds = (attempt: number) => Math.min(MAX_DELAY_SECONDS, 30 * 2 ** attempt);

export interface WebhookWorkerDeps extends ProviderAccess {
  providers: Partial<Record<string, WebhookModule>>;
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
  module: WebhookModule,
  notification: WebhookNotification,
  userId: string,
  message: WebhookMessage,
  deps: WebhookWorkerDeps,
): Promise<Outcome> {
  const connection = await getConnection(userId, module.name);
  // Revoked (or gone): nothing may be written. Expired (a refresh failed) still takes pushed data, which needs no
  // token and which Garmin never sends again; a fetch then fails as a ConnectionAuthError, recorded below.
  if (!connection || connection.status === 'revoked') {
    logger.info('webhook for a connection that is revoked or gone: skipped', {
      provider: module.name,
      userId,
    });
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
    if (error instanceof ProviderGoneError) {
      // The provider's API is gone for this connection (Fitbit's shutdown): as the sync worker does, revoke it.
      const reason = apiGoneReason(module.name);
      await context.revoke(reason);
      await status({
        status: 'failed',
        message: `${reason}. The connection was revoked.`,
        error: error.message,
      });
      return { kind: 'done' };
    }
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
function itemsOf(module: WebhookModule, message: WebhookMessage, content: string): PendingItem[] {
  if (message.form === 'pending') return z.array(pendingItem).parse(JSON.parse(content));
  const notifications = module.webhook!.parse(decodeBody(module.webhook!, Buffer.from(content, 'utf8')));
  return Array.isArray(notifications) ? notifications.map((notification) => ({ notification })) : [];
}

/** What could not be finished of a message, by why. */
interface Leftovers {
  retry: PendingItem[];
  deferred: PendingItem[];
  unfinished: PendingItem[];
  retryAt: number;
  progressed: boolean;
  lastError?: Error;
}

/** Every (notification, user) of the message, until the invocation's deadline; what is left over, sorted. */
async function handleItems(
  module: WebhookModule,
  message: WebhookMessage,
  items: PendingItem[],
  deps: WebhookWorkerDeps,
  remainingMs: () => number,
): Promise<Leftovers> {
  const left: Leftovers = { retry: [], deferred: [], unfinished: [], retryAt: 0, progressed: false };
  for (const item of items) {
    const { notification } = item;
    let userIds: string[];
    try {
      userIds = item.user_ids ?? (await accountUserIds(message.provider, notification.providerUserId));
    } catch (error) {
      left.retry.push(item);
      left.lastError = error as Error;
      continue;
    }
    if (userIds.length === 0) {
      logger.warn('webhook for an unknown provider user: acknowledged', {
        provider: message.provider,
        kind: notification.kind,
        traceId: message.trace_id,
      });
      count(BUSINESS_METRICS.webhookUnknownUser, { provider: message.provider });
      continue;
    }
    const sorted = { again: [] as string[], later: [] as string[], unstarted: [] as string[] };
    for (const userId of userIds) {
      // A notification may fetch for up to a minute (pages, a token refresh): not started without the time.
      if (remainingMs() < DEADLINE_MARGIN_MS) {
        sorted.unstarted.push(userId);
        continue;
      }
      const outcome = await handleForUser(module, notification, userId, message, deps);
      if (outcome.kind === 'done') left.progressed = true;
      else if (outcome.kind === 'retry') {
        sorted.again.push(userId);
        left.lastError = outcome.error;
      } else {
        sorted.later.push(userId);
        left.retryAt = Math.max(left.retryAt, outcome.retryAt);
      }
    }
    if (sorted.again.length > 0) left.retry.push({ notification, user_ids: sorted.again });
    if (sorted.later.length > 0) left.deferred.push({ notification, user_ids: sorted.later });
    if (sorted.unstarted.length > 0) left.unfinished.push({ notification, user_ids: sorted.unstarted });
  }
  return left;
}

/**
 * Handles one stored webhook. Throws (the message fails, SQS retries it and finally dead-letters it) only when a
 * retry may help and re-queuing the rest would not do: nothing of it succeeded, it was tried often enough, or it
 * stayed rate limited for days. Every give-up is decided before anything is re-queued, so a failed message never
 * leaves copies behind.
 */
export async function handleWebhookMessage(
  message: WebhookMessage,
  deps: WebhookWorkerDeps,
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<void> {
  const module = deps.providers[message.provider];
  if (!module?.webhook) throw new Error(`no webhook handler for ${message.provider}`);
  const content = await loadWebhook(message);
  if (content === undefined) {
    logger.warn('stored webhook body is gone (handled before): nothing to do', { traceId: message.trace_id });
    return;
  }
  const left = await handleItems(module, message, itemsOf(module, message, content), deps, remainingMs);
  if (left.retry.length > 0 && (!left.progressed || message.attempt >= MAX_ATTEMPTS)) {
    throw left.lastError ?? new Error('webhook handling failed');
  }
  if (left.deferred.length > 0 && Date.now() - message.received_at > MAX_DEFERRAL_MS) {
    throw new Error(`${message.provider} stayed rate limited for days`);
  }
  const base = { provider: message.provider, trace_id: message.trace_id, received_at: message.received_at };
  const { attempt, deferrals } = message;
  if (left.retry.length > 0) {
    const delay = (deps.backoffSeconds ?? backoffSeconds)(attempt);
    await storeWebhook(
      { ...base, form: 'pending', attempt: attempt + 1, deferrals },
      JSON.stringify(left.retry),
      delay,
    );
  }
  if (left.deferred.length > 0) {
    const wait = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((left.retryAt - Date.now()) / 1000)));
    await storeWebhook(
      { ...base, form: 'pending', attempt, deferrals: deferrals + 1 },
      JSON.stringify(left.deferred),
      wait,
    );
  }
  if (left.unfinished.length > 0) {
    await storeWebhook({ ...base, form: 'pending', attempt, deferrals }, JSON.stringify(left.unfinished));
  }
  await discardWebhook(message);
}

/** The SQS consumer of every webhook queue (functions/webhook-worker.ts). */
export function createWebhookWorker(deps: Partial<WebhookWorkerDeps> & Pick<WebhookWorkerDeps, 'providers'>) {
  const full: WebhookWorkerDeps = { ...DEFAULT_ACCESS, ...deps };
  return createSqsWorker(
    webhookMessage,
    async (message: WebhookMessage, context: Context, record: SQSRecord) => {
      await handleWebhookMessage(message, full, () => context.getRemainingTimeInMillis());
      logger.info('webhook handled', {
        provider: message.provider,
        traceId: message.trace_id,
        messageId: record.messageId,
      });
    },
  );
}
