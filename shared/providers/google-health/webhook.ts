import * as z from 'zod/mini';
import { logger } from '#shared/observability.js';
import { instantOf } from '#shared/providers/google-health/common.js';
import { ALL_DATA_TYPES, isSessionType } from '#shared/providers/google-health/data-types.js';
import { pullType, UNIT_DAYS } from '#shared/providers/google-health/pull.js';
import { storedSessionIds } from '#shared/providers/google-health/stored-events.js';
import { isObject } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { sameSecret } from '#shared/providers/secrets.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookAnswer,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';

/**
 * Google Health API notifications (providers.md 4.9): notify-then-fetch, from one project-level subscriber.
 *
 * - Authentication: `Authorization` carries the subscriber's endpoint secret, `Bearer <GOOGLE_HEALTH_WEBHOOK_SECRET>`,
 *   compared in constant time. (The ECDSA `X-HEALTHAPI-SIGNATURE` is not verified: no key distribution for it.)
 * - Verification handshake (subscriber create/update): `{"type":"verification"}` is POSTed once with the header,
 *   answered 201 `{"status":"verified"}` (Google wants 201), and once without, refused 401 (Google wants 401/403).
 * - Notifications: a JSON array of `{"data": {healthUserId, operation: UPSERT|DELETE, dataType, intervals:
 *   [{physicalTimeInterval: {startTime, endTime}}]}}`. Items of one user, type and operation become one notification
 *   over the union of their intervals. UPSERT pulls that window of that type and saves it. DELETE of sleep or
 *   exercise lists the window again and removes the stored sessions Google no longer has; DELETE of a metric cannot
 *   remove samples (the webhook context has no sample removal): the window is pulled again, which rewrites what is
 *   left, and the deletion is counted as skipped. Items of types we do not read are dropped; malformed items too.
 */

const SECRET_SETTING = 'GOOGLE_HEALTH_WEBHOOK_SECRET';
const DAY_MS = 86_400_000;
/** The longest window one notification pulls (the latest part of a wider one). */
export const MAX_WINDOW_DAYS = 31;
const MAX_ITEMS = 1000;

export function verifyGoogleHealth(request: WebhookRequest, settings: WebhookSettings): void {
  const secret = settings(SECRET_SETTING);
  if (!sameSecret(request.headers.authorization, secret ? `Bearer ${secret}` : undefined)) {
    throw new WebhookRejected(401, 'Invalid webhook authorization');
  }
}

const itemSchema = z.object({
  data: z.object({
    healthUserId: z.string().check(z.minLength(1), z.maxLength(256)),
    operation: z.enum(['UPSERT', 'DELETE']),
    dataType: z.string().check(z.maxLength(64)),
    intervals: z
      .array(z.object({ physicalTimeInterval: z.object({ startTime: z.string(), endTime: z.string() }) }))
      .check(z.minLength(1), z.maxLength(MAX_ITEMS)),
  }),
});

/** What is queued per notification (and parsed again when a re-queued one comes back). */
const payloadSchema = z.object({
  dataType: z.string(),
  operation: z.enum(['UPSERT', 'DELETE']),
  start: z.int(),
  end: z.int(),
});
type Change = z.output<typeof payloadSchema>;

/** The union of an item's intervals; null when one does not read or ends before it starts. */
function windowOf(intervals: z.output<typeof itemSchema>['data']['intervals']) {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const { physicalTimeInterval } of intervals) {
    const from = instantOf(physicalTimeInterval.startTime);
    const to = instantOf(physicalTimeInterval.endTime);
    if (from === null || to === null || to < from) return null;
    start = Math.min(start, from);
    end = Math.max(end, to);
  }
  return { start, end };
}

export function parseGoogleHealth(body: unknown): WebhookNotification[] | WebhookAnswer {
  if (isObject(body) && body.type === 'verification') return { status: 201, body: { status: 'verified' } };
  if (!Array.isArray(body) || body.length > MAX_ITEMS) throw new WebhookRejected(400, 'Invalid JSON body');
  const merged = new Map<string, WebhookNotification & { payload: Change }>();
  for (const entry of body) {
    const item = itemSchema.safeParse(entry);
    if (!item.success || !ALL_DATA_TYPES.includes(item.data.data.dataType)) continue;
    const { healthUserId, operation, dataType, intervals } = item.data.data;
    const window = windowOf(intervals);
    if (!window) continue;
    const key = `${healthUserId}|${dataType}|${operation}`;
    const known = merged.get(key);
    const payload: Change = known
      ? {
          ...known.payload,
          start: Math.min(known.payload.start, window.start),
          end: Math.max(known.payload.end, window.end),
        }
      : { dataType, operation, ...window };
    merged.set(key, {
      providerUserId: healthUserId,
      kind: `${dataType}.${operation.toLowerCase()}`,
      payload,
    });
  }
  return [...merged.values()];
}

const sampleCount = (result: { series: Array<{ samples: unknown[] }> }) =>
  result.series.reduce((sum, s) => sum + s.samples.length, 0);

/** Pulls `[start, end)` of the change's type in unit-sized pieces, saving each; what was saved. */
async function pullAndSave(context: NotificationContext, dataType: string, start: number, end: number) {
  const handled: HandledNotification = { samples: 0, events: 0, scores: 0, skipped: 0 };
  const names = new Set<string>();
  for (const piece of dayChunks(start, end, UNIT_DAYS, dataType)) {
    const { result, skipped } = await pullType(context.get, dataType, piece.start, piece.end);
    await context.save(result);
    handled.samples += sampleCount(result);
    handled.events += result.events.length;
    handled.skipped += skipped;
    for (const event of result.events) if (event.externalId) names.add(event.externalId);
  }
  return { handled, names };
}

/** Sessions stored in the window that Google no longer has are removed; the ones it still has are saved again. */
async function removeDeletedSessions(
  context: NotificationContext,
  dataType: string,
  start: number,
  end: number,
) {
  const { handled, names } = await pullAndSave(context, dataType, start, end);
  const category = dataType === 'sleep' ? 'sleep' : 'workout';
  let removed = 0;
  for (const id of await storedSessionIds(context.userId, category, dataType, start, end)) {
    if (!names.has(id) && (await context.removeEvent(category, id))) removed++;
  }
  return { ...handled, events: handled.events + removed };
}

export async function handleGoogleHealth(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const parsed = payloadSchema.safeParse(notification.payload);
  if (
    !parsed.success ||
    !ALL_DATA_TYPES.includes(parsed.data.dataType) ||
    parsed.data.end < parsed.data.start
  )
    return { samples: 0, events: 0, scores: 0, skipped: 1 };
  const { dataType, operation } = parsed.data;
  const session = isSessionType(dataType);
  // A session belongs to the window its start is in: one changed at its end started up to a day before.
  const requested = { start: parsed.data.start - (session ? DAY_MS : 0), end: parsed.data.end };
  const start = Math.max(requested.start, requested.end - MAX_WINDOW_DAYS * DAY_MS);
  if (start > requested.start)
    logger.warn('google_health notification window clamped', { kind: notification.kind });
  // A window of one instant (a single sample) is still a window.
  const end = Math.max(requested.end, start + 1);
  if (operation === 'UPSERT') return (await pullAndSave(context, dataType, start, end)).handled;
  if (session) return removeDeletedSessions(context, dataType, start, end);
  logger.info('google_health sample deletion not applied: samples cannot be removed', {
    kind: notification.kind,
  });
  const { handled } = await pullAndSave(context, dataType, start, end);
  return { ...handled, skipped: handled.skipped + 1 };
}

export const googleHealthWebhook: WebhookIngress = {
  settings: [SECRET_SETTING],
  verify: verifyGoogleHealth,
  parse: parseGoogleHealth,
};
