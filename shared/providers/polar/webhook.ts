import * as z from 'zod/mini';
import { orNoData } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { handled, PullOutput, saveOutput } from '#shared/providers/output.js';
import { mapActivityDay, mapContinuousHeartRate, mapPhysicalInfo } from '#shared/providers/polar/daily.js';
import { exerciseId, mapExercise } from '#shared/providers/polar/exercises.js';
import { ACTIVITY_QUERY, EXERCISE_QUERY, PATHS } from '#shared/providers/polar/pull.js';
import { mapRecharge } from '#shared/providers/polar/recharge.js';
import { mapSleep } from '#shared/providers/polar/sleep.js';
import { polarSubscriptions } from '#shared/providers/polar/subscriptions.js';
import { validHmac } from '#shared/providers/secrets.js';
import { calendarDay } from '#shared/providers/time.js';
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
 * Polar's app-level webhook (providers.md 4.2): notify-then-fetch. Every notification is signed:
 * `Polar-Webhook-Signature` is the hex HMAC-SHA256 of the raw body under `POLAR_WEBHOOK_SECRET` (the configured
 * variable, else the key Polar returned when the webhook was created, stored sealed: discrepancy 7). The one
 * exception is the `PING` Polar posts to the URL while the webhook is being created, before we know the key: a body
 * that is exactly a PING (`event` PING, at most `timestamp` and `url` besides) passes unsigned and is answered 200
 * without queuing anything.
 *
 * A notification names the user (`user_id`, the Polar user id of the connection) and what is new: an exercise by
 * `entity_id`, or a date (`date`, or `entity_id` in older payloads) for sleep, continuous heart rate and the activity
 * summary, or nothing for the physical information. The worker fetches exactly that with the user's token; the
 * notification's `url` is never followed. SleepWise events (not subscribed) and unknown events are acknowledged and
 * dropped.
 */

export const SECRET_SETTING = 'POLAR_WEBHOOK_SECRET';
const SIGNATURE_HEADER = 'polar-webhook-signature';
export const HANDLED_EVENTS = [
  'EXERCISE',
  'SLEEP',
  'CONTINUOUS_HEART_RATE',
  'ACTIVITY_SUMMARY',
  'PHYSICAL_INFORMATION',
] as const;
type HandledEvent = (typeof HANDLED_EVENTS)[number];

const PING_KEYS = new Set(['event', 'timestamp', 'url']);

function isPing(body: unknown): boolean {
  return isObject(body) && body.event === 'PING' && Object.keys(body).every((key) => PING_KEYS.has(key));
}

function decoded(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function polarVerify(request: WebhookRequest, settings: WebhookSettings): void {
  if (isPing(decoded(request.body))) return;
  if (!validHmac(settings(SECRET_SETTING), request.body, request.headers[SIGNATURE_HEADER], 'hex')) {
    throw new WebhookRejected(401, 'Invalid webhook signature');
  }
}

const polarUserId = z.pipe(
  z.union([z.int().check(z.nonnegative()), z.string().check(z.regex(/^\d{1,19}$/))]),
  z.transform(String),
);
const text = z.optional(z.string().check(z.maxLength(256)));

const notificationSchema = z.object({
  event: z.string().check(z.maxLength(64)),
  user_id: polarUserId,
  entity_id: text,
  date: text,
  timestamp: text,
  url: z.optional(z.string().check(z.maxLength(2048))),
});

/** What the worker fetches: the event and its exercise id or date (already checked to be path-safe). */
export interface PolarEvent {
  event: HandledEvent;
  user_id: string;
  entity_id?: string;
  date?: string;
}

const isHandled = (event: string): event is HandledEvent =>
  (HANDLED_EVENTS as readonly string[]).includes(event);

function targetOf(
  event: HandledEvent,
  id: unknown,
  date: unknown,
): { entity_id?: string; date?: string } | null {
  if (event === 'PHYSICAL_INFORMATION') return {};
  if (event === 'EXERCISE') {
    const entity = exerciseId(id);
    return entity === null ? null : { entity_id: entity };
  }
  const day = date ?? id;
  return typeof day === 'string' && calendarDay(day) !== null ? { date: day } : null;
}

export function parsePolar(body: unknown): WebhookNotification[] | WebhookAnswer {
  // Unsigned (see verify) or signed: nothing to queue either way.
  if (isObject(body) && body.event === 'PING') return { status: 200, body: { status: 'ok' } };
  const parsed = notificationSchema.safeParse(body);
  if (!parsed.success) throw new WebhookRejected(400, 'Invalid JSON body');
  const { event, user_id, entity_id, date } = parsed.data;
  if (!isHandled(event)) return [];
  const target = targetOf(event, entity_id, date);
  if (target === null) throw new WebhookRejected(400, 'Invalid JSON body');
  const payload: PolarEvent = { event, user_id, ...target };
  return [{ providerUserId: user_id, kind: event.toLowerCase(), payload }];
}

/** The record(s) a notification names, fetched as the user and mapped; false when Polar has none (204/404). */
async function fetchMapped(get: NotificationContext['get'], event: PolarEvent, out: PullOutput) {
  const date = event.date ?? '';
  switch (event.event) {
    case 'EXERCISE':
      return mapExercise(out, await orNoData(get(PATHS.exercise(event.entity_id!), EXERCISE_QUERY)));
    case 'SLEEP': {
      const night = mapSleep(out, await orNoData(get(PATHS.night(date))));
      // Polar computes the Nightly Recharge from the same night; it has no event of its own.
      const recharge = mapRecharge(out, await orNoData(get(PATHS.recharge(date))));
      return night || recharge;
    }
    case 'CONTINUOUS_HEART_RATE':
      return mapContinuousHeartRate(out, await orNoData(get(PATHS.heartRateDay(date))));
    case 'ACTIVITY_SUMMARY':
      return mapActivityDay(out, await orNoData(get(PATHS.activity(date), ACTIVITY_QUERY)));
    case 'PHYSICAL_INFORMATION':
      return mapPhysicalInfo(out, await orNoData(get(PATHS.physicalInfo)));
  }
}

export async function handlePolar(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const skipped = handled({ skipped: 1 });
  const payload = notification.payload;
  if (!isObject(payload) || typeof payload.event !== 'string' || !isHandled(payload.event)) return skipped;
  const target = targetOf(payload.event, payload.entity_id, payload.date);
  if (target === null) return skipped;
  const out = new PullOutput();
  const event: PolarEvent = { event: payload.event, user_id: notification.providerUserId, ...target };
  if (!(await fetchMapped(context.get, event, out)) || out.isEmpty) return skipped;
  return saveOutput(context, out);
}

export const polarWebhook: WebhookIngress = {
  settings: [SECRET_SETTING, 'POLAR_CLIENT_ID', 'POLAR_CLIENT_SECRET'],
  verify: polarVerify,
  parse: parsePolar,
  subscriptions: polarSubscriptions,
};
