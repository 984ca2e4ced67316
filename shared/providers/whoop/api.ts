import { isObject, textOf } from '#shared/providers/json.js';
import { allPages } from '#shared/providers/pages.js';
import type { ProviderGet, ProviderIdentity, SyncUnit } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';

/**
 * The WHOOP API v2 as this integration calls it (providers.md 4.4), relative to `https://api.prod.whoop.com/developer`.
 * Collections answer `{records, next_token}` pages of at most 25 records, filtered by `start`/`end` instants; the
 * next page is asked with `nextToken`.
 */

export const PROFILE_PATH = '/v2/user/profile/basic';
export const BODY_PATH = '/v2/user/measurement/body';
export const ACCESS_PATH = '/v2/user/access';
export const CYCLES_PATH = '/v2/cycle';
export const RECOVERIES_PATH = '/v2/recovery';
export const SLEEPS_PATH = '/v2/activity/sleep';
export const WORKOUTS_PATH = '/v2/activity/workout';
export const sleepPath = (id: string) => `${SLEEPS_PATH}/${id}`;
export const workoutPath = (id: string) => `${WORKOUTS_PATH}/${id}`;
export const cycleRecoveryPath = (cycleId: string) => `${CYCLES_PATH}/${cycleId}/recovery`;

/** WHOOP's maximum page size: a larger `limit` is refused with 400. */
export const PAGE_LIMIT = 25;

/** Every record of a collection overlapping `[unit.start, unit.end)`. */
export const collection = (get: ProviderGet, path: string, unit: SyncUnit) =>
  allPages(
    get,
    path,
    { start: new Date(unit.start).toISOString(), end: new Date(unit.end).toISOString(), limit: PAGE_LIMIT },
    { cursorParam: 'nextToken', nextField: 'next_token', itemsField: 'records' },
  );

/** `GET /v2/user/profile/basic` -> `user_id` (an integer, kept as text) and the email as the account's name. */
export async function whoopIdentity(get: ProviderGet): Promise<ProviderIdentity> {
  const profile = await get(PROFILE_PATH);
  if (!isObject(profile)) return { providerUserId: null, providerUsername: null };
  const userId = idText(profile.user_id);
  return {
    providerUserId: userId !== null && /^\d+$/.test(userId) ? userId : null,
    providerUsername: textOf(profile.email),
  };
}
