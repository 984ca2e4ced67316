import * as z from 'zod/mini';
import { orNoData, tokenRefused } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { handled } from '#shared/providers/output.js';
import { sameSecret, withinTolerance } from '#shared/providers/secrets.js';
import { mapActivity, numericId } from '#shared/providers/strava/mapping.js';
import { ATHLETE_PATH, activityPath } from '#shared/providers/strava/pull.js';
import { stravaSubscriptions } from '#shared/providers/strava/subscriptions.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookAnswer,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';

/**
 * Strava push subscription (providers.md 4.6, contract 8.2): a GET challenge when the subscription is created,
 * then one small event per change, acknowledged within 2 s, whose data is fetched by the worker.
 *
 * Strava's webhook events are not signed: its documentation defines no signature, so anyone who knows the
 * callback URL can post a well-formed event. An event is therefore only a hint, and the handler asks Strava,
 * with the user's own token, before acting on it: a create or update saves what Strava returns for that id (and
 * only an activity of that athlete), a delete removes data only once Strava answers 404 for the activity, and a
 * deauthorisation revokes the connection only once Strava refuses the user's (refreshed) token. A forged event
 * costs one API request and can neither plant nor remove data. What an unsigned body may carry is bounded too:
 * `updates` has at most 10 keys, each a scalar of at most 256 characters (real events are ~300 bytes), and when
 * `STRAVA_SUBSCRIPTION_ID` is configured an event of another subscription is refused like a bad signature. The
 * reference's `X-Strava-Signature` (`t=<unix>,v1=<hex>`, no key defined for `v1`) is honoured as far as it goes:
 * when present, its time must be fresh.
 */

const VERIFY_TOKEN_SETTING = 'STRAVA_WEBHOOK_VERIFY_TOKEN';
const SIGNATURE_HEADER = 'x-strava-signature';
/** Our application's subscription id (optional): events of any other subscription are refused. */
const SUBSCRIPTION_SETTING = 'STRAVA_SUBSCRIPTION_ID';
const MAX_UPDATES = 10;
const MAX_UPDATE_LENGTH = 256;

/** `GET ?hub.mode=subscribe&hub.challenge=<c>&hub.verify_token=<token>` -> `{"hub.challenge": "<c>"}`. */
export function stravaChallenge(request: WebhookRequest, settings: WebhookSettings): WebhookAnswer {
  if (request.query['hub.mode'] !== 'subscribe') throw new WebhookRejected(400, 'Invalid hub.mode');
  if (!sameSecret(request.query['hub.verify_token'], settings(VERIFY_TOKEN_SETTING))) {
    throw new WebhookRejected(403, 'Invalid verify token');
  }
  const challenge = request.query['hub.challenge'];
  if (!challenge) throw new WebhookRejected(400, 'Missing hub.challenge');
  return { status: 200, body: { 'hub.challenge': challenge } };
}

/** The signature's `t` (Unix seconds) as epoch ms; null without one. */
function signatureTime(header: string): number | null {
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) return Number(value) * 1000;
  }
  return null;
}

const stravaId = z.pipe(
  z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(/^\d{1,19}$/))]),
  z.transform(String),
);

/** The body's `subscription_id`; null when the body is not JSON or has none (parse then refuses it with 400). */
function subscriptionIdOf(body: Buffer): string | null {
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  const id = isObject(event) ? stravaId.safeParse(event.subscription_id) : null;
  return id?.success ? id.data : null;
}

/**
 * No signature is the normal case (see above); a signature header must carry a fresh `t`. With
 * `STRAVA_SUBSCRIPTION_ID` set, a readable event of another subscription is refused (here, as `parse` has no
 * settings); a body that is not JSON is left to `parse`, which answers 400.
 */
export function stravaVerify(request: WebhookRequest, settings: WebhookSettings): void {
  const header = request.headers[SIGNATURE_HEADER];
  if (header !== undefined && !withinTolerance(signatureTime(header), request.now)) {
    throw new WebhookRejected(401, 'Invalid webhook signature');
  }
  const subscription = settings(SUBSCRIPTION_SETTING)?.trim();
  if (!subscription) return;
  const given = subscriptionIdOf(request.body);
  if (given !== null && given !== subscription) throw new WebhookRejected(401, 'Invalid webhook signature');
}

/** Strava sends `{"title": "Messy"}`, `{"type": "Ride"}`, `{"private": "true"}`, `{"authorized": "false"}`. */
const updates = z._default(
  z
    .record(
      z.string().check(z.maxLength(MAX_UPDATE_LENGTH)),
      z.union([z.string().check(z.maxLength(MAX_UPDATE_LENGTH)), z.number(), z.boolean()]),
    )
    .check(z.refine((fields) => Object.keys(fields).length <= MAX_UPDATES)),
  {},
);

/** The event body; the ids are kept as strings (the queued payload is parsed by this schema again). */
const stravaEventSchema = z.object({
  object_type: z.enum(['activity', 'athlete']),
  object_id: stravaId,
  aspect_type: z.enum(['create', 'update', 'delete']),
  updates,
  owner_id: stravaId,
  subscription_id: stravaId,
  event_time: z.int().check(z.nonnegative()),
});
export type StravaEvent = z.output<typeof stravaEventSchema>;

/** One notification for the event's athlete, kind `<object_type>.<aspect_type>`. */
export function parseStravaEvent(body: unknown): WebhookNotification[] {
  const parsed = stravaEventSchema.safeParse(body);
  if (!parsed.success) throw new WebhookRejected(400, 'Invalid JSON body');
  const event = parsed.data;
  return [
    { providerUserId: event.owner_id, kind: `${event.object_type}.${event.aspect_type}`, payload: event },
  ];
}

/** The activity as Strava has it now; null when Strava answers 404 (deleted, or made private since). */
const currentActivity = (context: NotificationContext, id: string) => orNoData(context.get(activityPath(id)));

/** Create or update: saved as Strava returns it; an update replaces the event of the same id. */
async function saveActivity(context: NotificationContext, event: StravaEvent): Promise<HandledNotification> {
  const activity = await currentActivity(context, event.object_id);
  if (!isObject(activity)) return handled({ skipped: 1 });
  const owner = isObject(activity.athlete) ? numericId(activity.athlete.id) : null;
  const workout = mapActivity(activity);
  if (owner !== event.owner_id || !workout || workout.externalId !== event.object_id)
    return handled({ skipped: 1 });
  await context.save({ series: [], events: [workout], scores: [] });
  return handled({ events: 1 });
}

async function removeActivity(
  context: NotificationContext,
  event: StravaEvent,
): Promise<HandledNotification> {
  if ((await currentActivity(context, event.object_id)) !== null) return handled({ skipped: 1 });
  return handled({ events: (await context.removeEvent('workout', event.object_id)) ? 1 : 0 });
}

/** Strava reports a deauthorisation as an athlete `update` with `authorized: "false"`. */
const isDeauthorisation = (event: StravaEvent) =>
  event.aspect_type === 'delete' ||
  event.updates.authorized === 'false' ||
  event.updates.authorized === false;

/** Revokes only when Strava refuses the user's token (the context has already tried a refresh). */
async function deauthorise(context: NotificationContext): Promise<HandledNotification> {
  if (!(await tokenRefused(context.get(ATHLETE_PATH)))) return handled({ skipped: 1 });
  await context.revoke('deauthorized');
  return handled();
}

export async function handleStravaEvent(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const parsed = stravaEventSchema.safeParse(notification.payload);
  if (!parsed.success) return handled({ skipped: 1 });
  const event = parsed.data;
  if (event.object_type === 'activity') {
    return event.aspect_type === 'delete' ? removeActivity(context, event) : saveActivity(context, event);
  }
  return isDeauthorisation(event) ? deauthorise(context) : handled();
}

export const stravaWebhook: WebhookIngress = {
  settings: [VERIFY_TOKEN_SETTING, 'STRAVA_CLIENT_ID', 'STRAVA_CLIENT_SECRET', SUBSCRIPTION_SETTING],
  challenge: stravaChallenge,
  verify: stravaVerify,
  parse: parseStravaEvent,
  subscriptions: stravaSubscriptions,
};
