import * as z from 'zod/mini';
import { apiDateTime } from '#shared/model/time.js';
import { ATTEMPT_STATUS, type Attempt } from '#shared/store/webhook-attempts.js';
import type { WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import type { MessageSummary, WebhookMessage } from '#shared/store/webhook-messages.js';

/**
 * What the outgoing-webhook routes answer (contract 4.15): management bodies in snake_case, message and attempt
 * listings in Svix's camelCase. `disabled`, `disabled_reason` and `created_at` are additions of ours.
 */
export const endpointRead = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    filter_types: z.nullable(z.array(z.string())),
    user_id: z.nullable(z.uuid()),
    disabled: z.boolean(),
    disabled_reason: z.nullable(z.string()),
    created_at: z.iso.datetime(),
  })
  .check(z.meta({ id: 'WebhookEndpoint' }));

export const endpointView = (endpoint: WebhookEndpoint): z.infer<typeof endpointRead> => ({
  id: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  filter_types: endpoint.filter_types,
  user_id: endpoint.user_id,
  disabled: endpoint.disabled,
  disabled_reason: endpoint.disabled_reason ?? null,
  created_at: apiDateTime(endpoint.created_at),
});

const messageFields = {
  id: z.string(),
  eventType: z.string(),
  eventId: z.string(),
  timestamp: z.iso.datetime(),
  channels: z.array(z.string()),
  tags: z.nullable(z.array(z.string())),
};
export const messageRead = z
  .object({ ...messageFields, payload: z.null() })
  .check(z.meta({ id: 'WebhookMessage' }));
const messageWithPayload = z
  .object({ ...messageFields, payload: z.record(z.string(), z.unknown()) })
  .check(z.meta({ id: 'WebhookMessageWithPayload' }));

const messageBase = (message: MessageSummary) => ({
  id: message.id,
  eventType: message.event_type,
  eventId: message.event_id,
  timestamp: apiDateTime(message.timestamp),
  channels: message.channels,
  tags: null,
});

/** A listed message: Svix leaves the payload out of listings. */
export const messageView = (message: MessageSummary) => ({ ...messageBase(message), payload: null });

const STATUS_TEXT = { success: 'success', pending: 'pending', failed: 'fail', sending: 'sending' } as const;

export const attemptRead = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    msgId: z.string(),
    url: z.string(),
    response: z.string(),
    /** 0 when no answer arrived (timeout, connection refused). */
    responseStatusCode: z.number().check(z.int()),
    responseDurationMs: z.number().check(z.int()),
    status: z.number().check(z.int(), z.gte(0), z.lte(3)),
    statusText: z.enum(['success', 'pending', 'fail', 'sending']),
    /** 0 scheduled, 1 manual (the test route). */
    triggerType: z.number().check(z.int(), z.gte(0), z.lte(1)),
    timestamp: z.iso.datetime(),
    msg: z.optional(messageWithPayload),
  })
  .check(z.meta({ id: 'WebhookAttempt' }));

export const attemptView = (attempt: Attempt & { message?: WebhookMessage }) => ({
  id: attempt.id,
  endpointId: attempt.endpoint_id,
  msgId: attempt.message_id,
  url: attempt.url,
  response: attempt.response,
  responseStatusCode: attempt.response_status_code ?? 0,
  responseDurationMs: attempt.response_duration_ms,
  status: ATTEMPT_STATUS[attempt.status],
  statusText: STATUS_TEXT[attempt.status],
  triggerType: attempt.trigger === 'manual' ? 1 : 0,
  timestamp: apiDateTime(attempt.timestamp),
  ...(attempt.message && {
    msg: {
      ...messageBase(attempt.message),
      payload: JSON.parse(attempt.message.body) as Record<string, unknown>,
    },
  }),
});

/** Svix's list envelope, named `id` in the OpenAPI document. */
export const svixList = <T extends z.ZodMiniType>(item: T, id: string) =>
  z
    .object({
      data: z.array(item),
      done: z.boolean(),
      iterator: z.nullable(z.string()),
      prevIterator: z.nullable(z.string()),
    })
    .check(z.meta({ id }));
