import { orNoData, ProviderRequestError } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import type { Kind247 } from '#shared/providers/suunto/samples-247.js';
import type { ProviderGet } from '#shared/providers/types.js';

/**
 * The Suunto Cloud API requests (providers.md 4.3), relative to `https://cloudapi.suunto.com`. Workouts answer the
 * envelope `{"error": null, "payload": ..., "metadata": {...}}`; 24/7 data and daily statistics a bare list. Every
 * request also carries the `Ocp-Apim-Subscription-Key` (the module's `requestHeaders`).
 */

export const WORKOUTS_PATH = '/v3/workouts/';
export const workoutPath = (key: string) => `/v3/workouts/${encodeURIComponent(key)}`;
/** The recorded samples of a workout, where the API has them (404 otherwise). */
export const workoutSamplesPath = (key: string) => `/v2/workout/samples/${encodeURIComponent(key)}`;
export const samplesPath = (kind: Kind247) => `/247samples/${kind}`;
export const DAILY_STATISTICS_PATH = '/247/daily-activity-statistics';

/** Suunto's largest page. */
export const PAGE_LIMIT = 100;
/** 50 full pages are 5,000 workouts modified in one unit's 20 days: not a real athlete, a paging that never ends. */
export const MAX_PAGES = 50;

/** The envelope's payload; a non-null `error` is Suunto refusing the request (a 200 that failed). */
export function payloadOf(body: unknown, path: string): unknown {
  if (!isObject(body) || !('payload' in body || 'error' in body)) return body;
  if (body.error !== null && body.error !== undefined) {
    const error = isObject(body.error) ? (textOf(body.error.description) ?? textOf(body.error.code)) : null;
    throw new ProviderRequestError(200, `${path}: ${error ?? JSON.stringify(body.error).slice(0, 200)}`);
  }
  return body.payload ?? null;
}

/** A list answer (bare or in the envelope); an empty body is an empty list, anything else not a list is refused. */
export function listOf(body: unknown, path: string): unknown[] {
  const payload = payloadOf(body, path);
  if (payload === null) return [];
  if (Array.isArray(payload)) return payload;
  throw new ProviderRequestError(200, `unexpected ${path} body: ${JSON.stringify(body).slice(0, 300)}`);
}

/**
 * Every workout modified in `[start, end]` (`since`/`until` in epoch ms, `filter-by-modification-time`), page by
 * page (`limit`/`offset`) until a page comes back short. By modification time, so a workout uploaded or edited
 * late is found by the next sync, whatever its start.
 */
export async function listWorkouts(get: ProviderGet, start: number, end: number): Promise<unknown[]> {
  const workouts: unknown[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await get(WORKOUTS_PATH, {
      since: start,
      until: end,
      limit: PAGE_LIMIT,
      offset: page * PAGE_LIMIT,
      'filter-by-modification-time': 'true',
    });
    const items = listOf(body, WORKOUTS_PATH);
    workouts.push(...items);
    if (items.length < PAGE_LIMIT) return workouts;
  }
  throw new ProviderRequestError(200, `${WORKOUTS_PATH} still had more pages after ${MAX_PAGES}`);
}

/** One workout by key; null when Suunto answers 404 (deleted, or not this user's). */
export async function fetchWorkout(get: ProviderGet, key: string): Promise<unknown> {
  const path = workoutPath(key);
  const payload = payloadOf(await orNoData(get(path)), path);
  // The payload is the workout, or (as the reference saw it) a list holding it.
  return Array.isArray(payload)
    ? (payload.find((w) => isObject(w) && w.workoutKey === key) ?? null)
    : payload;
}

/** A workout's recorded samples; none when the API has none for it (404). */
export async function fetchWorkoutSamples(get: ProviderGet, key: string): Promise<unknown[]> {
  const path = workoutSamplesPath(key);
  return listOf(await orNoData(get(path)), path);
}

/** 24/7 items of `[start, end)`, `from`/`to` in epoch ms (at most 28 days a request). */
export const fetch247 = async (get: ProviderGet, kind: Kind247, start: number, end: number) =>
  listOf(await get(samplesPath(kind), { from: start, to: end }), samplesPath(kind));

/** `YYYY-MM-DDTHH:MM:SS` in UTC, as the daily statistics take their bounds. */
const utcDateTime = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** Daily steps and energy of `[start, end]` (at most 28 days a request). */
export const fetchDailyStatistics = async (get: ProviderGet, start: number, end: number) =>
  listOf(
    await get(DAILY_STATISTICS_PATH, { startdate: utcDateTime(start), enddate: utcDateTime(end) }),
    DAILY_STATISTICS_PATH,
  );
