import * as z from 'zod/mini';
import { isObject } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { handled, PullOutput, saveOutput } from '#shared/providers/output.js';
import { validHmac } from '#shared/providers/secrets.js';
import { fetchWorkout } from '#shared/providers/suunto/api.js';
import { addWorkouts } from '#shared/providers/suunto/pull.js';
import { type Kind247, map247 } from '#shared/providers/suunto/samples-247.js';
import { workoutKeyOf } from '#shared/providers/suunto/workouts.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';

/**
 * Suunto notifications (providers.md 4.3), configured in Suunto's developer portal (no subscription API): one JSON
 * POST per event, signed with `X-HMAC-SHA256-Signature` = hex HMAC-SHA256 of the raw body under the notification
 * secret (`SUUNTO_WEBHOOK_SECRET`), to be answered within 2 s, so the ingress only verifies and queues. The body
 * names the user by `username`, which is the connection's provider user id (see `suuntoIdentity`).
 *
 * - `WORKOUT_CREATED`: `workout.workoutKey` (else `workoutId`); the worker fetches the workout and its samples.
 * - `SUUNTO_247_{SLEEP,ACTIVITY,RECOVERY}_CREATED`: the samples are inline, in the shape of `/247samples/*`; the
 *   worker maps and saves them without calling Suunto.
 * - anything else (`ROUTE_CREATED`, ...) is acknowledged and dropped.
 */

const SECRET_SETTING = 'SUUNTO_WEBHOOK_SECRET';
const SIGNATURE_HEADER = 'x-hmac-sha256-signature';

export function verifySuunto(request: WebhookRequest, settings: WebhookSettings): void {
  if (!validHmac(settings(SECRET_SETTING), request.body, request.headers[SIGNATURE_HEADER], 'hex'))
    throw new WebhookRejected(401, 'Invalid webhook signature');
}

const KIND_OF_TYPE: Readonly<Record<string, Kind247>> = {
  SUUNTO_247_SLEEP_CREATED: 'sleep',
  SUUNTO_247_ACTIVITY_CREATED: 'activity',
  SUUNTO_247_RECOVERY_CREATED: 'recovery',
};

const username = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));
const workoutEvent = z.object({
  type: z.literal('WORKOUT_CREATED'),
  username,
  workout: z.object({ workoutKey: z.optional(z.unknown()), workoutId: z.optional(z.unknown()) }),
});
const samplesEvent = z.object({ type: z.string(), username, samples: z.array(z.unknown()) });

/** What a queued notification carries: the workout to fetch, or the 24/7 items as they came. */
type Payload = { kind: 'workout'; workoutKey: string } | { kind: Kind247; samples: unknown[] };

/** One notification for the body's user; none for a type we do not handle; 400 for a body of the wrong shape. */
export function parseSuunto(body: unknown): WebhookNotification[] {
  if (!isObject(body) || typeof body.type !== 'string') throw new WebhookRejected(400, 'Invalid JSON body');
  if (body.type === 'WORKOUT_CREATED') {
    const event = workoutEvent.safeParse(body);
    const key = event.success
      ? workoutKeyOf(event.data.workout.workoutKey ?? event.data.workout.workoutId)
      : null;
    if (!event.success || key === null) throw new WebhookRejected(400, 'Invalid JSON body');
    const payload: Payload = { kind: 'workout', workoutKey: key };
    return [{ providerUserId: event.data.username, kind: 'workout', payload }];
  }
  const kind = Object.hasOwn(KIND_OF_TYPE, body.type) ? KIND_OF_TYPE[body.type]! : null;
  if (kind === null) return [];
  const event = samplesEvent.safeParse(body);
  if (!event.success) throw new WebhookRejected(400, 'Invalid JSON body');
  const payload: Payload = { kind, samples: event.data.samples };
  return [{ providerUserId: event.data.username, kind, payload }];
}

const payloadSchema = z.union([
  z.object({ kind: z.literal('workout'), workoutKey: z.string() }),
  z.object({ kind: z.enum(['sleep', 'activity', 'recovery']), samples: z.array(z.unknown()) }),
]);

/** A workout as Suunto has it now (404: skipped), with its samples; 24/7 items as pushed. Saved once. */
export async function handleSuunto(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const parsed = payloadSchema.safeParse(notification.payload);
  if (!parsed.success) return handled({ skipped: 1 });
  const payload = parsed.data;
  const out = new PullOutput();
  if (payload.kind === 'workout') {
    const workout = await fetchWorkout(context.get, payload.workoutKey);
    if (workout === null) out.skip();
    else await addWorkouts(out, context.get, [workout]);
  } else {
    map247(out, payload.kind, payload.samples);
  }
  return saveOutput(context, out);
}

export const suuntoWebhook: WebhookIngress = {
  settings: [SECRET_SETTING],
  verify: verifySuunto,
  parse: parseSuunto,
};
