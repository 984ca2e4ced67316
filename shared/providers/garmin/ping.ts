import { BACKFILL_ENDPOINTS, type BackfillType } from '#shared/providers/garmin/backfill.js';
import { appendTo } from '#shared/providers/garmin/common.js';
import type { DataType } from '#shared/providers/garmin/mapping.js';
import { ProviderRequestError, UnauthorizedError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { NotificationContext } from '#shared/providers/webhook-types.js';

/**
 * Garmin ping mode (providers.md 4.1): an item carries a `callbackURL` instead of the data, and the data is what
 * that URL answers with the user's token. The URL comes from an unsigned body (the `garmin-client-id` header is no
 * secret), so it is fetched only when it is what Garmin sends: the pull endpoint of the item's own summary type,
 * `/wellness-api/rest/<endpoint>`, with no query parameters but `uploadStartTimeInSeconds`,
 * `uploadEndTimeInSeconds` and `token`. The origin is checked by the HTTP client (the API's own origin only), and
 * a notification fetches at most `MAX_CALLBACKS` of them. Anything else is skipped and counted, never fetched.
 */

/** Callback fetches per notification; Garmin sends one ping per summary type and upload window. */
export const MAX_CALLBACKS = 50;

/** The query parameters of Garmin's callback URLs. */
const CALLBACK_PARAMETERS: ReadonlySet<string> = new Set([
  'uploadStartTimeInSeconds',
  'uploadEndTimeInSeconds',
  'token',
]);

/**
 * The path a ping of each summary type may point at. Garmin's pull endpoint of a summary type has the name of its
 * backfill endpoint (backfill.ts), e.g. `dailies` -> `/wellness-api/rest/dailies`, `allDayRespiration` ->
 * `/wellness-api/rest/respiration`. `activityFiles` has no entry: its links are FIT files, never fetched.
 */
export const CALLBACK_PATHS: Readonly<Record<BackfillType, string>> = Object.fromEntries(
  Object.entries(BACKFILL_ENDPOINTS).map(([type, endpoint]) => [type, `/wellness-api/rest/${endpoint}`]),
) as Record<BackfillType, string>;

/** Whether `callbackURL` is a Garmin callback of a `type` ping (see above); the origin is the client's to check. */
export function isCallbackOf(callbackURL: string, type: DataType): boolean {
  if (!Object.hasOwn(CALLBACK_PATHS, type)) return false;
  let url: URL;
  try {
    url = new URL(callbackURL);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  if (url.pathname !== CALLBACK_PATHS[type as BackfillType]) return false;
  const names = [...url.searchParams.keys()];
  return names.every((name) => CALLBACK_PARAMETERS.has(name)) && new Set(names).size === names.length;
}

export interface Ping {
  type: DataType;
  callbackURL: string;
}

/**
 * The user's items in a callback's answer: a bare list of `type` summaries (what Garmin answers), or `{ [type]:
 * items[] }`; other keys are ignored (the URL was that type's endpoint). Items that name another user are dropped.
 * Null when the answer has no list of `type`.
 */
function answeredItems(answer: unknown, type: DataType, providerUserId: string): unknown[] | null {
  const items = Array.isArray(answer) ? answer : isObject(answer) ? answer[type] : null;
  if (!Array.isArray(items)) return null;
  return items.filter(
    (item) => !isObject(item) || item.userId === undefined || String(item.userId) === providerUserId,
  );
}

/**
 * Fetches the pings' data as the user, appending it to `into` by type; the number of pings skipped. Refused URLs,
 * pings past the cap, callbacks Garmin refuses (`ProviderRequestError`, `UnauthorizedError`) and answers without
 * a list each count one. Other errors (a rate limit, a transient failure) propagate, with `into` holding what was
 * fetched before them.
 */
export async function fetchPings(
  context: NotificationContext,
  pings: readonly Ping[],
  providerUserId: string,
  into: Map<DataType, unknown[]>,
): Promise<number> {
  let skipped = 0;
  let fetches = 0;
  for (const { type, callbackURL } of pings) {
    if (!isCallbackOf(callbackURL, type) || fetches >= MAX_CALLBACKS) {
      skipped++;
      continue;
    }
    fetches++;
    let answer: unknown;
    try {
      answer = await context.get(callbackURL);
    } catch (error) {
      if (!(error instanceof ProviderRequestError || error instanceof UnauthorizedError)) throw error;
      skipped++;
      continue;
    }
    const items = answeredItems(answer, type, providerUserId);
    if (items === null) skipped++;
    else appendTo(into, type, items);
  }
  return skipped;
}
