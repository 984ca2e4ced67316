import { env } from '#shared/config/env.js';
import { delayUntil, queueDeliveries } from '#shared/delivery/delivery-queue.js';
import { webhookDeliveryEnvSchema } from '#shared/delivery/env.js';
import { type PostOutcome, postWebhook } from '#shared/delivery/post.js';
import { signatureHeaders } from '#shared/delivery/signing.js';
import { type DeliveryJob, MAX_ATTEMPTS, RETRY_DELAYS_SECONDS } from '#shared/delivery/types.js';
import { checkEndpointUrl } from '#shared/delivery/url-guard.js';
import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { recordAttempt } from '#shared/store/webhook-attempts.js';
import {
  acquireProbe,
  endpointSecrets,
  getEndpoint,
  recordEndpointFailure,
  recordEndpointSuccess,
  releaseProbe,
  type WebhookEndpoint,
} from '#shared/store/webhook-endpoints.js';
import {
  deliveryState,
  getMessage,
  setDeliveryState,
  type WebhookMessage,
} from '#shared/store/webhook-messages.js';
import { traceRequest } from '#tracer';

/** While an endpoint is failing and its one attempt is in flight, another job for it comes back this much later. */
export const PROBE_WAIT_SECONDS = 30;
/** The lease outlives the attempt's timeout by this much: the answer's grace period and the recording. */
const PROBE_MARGIN_MS = 5_000;

type DeliverySettings = ReturnType<typeof settings>;
const settings = () => env(webhookDeliveryEnvSchema);

/** Signs the stored body for this moment and POSTs it; an address the guard refuses is a failed attempt. */
async function attempt(
  endpoint: WebhookEndpoint,
  message: WebhookMessage,
  config: DeliverySettings,
): Promise<PostOutcome> {
  const allowPrivate = config.WEBHOOK_ALLOW_PRIVATE;
  const refused = checkEndpointUrl(endpoint.url, { allowPrivate });
  if (refused) return { ok: false, statusCode: null, response: refused, durationMs: 0 };
  const now = Date.now();
  const secrets = await endpointSecrets(endpoint, now);
  const headers = signatureHeaders(message.id, Math.floor(now / 1000), message.body, secrets);
  // Traced by origin only: the path of a receiver's URL can be its secret (chat and automation hooks).
  return traceRequest(
    'POST',
    new URL(endpoint.url).origin,
    () =>
      postWebhook(endpoint.url, message.body, headers, {
        timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
        allowPrivate,
      }),
    (outcome) => outcome.statusCode,
  );
}

/**
 * What to do with a job before any request: nothing when the endpoint or the message is gone (deleted, user
 * erased), when the delivery already succeeded or gave up, or when this attempt was already made (a redelivered
 * job, or a fan-out that queued again after a crash). A disabled endpoint gives up its scheduled deliveries; a
 * manual one is still attempted, so a developer can check a fix before enabling the endpoint again.
 */
async function load(job: DeliveryJob, config: DeliverySettings) {
  const [endpoint, message, state] = await Promise.all([
    getEndpoint(job.endpoint_id),
    getMessage(job.user_id, job.message_id),
    deliveryState(job.endpoint_id, job.message_id),
  ]);
  if (!endpoint || !message) {
    logger.info('delivery dropped: endpoint or message gone', {
      endpointId: job.endpoint_id,
      messageId: job.message_id,
      endpoint: Boolean(endpoint),
    });
    return undefined;
  }
  if (state && (state.status !== 'pending' || state.attempts >= job.attempt)) return undefined;
  if (endpoint.disabled && job.trigger === 'scheduled') {
    const attempts = state?.attempts ?? 0;
    const failed = { status: 'failed' as const, attempts, next_at: null };
    await setDeliveryState(endpoint.id, message.id, failed, config.WEBHOOK_RETENTION_DAYS);
    return undefined;
  }
  return { endpoint, message };
}

/**
 * Makes the attempt and records it. A failed scheduled attempt queues the next one after RETRY_DELAYS_SECONDS
 * until MAX_ATTEMPTS; a manual (test) delivery is tried once. The next attempt is queued before anything is
 * recorded, so a crash in between repeats an attempt rather than losing the delivery.
 */
async function attemptAndRecord(
  job: DeliveryJob,
  endpoint: WebhookEndpoint,
  message: WebhookMessage,
  config: DeliverySettings,
): Promise<void> {
  const startedAt = Date.now();
  const outcome = await attempt(endpoint, message, config);
  const now = Date.now();
  const retry = !outcome.ok && job.trigger === 'scheduled' && job.attempt < MAX_ATTEMPTS;
  const nextAt = retry ? now + RETRY_DELAYS_SECONDS[job.attempt - 1]! * 1000 : null;
  if (nextAt !== null) {
    const next = { ...job, attempt: job.attempt + 1, due_at: nextAt };
    await queueDeliveries([{ job: next, delaySeconds: delayUntil(nextAt, now) }]);
  }

  const retention = config.WEBHOOK_RETENTION_DAYS;
  await recordAttempt(
    {
      endpoint_id: endpoint.id,
      message_id: message.id,
      user_id: message.user_id,
      event_type: message.event_type,
      url: endpoint.url,
      response_status_code: outcome.statusCode,
      response: outcome.response,
      response_duration_ms: outcome.durationMs,
      status: outcome.ok ? 'success' : 'failed',
      trigger: job.trigger,
      timestamp: new Date(startedAt).toISOString(),
      attempt: job.attempt,
    },
    retention,
    now,
  );
  const status = outcome.ok ? 'success' : retry ? 'pending' : 'failed';
  count(BUSINESS_METRICS.webhookDeliveries, { outcome: status === 'pending' ? 'retrying' : status });
  await setDeliveryState(
    endpoint.id,
    message.id,
    { status, attempts: job.attempt, next_at: nextAt },
    retention,
    now,
  );

  if (outcome.ok) {
    await recordEndpointSuccess(endpoint.id, now);
    return;
  }
  const { disabled } = await recordEndpointFailure(endpoint.id, now, config.WEBHOOK_DISABLE_AFTER_DAYS);
  if (disabled) logger.warn('endpoint disabled after failing for days', { endpointId: endpoint.id });
}

/**
 * One attempt of one delivery job (Standard Webhooks schedule, contract 8.1): re-queued while not yet due (SQS
 * delays 15 minutes at most); otherwise signed, POSTed, recorded. While the endpoint is failing only one attempt
 * at a time goes out (the probe lease): a job that finds it taken comes back PROBE_WAIT_SECONDS later without
 * counting as an attempt, so a dead receiver holds one delivery slot, not all of them.
 */
export async function deliver(job: DeliveryJob): Promise<void> {
  const received = Date.now();
  if (job.due_at > received) {
    await queueDeliveries([{ job, delaySeconds: delayUntil(job.due_at, received) }]);
    return;
  }
  const config = settings();
  const loaded = await load(job, config);
  if (!loaded) return;
  const { endpoint, message } = loaded;

  const holdMs = config.WEBHOOK_TIMEOUT_SECONDS * 1000 + PROBE_MARGIN_MS;
  const now = Date.now();
  if (!(await acquireProbe(endpoint.id, now, holdMs))) {
    const later = { ...job, due_at: now + PROBE_WAIT_SECONDS * 1000 };
    await queueDeliveries([{ job: later, delaySeconds: PROBE_WAIT_SECONDS }]);
    return;
  }
  // Only a failing endpoint is leased. One that began failing since it was read here may have been leased too:
  // that lease is left to lapse after holdMs.
  const leased = Boolean(endpoint.failing_since);
  try {
    await attemptAndRecord(job, endpoint, message, config);
  } finally {
    if (leased) await releaseProbe(endpoint.id);
  }
}
