import {
  ProviderRequestError,
  RateLimitedError,
  TransientProviderError,
  UnauthorizedError,
} from '#shared/providers/http.js';
import { isObject, type JsonObject, textOf } from '#shared/providers/json.js';
import type { ProviderGet, StatusRanges } from '#shared/providers/types.js';

/**
 * Withings answers every call with HTTP 200 and `{status, body, error?}`: `status` 0 is success, anything else an
 * error of one of the families of its "Response status" table (README.md). Each family is read here once, for
 * the data calls (`withingsCall`) and for the token endpoint (info.ts).
 */

export const AUTHENTICATION_FAILED: StatusRanges = [
  [100, 102],
  [200, 200],
  [401, 401],
];

export const INVALID_PARAMS: StatusRanges = [
  [201, 213],
  [216, 218],
  [220, 221],
  [223, 223],
  [225, 225],
  [227, 230],
  [234, 236],
  [238, 238],
  [240, 252],
  [254, 254],
  [260, 267],
  [271, 272],
  [275, 276],
  [283, 288],
  [290, 290],
  [293, 295],
  [297, 297],
  [300, 304],
  [321, 321],
  [323, 353],
  [380, 382],
  [400, 400],
  [501, 511],
  [523, 523],
  [532, 532],
  [3017, 3019],
];

export const TOO_MANY_REQUESTS = 601;

/** Timeout (522), bad state (524) and the "an error occurred" family: on Withings' side, worth a retry. */
export const SERVER_SIDE: StatusRanges = [
  [215, 215],
  [219, 219],
  [222, 222],
  [224, 224],
  [226, 226],
  [231, 233],
  [237, 237],
  [253, 253],
  [255, 259],
  [268, 270],
  [273, 274],
  [278, 282],
  [289, 289],
  [291, 292],
  [296, 296],
  [298, 298],
  [305, 320],
  [322, 322],
  [370, 375],
  [383, 383],
  [391, 391],
  [402, 402],
  [516, 522],
  [524, 531],
  [533, 533],
  [602, 602],
  [700, 700],
  [1051, 1054],
  [2551, 2552],
  [2556, 2559],
  [3000, 3016],
  [3020, 3024],
  [5000, 5006],
  [6000, 6000],
  [6010, 6011],
  [9000, 9000],
  [10000, 10000],
];

/** Withings names no reset time for 601: a minute is its window. */
export const RATE_LIMIT_WAIT_MS = 60_000;

export const inRanges = (status: number, ranges: StatusRanges) =>
  ranges.some(([from, to]) => status >= from && status <= to);

/** A non-zero status as the error the sync engine understands. */
export function statusError(status: number, message: string | null, now = Date.now()): Error {
  const text = `Withings status ${status}${message ? `: ${message}` : ''}`;
  if (inRanges(status, AUTHENTICATION_FAILED)) return new UnauthorizedError(text);
  if (status === TOO_MANY_REQUESTS) return new RateLimitedError(now + RATE_LIMIT_WAIT_MS);
  if (inRanges(status, SERVER_SIDE)) return new TransientProviderError(text);
  return new ProviderRequestError(status, text);
}

/**
 * One action of a Withings service (`POST <path>` with `action=<action>` and the parameters as a form): the
 * answer's `body`, or the error its status means. A body that is not the envelope is a gateway's, retried.
 */
export async function withingsCall(
  get: ProviderGet,
  path: string,
  action: string,
  params: Record<string, string | number> = {},
): Promise<JsonObject> {
  const form: Record<string, string> = { action };
  for (const [name, value] of Object.entries(params)) form[name] = String(value);
  const answer = await get(path, {}, { method: 'POST', form });
  if (!isObject(answer) || typeof answer.status !== 'number') {
    throw new TransientProviderError(`Withings ${action} answered without a status`);
  }
  if (answer.status !== 0) throw statusError(answer.status, textOf(answer.error));
  return isObject(answer.body) ? answer.body : {};
}

/** Safety bound on the pages of one request: 100 pages of a 30-day window is not a real user. */
export const MAX_PAGES = 100;

/**
 * Every page of a paged action (`more` = 1/true, the next `offset`): the `key` array of each body in order, and
 * the `timezone` of the first body (getmeas names the user's zone once per answer). A page that claims more
 * without moving the offset ends the walk as an error rather than looping.
 */
export async function allWithingsPages(
  get: ProviderGet,
  path: string,
  action: string,
  params: Record<string, string | number>,
  key: string,
): Promise<{ items: unknown[]; timezone: string | null }> {
  const items: unknown[] = [];
  let timezone: string | null = null;
  let offset: number | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await withingsCall(get, path, action, offset === null ? params : { ...params, offset });
    timezone ??= textOf(body.timezone);
    const list = body[key];
    if (Array.isArray(list)) for (const item of list) items.push(item);
    if (body.more !== true && body.more !== 1) return { items, timezone };
    const next = typeof body.offset === 'number' ? body.offset : null;
    if (next === null || (offset !== null && next <= offset)) {
      throw new ProviderRequestError(
        200,
        `Withings ${action} paging does not advance (offset ${body.offset})`,
      );
    }
    offset = next;
  }
  throw new ProviderRequestError(200, `Withings ${action} paging does not end (${MAX_PAGES} pages)`);
}
