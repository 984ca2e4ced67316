import { appendTo } from '#shared/providers/garmin/common.js';
import { garminPermissionsScope, USER_ID_PATH } from '#shared/providers/garmin/identity.js';
import {
  DATA_TYPES,
  type DataType,
  type MappedSummaries,
  mapGarminSummaries,
  SUMMARY_TYPES,
  type SummaryType,
} from '#shared/providers/garmin/mapping.js';
import { fetchPings, type Ping } from '#shared/providers/garmin/ping.js';
import { ProviderRequestError, tokenRefused } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import type { WebhookIngress } from '#shared/providers/module.js';
import { countSamples, handled } from '#shared/providers/output.js';
import { sameSecret } from '#shared/providers/secrets.js';
import type { WebhookSettings } from '#shared/providers/types.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookNotification,
  WebhookRejected,
  type WebhookRequest,
} from '#shared/providers/webhook-types.js';

/**
 * Garmin push delivery (providers.md 4.1): every summary endpoint posts `{ "<summaryType>": [items with userId]
 * }` to one URL, possibly for several users at once.
 *
 * The only credential on a push is the `garmin-client-id` header, which is no secret (it is in every OAuth URL),
 * so a push is authentic only as far as what it claims can be checked with the user's own token:
 * - a deregistration revokes the connection only once Garmin refuses the user's (refreshed) token;
 * - a permissions change sets the scope Garmin reports for the token, not the permissions in the body;
 * - ping-mode items (a `callbackURL` instead of the data) are fetched only from Garmin's pull endpoint of their
 *   summary type, a bounded number per notification (ping.ts).
 * Pushed data items carry no such proof and are taken as sent, as the reference does.
 *
 * Deliberate differences from the reference: the header must equal our client id (compared in constant time),
 * not merely be present (discrepancy #16); lifecycle events are confirmed as above; ping items are fetched (the
 * reference skipped them). `activityFiles` links point at FIT files, which are not parsed: those items are
 * counted skipped.
 */

const CLIENT_ID_HEADER = 'garmin-client-id';
const CLIENT_ID_SETTING = 'GARMIN_CLIENT_ID';

/** The header must equal our client id (constant time, shared/providers/secrets.ts). */
function verifyGarmin(request: WebhookRequest, settings: WebhookSettings): void {
  if (!sameSecret(request.headers[CLIENT_ID_HEADER], settings(CLIENT_ID_SETTING)))
    throw new WebhookRejected(401, 'Invalid webhook signature');
}

const kindOf = (type: SummaryType) =>
  type === 'deregistrations' ? 'deregistration' : type === 'userPermissionsChange' ? 'permissions' : type;

const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A Garmin `userId` (a hex string in practice): 1..128 characters of `[A-Za-z0-9_-]`, or a non-negative integer. */
export function garminUserId(value: unknown): string | null {
  const text =
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? String(value)
      : typeof value === 'string'
        ? value
        : null;
  return text !== null && USER_ID.test(text) ? text : null;
}

/**
 * One notification per Garmin `userId`, its payload that user's slice `{ [summaryType]: items[] }` (types in
 * processing order). Unknown keys are ignored, items without a valid `userId` dropped; a body that is not an
 * object, or a known key that is not a list, is refused.
 */
function parseGarminPush(body: unknown): WebhookNotification[] {
  if (!isObject(body)) throw new WebhookRejected(400, 'Invalid JSON body');
  const byUser = new Map<string, Map<SummaryType, unknown[]>>();
  for (const type of SUMMARY_TYPES) {
    if (!Object.hasOwn(body, type)) continue;
    const items = body[type];
    if (!Array.isArray(items)) throw new WebhookRejected(400, 'Invalid JSON body');
    for (const item of items) {
      const userId = isObject(item) ? garminUserId(item.userId) : null;
      if (userId === null) continue;
      let slice = byUser.get(userId);
      if (!slice) {
        slice = new Map();
        byUser.set(userId, slice);
      }
      appendTo(slice, type, [item]);
    }
  }
  return [...byUser].map(([userId, slice]) => ({
    providerUserId: userId,
    kind: [...slice.keys()].map(kindOf).join(','),
    payload: Object.fromEntries(slice),
  }));
}

/** Sets the scope Garmin reports for the user's token; false (nothing set) when Garmin refuses or answers junk. */
async function refreshScope(context: NotificationContext): Promise<boolean> {
  let scope: string | null;
  try {
    scope = await garminPermissionsScope(context.get);
  } catch (error) {
    if (error instanceof ProviderRequestError) return false;
    throw error;
  }
  if (scope === null) return false;
  await context.setScope(scope);
  return true;
}

/** Maps the collected summaries and saves them once, when anything mapped. */
async function saveSummaries(
  context: NotificationContext,
  summaries: Map<DataType, unknown[]>,
): Promise<MappedSummaries> {
  const mapped = mapGarminSummaries(Object.fromEntries(summaries));
  const { result } = mapped;
  if (countSamples(result) + result.events.length + result.scores.length > 0) await context.save(result);
  return mapped;
}

/**
 * Handles one user's slice. A deregistration Garmin confirms (the user's token is refused) revokes the connection
 * and nothing else is done; one it does not confirm is skipped. A permissions change sets the scope Garmin reports.
 * Data items, pushed or fetched from their `callbackURL` (ping.ts), are mapped and saved once, and the types that
 * produced data are reported as arrived. A ping that cannot be fetched costs only itself: pushed items are saved
 * even when a callback fails in a way that retries the notification (saves are idempotent).
 */
export async function handleGarminNotification(
  context: NotificationContext,
  notification: WebhookNotification,
): Promise<HandledNotification> {
  const payload = isObject(notification.payload) ? notification.payload : {};
  const list = (type: SummaryType): unknown[] => {
    const items = payload[type];
    return Array.isArray(items) ? items : [];
  };
  let skipped = 0;
  const deregistrations = list('deregistrations').length;
  if (deregistrations > 0) {
    if (await tokenRefused(context.get(USER_ID_PATH))) {
      await context.revoke('deregistration');
      return handled();
    }
    skipped += deregistrations;
  }
  if (list('userPermissionsChange').length > 0 && !(await refreshScope(context))) skipped++;

  const summaries = new Map<DataType, unknown[]>();
  const pings: Ping[] = [];
  for (const type of DATA_TYPES) {
    for (const item of list(type)) {
      const callbackURL = type !== 'activityFiles' && isObject(item) ? textOf(item.callbackURL) : null;
      if (callbackURL === null) appendTo(summaries, type, [item]);
      else pings.push({ type, callbackURL });
    }
  }
  try {
    skipped += await fetchPings(context, pings, notification.providerUserId, summaries);
  } catch (error) {
    await saveSummaries(context, summaries);
    throw error;
  }
  const mapped = await saveSummaries(context, summaries);
  const { result } = mapped;
  if (mapped.types.length > 0) await context.arrived(mapped.types);
  return {
    samples: countSamples(result),
    events: result.events.length,
    scores: result.scores.length,
    skipped: skipped + mapped.skipped,
  };
}

export const garminWebhook: WebhookIngress = {
  settings: [CLIENT_ID_SETTING],
  verify: verifyGarmin,
  parse: parseGarminPush,
};
