import { outgoingSettings } from '#shared/api/outgoing-input.js';
import { isEventType } from '#shared/delivery/catalogue.js';
import { newId } from '#shared/delivery/ids.js';
import { deliveryJob } from '#shared/delivery/types.js';
import { badRequest, HttpError } from '#shared/http/errors.js';
import { sendJob } from '#shared/jobs/send.js';
import { isoAt } from '#shared/model/time.js';
import { logger } from '#shared/observability.js';
import type { WebhookEndpoint } from '#shared/store/webhook-endpoints.js';
import { markDispatched, messageOf, putMessage, setDeliveryState } from '#shared/store/webhook-messages.js';

const DEFAULT_TEST_EVENT = 'workout.created';

/**
 * A test message of `requested` (default `workout.created`; the endpoint's first filtered type when its filter
 * excludes that) to this endpoint alone, queued as a manual delivery.
 */
export async function sendTestEvent(
  endpoint: WebhookEndpoint,
  ownerId: string,
  requested: string | undefined,
) {
  let type = requested ?? DEFAULT_TEST_EVENT;
  if (!isEventType(type)) throw badRequest(`Unknown event type: '${type}'.`);
  if (endpoint.filter_types && !endpoint.filter_types.includes(type)) type = endpoint.filter_types[0]!;
  const now = Date.now();
  const data = { test: true, endpoint_id: endpoint.id, message: 'This is a test event from Open Wearables.' };
  const event = { id: newId('test'), type, userId: null, timestamp: isoAt(now), data };
  const test = { ...messageOf(event), owner_id: ownerId };
  try {
    const retentionDays = outgoingSettings().WEBHOOK_RETENTION_DAYS;
    await putMessage(test, retentionDays, now);
    await setDeliveryState(
      endpoint.id,
      test.id,
      { status: 'pending', attempts: 0, next_at: now },
      retentionDays,
      now,
    );
    await sendJob('webhookDeliveries', deliveryJob, {
      endpoint_id: endpoint.id,
      message_id: test.id,
      user_id: null,
      attempt: 1,
      due_at: now,
      trigger: 'manual',
    });
    await markDispatched(null, test.id);
  } catch (error) {
    logger.error('test event not sent', { error: error as Error, endpointId: endpoint.id });
    throw new HttpError(500, 'Failed to send test event.');
  }
  return { message: 'Test event sent successfully.', message_id: test.id };
}
