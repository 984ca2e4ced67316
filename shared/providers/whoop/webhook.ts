import * as z from 'zod/mini';
import { orNoData } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { handled, PullOutput, saveOutput } from '#shared/providers/output.js';
import { type TimestampedSignature, validTimestampedHmac } from '#shared/providers/secrets.js';
import { zoneOf } from '#shared/providers/time.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { cycleRecoveryPath, sleepPath, workoutPath } from '#shared/providers/whoop/api.js';
import { type Outcome, WHOOP_UUID } from '#shared/providers/whoop/common.js';
import { mapRecovery } from '#shared/providers/whoop/recovery.js';
import { mapSleep } from '#shared/providers/whoop/sleep.js';
import { mapWorkout } from '#shared/providers/whoop/workouts.js';

/**
 * WHOOP webhooks (providers.md 4.4), configured in the WHOOP Developer Dashboard (no subscription API), payload
 * version v2: `{user_id, id, type, trace_id}`, notify-then-fetch. Each request is signed:
 * `X-WHOOP-Signature` = base64(HMAC-SHA256(key = WHOOP_CLIENT_SECRET, `X-WHOOP-Signature-Timestamp` + raw body)),
 * the timestamp in epoch ms and refused beyond 300 s of our clock (a replay).
 *
 * `workout.updated` / `sleep.updated` fetch the record by id and save it (replacing the stored one);
 * `recovery.updated` carries the id of the recovery's *sleep*: the sleep gives its `cycle_id`, whose recovery is
 * `GET /v2/cycle/{cycleId}/recovery` (the reference fetched a `/v2/recovery/{id}` route WHOOP does not have).
 * `workout.deleted` / `sleep.deleted` remove the event of that id. `recovery.deleted` changes nothing: a recovery is
 * stored as samples and a score, which no notification can remove (counted skipped). Other event types are
 * acknowledged and ignored.
 */

const SECRET_SETTING = 'WHOOP_CLIENT_SECRET';
const SIGNATURE: TimestampedSignature = {
  signatureHeader: 'x-whoop-signature',
  timestampHeader: 'x-whoop-signature-timestamp',
  encoding: 'base64',
  signedAt: (timestamp) => (/^\d{1,15}$/.test(timestamp) ? Number(timestamp) : null),
};

const EVENT_TYPES = [
  'workout.updated',
  'workout.deleted',
  'sleep.updated',
  'sleep.deleted',
  'recovery.updated',
  'recovery.deleted',
] as const;

export function whoopVerify(request: WebhookRequest, settings: WebhookSettings): void {
  if (!validTimestampedHmac(request, settings(SECRET_SETTING), SIGNATURE))
    throw new WebhookRejected(401, 'Invalid webhook signature');
}

const whoopUserId = z.pipe(
  z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(/^\d{1,19}$/))]),
  z.transform(String),
);

/** The event body; the queued payload is parsed by this schema again. */
const whoopEventSchema = z.object({
  user_id: whoopUserId,
  id: z.pipe(
    z.string().check(z.regex(WHOOP_UUID)),
    z.transform((id) => id.toLowerCase()),
  ),
  type: z.string().check(z.maxLength(64)),
  trace_id: z.nullish(z.string().check(z.maxLength(256))),
});
type WhoopEvent = z.output<typeof whoopEventSchema>;

const isKnownType = (type: string): type is (typeof EVENT_TYPES)[number] =>
  (EVENT_TYPES as readonly string[]).includes(type);

/** One notification for the event's member, kind = the event type; an unknown type is acknowledged unqueued. */
export function parseWhoopEvent(body: unknown): WebhookNotification[] {
  const parsed = whoopEventSchema.safeParse(body);
  if (!parsed.success) throw new WebhookRejected(400, 'Invalid JSON body');
  const event = parsed.data;
  if (!isKnownType(event.type)) return [];
  return [{ providerUserId: event.user_id, kind: event.type, payload: event }];
}

/** The record as WHOOP has it now, when it is the member's; null when WHOOP answers 404 or it is someone else's. */
async function currentRecord(context: NotificationContext, path: string, userId: string) {
  const record = await orNoData(context.get(path));
  return isObject(record) && idText(record.user_id) === userId ? record : null;
}

/** Saves what `map` mapped; a record it did not map (gone, unscored, malformed) is counted skipped. */
async function saveMapped(context: NotificationContext, map: (out: PullOutput) => Outcome) {
  const out = new PullOutput();
  if (map(out) !== 'mapped') out.skip();
  return saveOutput(context, out);
}

async function saveRecovery(context: NotificationContext, event: WhoopEvent) {
  const sleep = await currentRecord(context, sleepPath(event.id), event.user_id);
  const cycleId = sleep ? idText(sleep.cycle_id) : null;
  const recovery =
    sleep && cycleId !== null && /^\d+$/.test(cycleId)
      ? await currentRecord(context, cycleRecoveryPath(cycleId), event.user_id)
      : null;
  return saveMapped(context, (out) => mapRecovery(recovery, zoneOf(sleep?.timezone_offset), out));
}

export async function handleWhoopEvent(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const parsed = whoopEventSchema.safeParse(notification.payload);
  if (!parsed.success) return handled({ skipped: 1 });
  const event = parsed.data;
  switch (event.type) {
    case 'workout.updated': {
      const record = await currentRecord(context, workoutPath(event.id), event.user_id);
      return saveMapped(context, (out) => mapWorkout(record, out));
    }
    case 'sleep.updated': {
      const record = await currentRecord(context, sleepPath(event.id), event.user_id);
      return saveMapped(context, (out) => mapSleep(record, out));
    }
    case 'recovery.updated':
      return saveRecovery(context, event);
    case 'workout.deleted':
      return handled({ events: (await context.removeEvent('workout', event.id)) ? 1 : 0 });
    case 'sleep.deleted':
      return handled({ events: (await context.removeEvent('sleep', event.id)) ? 1 : 0 });
    default:
      // recovery.deleted: nothing stored can be removed by id.
      return handled({ skipped: 1 });
  }
}

export const whoopWebhook: WebhookIngress = {
  settings: [SECRET_SETTING],
  verify: whoopVerify,
  parse: parseWhoopEvent,
};
