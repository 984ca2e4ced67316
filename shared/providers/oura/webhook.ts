import * as z from 'zod/mini';
import { orNoData } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import {
  collectionPath,
  type DocumentCollection,
  mapDocument,
  scopedGet,
} from '#shared/providers/oura/collections.js';
import { NOT_SLEEP_TYPES } from '#shared/providers/oura/sleep.js';
import { ouraSubscriptions } from '#shared/providers/oura/subscriptions.js';
import { countSamples, handled } from '#shared/providers/output.js';
import { sameSecret, type TimestampedSignature, validTimestampedHmac } from '#shared/providers/secrets.js';
import { epochMs } from '#shared/providers/time.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookAnswer,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';

/**
 * Oura webhooks (providers.md 4.5), notify-then-fetch. Creating a subscription makes Oura GET our callback with
 * `verification_token` and `challenge`; each change is then a small signed POST naming the document
 * (`{event_type, data_type, object_id, user_id, event_time}`), which the worker fetches with the user's token
 * (`/v2/usercollection/<collection>/<object_id>`) and saves like a pulled one: an `update` replaces what the
 * `create` stored (workouts and sleeps by their Oura id, samples and scores by their time).
 *
 * Signature: `x-oura-signature` is the HMAC-SHA256, keyed with the client secret, of `x-oura-timestamp` (Unix
 * seconds) followed by the raw body, in upper-case hex (any case accepted). A timestamp more than 5 minutes from our
 * clock is refused like a bad signature, so a captured notification cannot be replayed later.
 *
 * A `delete` removes the workout or sleep session of that id. Other documents are days: their samples and score
 * are keyed by time, and the deleted document (hence its day) can no longer be read, so nothing is removed for
 * them (they are not subscribed for deletes either).
 */

export const VERIFICATION_TOKEN_SETTING = 'OURA_WEBHOOK_VERIFICATION_TOKEN';
const SECRET_SETTING = 'OURA_CLIENT_SECRET';
const SIGNATURE: TimestampedSignature = {
  signatureHeader: 'x-oura-signature',
  timestampHeader: 'x-oura-timestamp',
  encoding: 'hex',
  // Unix seconds; milliseconds are read too.
  signedAt: (timestamp) => (/^\d{1,13}$/.test(timestamp) ? epochMs(timestamp) : null),
};

/** Webhook `data_type` -> collection; Oura names the VO2max collection `vO2_max` and its data type `vo2_max`. */
export const NOTIFIED_COLLECTIONS: Readonly<Record<string, DocumentCollection>> = {
  workout: 'workout',
  sleep: 'sleep',
  daily_sleep: 'daily_sleep',
  daily_readiness: 'daily_readiness',
  daily_activity: 'daily_activity',
  daily_spo2: 'daily_spo2',
  daily_cardiovascular_age: 'daily_cardiovascular_age',
  vo2_max: 'vO2_max',
  vO2_max: 'vO2_max',
};

const collectionOf = (dataType: string) =>
  Object.hasOwn(NOTIFIED_COLLECTIONS, dataType) ? NOTIFIED_COLLECTIONS[dataType]! : null;

/** `GET ?verification_token=<token>&challenge=<c>` -> `{"challenge": "<c>"}`; another token is refused (401). */
export function ouraChallenge(request: WebhookRequest, settings: WebhookSettings): WebhookAnswer {
  if (!sameSecret(request.query.verification_token, settings(VERIFICATION_TOKEN_SETTING))) {
    throw new WebhookRejected(401, 'Invalid verification token');
  }
  const challenge = request.query.challenge;
  if (!challenge) throw new WebhookRejected(400, 'Missing challenge');
  return { status: 200, body: { challenge } };
}

export function ouraVerify(request: WebhookRequest, settings: WebhookSettings): void {
  if (!validTimestampedHmac(request, settings(SECRET_SETTING), SIGNATURE))
    throw new WebhookRejected(401, 'Invalid webhook signature');
}

/** Ids go into a request path: letters, digits and `-_.` only. */
const documentId = z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,128}$/));

const ouraEventSchema = z.object({
  event_type: z.enum(['create', 'update', 'delete']),
  data_type: z.string().check(z.minLength(1), z.maxLength(64)),
  object_id: documentId,
  user_id: z.string().check(z.trim(), z.minLength(1), z.maxLength(128)),
  event_time: z.optional(z.string().check(z.maxLength(64))),
});
export type OuraEvent = z.output<typeof ouraEventSchema>;

/**
 * One notification for the event's Oura user, kind `<data_type>.<event_type>`. A data type we do not store (tags,
 * sessions...) is acknowledged without queuing anything.
 */
export function parseOuraEvent(body: unknown): WebhookNotification[] {
  const parsed = ouraEventSchema.safeParse(body);
  if (!parsed.success) throw new WebhookRejected(400, 'Invalid JSON body');
  const event = parsed.data;
  if (collectionOf(event.data_type) === null) return [];
  return [{ providerUserId: event.user_id, kind: `${event.data_type}.${event.event_type}`, payload: event }];
}

const removable = (collection: DocumentCollection) =>
  collection === 'workout' || collection === 'sleep' ? collection : null;

/** The document as Oura has it now; null when Oura answers 404 (deleted since). */
const currentDocument = (context: NotificationContext, collection: DocumentCollection, id: string) =>
  orNoData(scopedGet(context.get)(`${collectionPath(collection)}/${id}`));

async function remove(context: NotificationContext, collection: DocumentCollection, id: string) {
  const category = removable(collection);
  if (category === null) return handled();
  return handled({ events: (await context.removeEvent(category, id)) ? 1 : 0 });
}

async function save(context: NotificationContext, collection: DocumentCollection, id: string) {
  const document = await currentDocument(context, collection, id);
  if (!isObject(document)) return handled({ skipped: 1 });
  const documentId = idText(document.id);
  if (documentId !== null && documentId !== id) return handled({ skipped: 1 });
  // A session Oura reclassified as rest or deleted is no longer a sleep of the wearer.
  const type = textOf(document.type);
  if (collection === 'sleep' && type !== null && NOT_SLEEP_TYPES.has(type))
    return remove(context, collection, id);
  const result = mapDocument(collection, document);
  if (!result) return handled({ skipped: 1 });
  await context.save(result);
  return handled({
    samples: countSamples(result),
    events: result.events.length,
    scores: result.scores.length,
  });
}

export async function handleOuraEvent(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const parsed = ouraEventSchema.safeParse(notification.payload);
  const collection = parsed.success ? collectionOf(parsed.data.data_type) : null;
  if (!parsed.success || collection === null) return handled({ skipped: 1 });
  const { event_type, object_id } = parsed.data;
  return event_type === 'delete'
    ? remove(context, collection, object_id)
    : save(context, collection, object_id);
}

export const ouraWebhook: WebhookIngress = {
  settings: [VERIFICATION_TOKEN_SETTING, 'OURA_CLIENT_ID', SECRET_SETTING],
  challenge: ouraChallenge,
  verify: ouraVerify,
  parse: parseOuraEvent,
  subscriptions: ouraSubscriptions,
};
