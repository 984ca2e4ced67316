import { ProviderRequestError } from '#shared/providers/http.js';
import type { ProviderGet } from '#shared/providers/types.js';

/** Fitbit Web API paths (providers.md 4.7) and what their requests share. */

export const ACTIVITIES_PATH = '/1/user/-/activities/list.json';
export const PROFILE_PATH = '/1/user/-/profile.json';
export const heartPath = (date: string) => `/1/user/-/activities/heart/date/${date}/1d/1min.json`;
export const summaryPath = (date: string) => `/1/user/-/activities/date/${date}.json`;
/** Sleep logs whose `dateOfSleep` (the local date the sleep ended) is in `[from, to]`; at most 100 days. */
export const sleepPath = (from: string, to: string) => `/1.2/user/-/sleep/date/${from}/${to}.json`;

export const DAY_MS = 86_400_000;
/** Local time is within [UTC - 12 h, UTC + 14 h]: a local date starts at most 14 h before its UTC midnight. */
export const EAST_MS = 14 * 3_600_000;
/** ... and ends at most 12 h after the next UTC midnight. */
export const WEST_MS = 12 * 3_600_000;

export const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * A GET of data the user may have kept to themselves: Fitbit lets them untick `heartrate` or `sleep` at consent,
 * and then answers 403 `insufficient_scope`. That is no data rather than a failure (null), so a connection without
 * heart rate still syncs its steps and sleep; every other error propagates.
 */
export async function readGranted(get: ProviderGet, path: string): Promise<unknown> {
  try {
    return await get(path);
  } catch (error) {
    if (error instanceof ProviderRequestError && error.status === 403) return null;
    throw error;
  }
}
