import * as z from 'zod/mini';
import { tokenRefused } from '#shared/providers/http.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { handled, saveOutput } from '#shared/providers/output.js';
import { sameSecret } from '#shared/providers/secrets.js';
import { calendarDay, DAY_MS } from '#shared/providers/time.js';
import type { SyncUnit, WebhookSettings } from '#shared/providers/types.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';
import { APPLI, TOKEN_SETTING } from '#shared/providers/withings/notify.js';
import { pullUnit, type WithingsKind, withingsUnits } from '#shared/providers/withings/pull.js';
import { withingsCall } from '#shared/providers/withings/status.js';

/**
 * Withings notifications (README.md): a form-encoded POST per event, `userid`, `appli` (the category) and the
 * window of new data (`startdate`/`enddate`, epoch seconds), or `action` for the user category. Nothing is
 * signed: the callback URL carries our secret as `?token=`, compared in constant time. Notify-then-fetch: the
 * handler pulls that window of that category, as the scheduled pull would, and saves it. An unlink is acted on
 * only once Withings refuses the user's (refreshed) token, so a forged one cannot revoke anything.
 */

/** The longest window one notification pulls (its latest part). */
export const MAX_WINDOW_DAYS = 7;

const KINDS_OF: Readonly<Record<number, readonly WithingsKind[]>> = {
  [APPLI.weight]: ['measures'],
  [APPLI.temperature]: ['measures'],
  [APPLI.heart]: ['measures'],
  [APPLI.activity]: ['activity', 'workouts', 'intraday'],
  [APPLI.sleep]: ['sleep'],
};

const NAMES = new Map<number, string>(Object.entries(APPLI).map(([name, appli]) => [appli, name]));

const USER_PATH = '/v2/user';
const REVOKING_ACTIONS = ['unlink', 'delete'];

/** The form body as name -> value (a repeated name keeps its last value). */
export function decodeForm(body: Buffer): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
}

export function verifyWithings(request: WebhookRequest, settings: WebhookSettings): void {
  if (!sameSecret(request.query.token, settings(TOKEN_SETTING))) {
    throw new WebhookRejected(401, 'Invalid webhook token');
  }
}

const seconds = z.pipe(z.string().check(z.regex(/^\d{1,11}$/)), z.transform(Number));

const formSchema = z.object({
  userid: z.string().check(z.regex(/^\d{1,19}$/)),
  appli: z.pipe(z.string().check(z.regex(/^\d{1,5}$/)), z.transform(Number)),
  startdate: z.optional(seconds),
  enddate: z.optional(seconds),
  date: z.optional(z.string().check(z.maxLength(32))),
  action: z.optional(z.string().check(z.maxLength(32))),
});

/** What a notification carries to the worker (queued as JSON, read back with this schema). */
const payloadSchema = z.object({
  appli: z.number().check(z.int()),
  startdate: z.optional(z.number().check(z.int(), z.nonnegative())),
  enddate: z.optional(z.number().check(z.int(), z.nonnegative())),
  date: z.optional(z.string().check(z.maxLength(32))),
  action: z.optional(z.string().check(z.maxLength(32))),
});
type Payload = z.infer<typeof payloadSchema>;

/** One notification for the body's user; none for a category we do not read (bed in/out, ECG...). */
export function parseWithings(body: unknown): WebhookNotification[] {
  const parsed = formSchema.safeParse(body);
  if (!parsed.success) throw new WebhookRejected(400, 'Invalid notification body');
  const { userid, ...payload } = parsed.data;
  const kind = NAMES.get(payload.appli);
  if (!kind) return [];
  return [{ providerUserId: userid, kind, payload: payloadSchema.parse(payload) }];
}

/** The notified window, at most MAX_WINDOW_DAYS; a notification with neither dates nor a day means the last day. */
function windowOf(payload: Payload, now: number): { start: number; end: number } | null {
  const dayStart = calendarDay(payload.date);
  const start = payload.startdate !== undefined ? payload.startdate * 1000 : (dayStart ?? now - DAY_MS);
  // Withings' end is the last second with data: the window includes it.
  const end =
    payload.enddate !== undefined
      ? payload.enddate * 1000 + 1000
      : dayStart !== null
        ? dayStart + DAY_MS
        : now;
  return end > start ? { start: Math.max(start, end - MAX_WINDOW_DAYS * DAY_MS), end } : null;
}

/**
 * The units of a notified window. Days are local to the user and the window's ends UTC instants, so the day
 * kinds read a day more on each side; intraday samples are read for the window itself.
 */
function unitsOf(kinds: readonly WithingsKind[], window: { start: number; end: number }): SyncUnit[] {
  return kinds.flatMap((kind) =>
    kind === 'intraday' || kind === 'measures'
      ? withingsUnits(window.start, window.end, [kind])
      : withingsUnits(window.start - DAY_MS, window.end + DAY_MS, [kind]),
  );
}

/** Revokes only when Withings refuses the user's token (the context has already tried a refresh). */
async function confirmUnlink(context: NotificationContext): Promise<HandledNotification> {
  if (!(await tokenRefused(withingsCall(context.get, USER_PATH, 'getdevice'))))
    return handled({ skipped: 1 });
  await context.revoke('deauthorized');
  return handled();
}

export async function handleWithings(
  context: NotificationContext,
  notification: WebhookNotification,
  now = Date.now(),
): Promise<HandledNotification> {
  const parsed = payloadSchema.safeParse(notification.payload);
  if (!parsed.success) return handled({ skipped: 1 });
  const payload = parsed.data;
  if (payload.appli === APPLI.user) {
    return payload.action && REVOKING_ACTIONS.includes(payload.action) ? confirmUnlink(context) : handled();
  }
  const kinds = KINDS_OF[payload.appli];
  const window = windowOf(payload, now);
  if (!kinds || !window) return handled({ skipped: 1 });
  const total = handled();
  for (const unit of unitsOf(kinds, window)) {
    const counts = await saveOutput(context, await pullUnit(context.get, unit));
    total.samples += counts.samples;
    total.events += counts.events;
    total.scores += counts.scores;
    total.skipped += counts.skipped;
  }
  return total;
}

export const withingsWebhook: WebhookIngress = {
  settings: [TOKEN_SETTING],
  decode: decodeForm,
  verify: verifyWithings,
  parse: parseWithings,
};
