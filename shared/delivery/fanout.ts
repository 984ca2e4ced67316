import { gunzipSync } from 'node:zlib';
import { env } from '#shared/config/env.js';
import { type QueuedDelivery, queueDeliveries } from '#shared/delivery/delivery-queue.js';
import { putOnBus } from '#shared/delivery/event-bus.js';
import { eventFanoutEnvSchema } from '#shared/delivery/fanout-env.js';
import { writeToLake } from '#shared/delivery/lake.js';
import { type DomainEvent, domainEvent, type EventsJob } from '#shared/delivery/types.js';
import { logger } from '#shared/observability.js';
import { UserGone } from '#shared/store/user-guard.js';
import { listActiveEndpoints, type WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import {
  getMessage,
  markDispatched,
  messageOf,
  putMessage,
  type WebhookMessage,
} from '#shared/store/webhook-messages.js';

/** An events message inflates to far less (emit.ts packs ~200 KB of gzip); more is not ours. */
const MAX_EVENTS_BYTES = 32 * 1024 * 1024;
/** Messages stored or marked at once. */
const STORE_CONCURRENCY = 8;

/**
 * The events of one events message (base64 gzip JSON array). What cannot be read is logged and left out: a
 * redelivery could never read it either.
 */
export function decodeEvents(job: EventsJob): DomainEvent[] {
  let parsed: unknown;
  try {
    const json = gunzipSync(Buffer.from(job.gz, 'base64'), { maxOutputLength: MAX_EVENTS_BYTES });
    parsed = JSON.parse(json.toString('utf8'));
  } catch (error) {
    logger.error('dropping an unreadable events message', { error: (error as Error).message });
    return [];
  }
  if (!Array.isArray(parsed)) {
    logger.error('dropping an events message that is not a list');
    return [];
  }
  return parsed.flatMap((candidate) => {
    const event = domainEvent.safeParse(candidate);
    if (event.success) return [event.data];
    logger.error('dropping a malformed event', { issues: event.error.issues.slice(0, 5) });
    return [];
  });
}

/** Filter types (none: every type) and the user filter (none: every user; else the message's `user.<id>` channel). */
export const endpointMatches = (endpoint: WebhookEndpoint, event: DomainEvent): boolean =>
  !endpoint.disabled &&
  (!endpoint.filter_types?.length || endpoint.filter_types.includes(event.type)) &&
  (endpoint.user_id === null || endpoint.user_id === event.userId);

async function inGroups<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let at = 0; at < items.length; at += STORE_CONCURRENCY) {
    results.push(...(await Promise.all(items.slice(at, at + STORE_CONCURRENCY).map(work))));
  }
  return results;
}

interface Dispatch {
  message: WebhookMessage;
  endpoints: WebhookEndpoint[];
}

/**
 * Stores the message; undefined when nothing is to be queued: its user is erased, or a duplicate emission whose
 * message was already handed to its endpoints. A stored message not yet marked dispatched (the previous run
 * stopped between storing and marking) is queued again: receivers may see it twice under the same `webhook-id`.
 */
async function stored(dispatch: Dispatch, retentionDays: number): Promise<Dispatch | undefined> {
  const { message } = dispatch;
  try {
    if (await putMessage(message, retentionDays)) return dispatch;
  } catch (error) {
    if (error instanceof UserGone) return undefined;
    throw error;
  }
  const existing = await getMessage(message.user_id, message.id);
  return existing && !existing.dispatched ? dispatch : undefined;
}

/** Each event with at least one matching endpoint becomes a message and one delivery job per endpoint. */
async function queueWebhooks(events: DomainEvent[], retentionDays: number): Promise<void> {
  const endpoints = await listActiveEndpoints();
  if (endpoints.length === 0) return;
  const matched = events.flatMap((event) => {
    const targets = endpoints.filter((endpoint) => endpointMatches(endpoint, event));
    return targets.length > 0 ? [{ message: messageOf(event), endpoints: targets }] : [];
  });
  const dispatches = (await inGroups(matched, (d) => stored(d, retentionDays))).filter(
    (d): d is Dispatch => d !== undefined,
  );
  const now = Date.now();
  const jobs: QueuedDelivery[] = dispatches.flatMap(({ message, endpoints: targets }) =>
    targets.map((endpoint) => ({
      job: {
        endpoint_id: endpoint.id,
        message_id: message.id,
        user_id: message.user_id,
        attempt: 1,
        due_at: now,
        trigger: 'scheduled' as const,
      },
    })),
  );
  await queueDeliveries(jobs);
  await inGroups(dispatches, ({ message }) => markDispatched(message.user_id, message.id));
}

/**
 * Feeds one batch of events to every sink: the EventBridge bus, the data lake and integrator endpoints (each a
 * no-op when not configured). Any sink failing fails the job, which SQS redelivers; every sink is idempotent
 * on the event ids or tolerates duplicates (at least once).
 */
export async function fanOut(events: DomainEvent[]): Promise<void> {
  const unique = [...new Map(events.map((event) => [event.id, event])).values()];
  if (unique.length === 0) return;
  const settings = env(eventFanoutEnvSchema);
  // Every sink runs to its end before the job fails: a redelivery while one still writes would race it.
  const results = await Promise.allSettled([
    putOnBus(unique),
    writeToLake(unique),
    settings.OUTGOING_WEBHOOKS_ENABLED
      ? queueWebhooks(unique, settings.WEBHOOK_RETENTION_DAYS)
      : Promise.resolve(),
  ]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
