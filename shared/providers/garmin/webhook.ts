import { createHash, timingSafeEqual } from 'node:crypto';
import { countSamples, idOf } from '#shared/providers/garmin/common.js';
import { permissionsScope } from '#shared/providers/garmin/identity.js';
import {
  DATA_TYPES,
  type DataType,
  isDataType,
  mapGarminSummaries,
  SUMMARY_TYPES,
  type SummaryType,
} from '#shared/providers/garmin/mapping.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import {
  type HandledNotification,
  type NotificationContext,
  type WebhookNotification,
  type WebhookProvider,
  WebhookRejected,
  type WebhookRequest,
  type WebhookSettings,
} from '#shared/providers/types.js';

/**
 * Garmin push delivery (providers.md 4.1): every summary endpoint posts `{ "<summaryType>": [items with userId]
 * }` to one URL, possibly for several users at once.
 *
 * Deliberate differences from the reference:
 * - the `garmin-client-id` header must equal our client id (compared in constant time), not merely be present
 *   (discrepancy #16);
 * - ping-mode items (a `callbackURL` instead of the data) are fetched and mapped like pushed ones (the
 *   reference skipped them). `activityFiles` links point at FIT files, which are not parsed: those items are
 *   counted skipped.
 */

export const CLIENT_ID_HEADER = 'garmin-client-id';
export const CLIENT_ID_SETTING = 'GARMIN_CLIENT_ID';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Digests of both sides compared: neither a length difference nor the first differing byte shows in timing. */
export function verifyGarmin(request: WebhookRequest, settings: WebhookSettings): void {
  const expected = settings(CLIENT_ID_SETTING);
  const received = request.headers[CLIENT_ID_HEADER];
  if (!expected || received === undefined || !timingSafeEqual(digest(received), digest(expected)))
    throw new WebhookRejected(401, 'Invalid webhook signature');
}

const kindOf = (type: SummaryType) =>
  type === 'deregistrations' ? 'deregistration' : type === 'userPermissionsChange' ? 'permissions' : type;

/**
 * One notification per Garmin `userId`, its payload that user's slice `{ [summaryType]: items[] }` (types in
 * processing order). Unknown keys are ignored, items without a `userId` dropped; a body that is not an object,
 * or a known key that is not a list, is refused.
 */
export function parseGarminPush(body: unknown): WebhookNotification[] {
  if (!isObject(body)) throw new WebhookRejected(400, 'Invalid JSON body');
  const byUser = new Map<string, Map<SummaryType, unknown[]>>();
  for (const type of SUMMARY_TYPES) {
    if (!Object.hasOwn(body, type)) continue;
    const items = body[type];
    if (!Array.isArray(items)) throw new WebhookRejected(400, 'Invalid JSON body');
    for (const item of items) {
      const userId = isObject(item) ? idOf(item.userId) : null;
      if (userId === null) continue;
      const slice = byUser.get(userId) ?? new Map<SummaryType, unknown[]>();
      slice.set(type, [...(slice.get(type) ?? []), item]);
      byUser.set(userId, slice);
    }
  }
  return [...byUser].map(([userId, slice]) => ({
    providerUserId: userId,
    kind: [...slice.keys()].map(kindOf).join(','),
    payload: Object.fromEntries(slice),
  }));
}

const NOTHING: HandledNotification = { samples: 0, events: 0, scores: 0, skipped: 0 };

/** The user's items in a ping callback's answer: `{ [summaryType]: items[] }`, or a bare list of `type` items. */
function pingedItems(
  answer: unknown,
  type: DataType,
  providerUserId: string,
): Map<DataType, unknown[]> | null {
  const lists = new Map<DataType, unknown[]>();
  if (Array.isArray(answer)) lists.set(type, answer);
  else if (isObject(answer)) {
    for (const [key, items] of Object.entries(answer))
      if (isDataType(key) && Array.isArray(items)) lists.set(key, items);
  } else return null;
  const mine = (item: unknown) => {
    const owner = isObject(item) ? idOf(item.userId) : null;
    return owner === null || owner === providerUserId;
  };
  for (const [key, items] of lists) lists.set(key, items.filter(mine));
  return lists;
}

/**
 * Handles one user's slice: a deregistration revokes the connection and nothing else is done; a permissions
 * change sets the scope; data items (pushed, or fetched from their `callbackURL`) are mapped and saved once
 * (when anything mapped), and the types that had items are reported as arrived. A ping callback the provider
 * refuses (4xx) counts as one skipped item; other errors propagate so the notification is retried.
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
  if (list('deregistrations').length > 0) {
    await context.revoke('deregistration');
    return NOTHING;
  }

  let skipped = 0;
  const changes = list('userPermissionsChange');
  if (changes.length > 0) {
    const latest = changes.at(-1);
    const scope = isObject(latest) ? permissionsScope(latest.permissions) : null;
    if (scope === null) skipped++;
    else await context.setScope(scope);
  }

  const summaries = new Map<DataType, unknown[]>();
  const arrived = new Set<DataType>();
  const add = (type: DataType, items: unknown[]) => {
    if (items.length > 0) arrived.add(type);
    summaries.set(type, [...(summaries.get(type) ?? []), ...items]);
  };
  for (const type of DATA_TYPES) {
    if (list(type).length > 0) arrived.add(type);
    for (const item of list(type)) {
      const callback = type !== 'activityFiles' && isObject(item) ? textOf(item.callbackURL) : null;
      if (callback === null) {
        add(type, [item]);
        continue;
      }
      let answer: unknown;
      try {
        answer = await context.get(callback);
      } catch (error) {
        if (!(error instanceof ProviderRequestError)) throw error;
        skipped++;
        continue;
      }
      const fetched = pingedItems(answer, type, notification.providerUserId);
      if (fetched === null) skipped++;
      else for (const [key, items] of fetched) add(key, items);
    }
  }

  const mapped = mapGarminSummaries(Object.fromEntries(summaries));
  const { result } = mapped;
  const counts = {
    samples: countSamples(result),
    events: result.events.length,
    scores: result.scores.length,
    skipped: skipped + mapped.skipped,
  };
  if (counts.samples + counts.events + counts.scores > 0) await context.save(result);
  if (arrived.size > 0) await context.arrived([...arrived]);
  return counts;
}

export const garminWebhook: WebhookProvider = {
  settings: [CLIENT_ID_SETTING],
  verify: verifyGarmin,
  parse: parseGarminPush,
  handle: handleGarminNotification,
};
