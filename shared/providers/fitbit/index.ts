import { activityUnits, pullActivities } from '#shared/providers/fitbit/activities.js';
import { PROFILE_PATH } from '#shared/providers/fitbit/api.js';
import { dayUnits, pullDay } from '#shared/providers/fitbit/days.js';
import { pullSleep, sleepUnits } from '#shared/providers/fitbit/sleep.js';
import { isObject } from '#shared/providers/json.js';
import {
  type ProviderCore,
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  syncModule,
} from '#shared/providers/module.js';
import type { ProviderGet, ProviderIdentity, SyncUnit, TokenSet } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';

/**
 * Fitbit Web API (providers.md 4.7; shut down by Google on 2026-11-02, see info.ts): OAuth 2.0 with PKCE and Basic
 * client auth (registry.ts); the Fitbit user id comes with the token response. No webhooks. Polled data:
 * - workouts: activities.ts (30-day units, the activity list paged);
 * - sleep with stages, main sleep and naps: sleep.ts (30-day units, one date-range request each);
 * - intraday and resting heart rate, the daily activity summary: days.ts (one unit per local date, two requests).
 * A 90-day backfill is about 190 requests, past Fitbit's 150 an hour per user: the engine waits out the 429 until
 * `Fitbit-Rate-Limit-Reset` and goes on from its checkpoint. A live sync (a window of an hour or two) costs 5 to 9.
 * Local times become UTC through the profile's time zone, read once per client (zone.ts).
 */

/** The workout units alone (test/unit/strava-pull.test.ts compares Strava's with them). */
export { activityUnits };

const hasScope = (tokens: TokenSet, scope: string) =>
  tokens.scope === null || tokens.scope.split(/[\s,]+/).includes(scope);

/**
 * The Fitbit user id from the token response (`user_id`). The display name costs one request to
 * `/1/user/-/profile.json`, made once per connection and only when the `profile` scope was granted (Fitbit
 * lets the user untick scopes); it is best effort: a failure leaves the name null. Without a `user_id` in the
 * token response the profile's `encodedId` is the id, and then the request must succeed.
 */
export async function fitbitIdentity(get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity> {
  const userId = idText(tokens.extras.user_id);
  if (userId !== null && !hasScope(tokens, 'profile'))
    return { providerUserId: userId, providerUsername: null };
  let user: Record<string, unknown> = {};
  try {
    const body = await get(PROFILE_PATH);
    if (isObject(body) && isObject(body.user)) user = body.user;
  } catch (error) {
    if (userId === null) throw error;
  }
  return {
    providerUserId: userId ?? idText(user.encodedId),
    providerUsername: idText(user.displayName) ?? idText(user.fullName),
  };
}

/** Workouts, then sleep, then the days: the cheap ranged units first. Keys are unique per kind and date. */
export const fitbitUnits = (start: number, end: number): SyncUnit[] => [
  ...activityUnits(start, end),
  ...sleepUnits(start, end),
  ...dayUnits(start, end),
];

/** No webhook and no connect hooks: the core is all of Fitbit's hooks (module.ts). */
export const fitbitCore: ProviderCore = {
  name: 'fitbit',
  identity: fitbitIdentity,
  eventIdentity: 'external',
};

export const fitbitHooks: ProviderHooks = fitbitCore;

export const fitbitSync: ProviderModule = /* @__PURE__ */ syncModule(fitbitCore, {
  units: fitbitUnits,
  async pull(get, unit) {
    if (unit.key.startsWith('sleep:')) return pullSleep(get, unit);
    if (unit.key.startsWith('day:')) return pullDay(get, unit);
    return { series: [], events: await pullActivities(get, unit), scores: [] };
  },
});

export const fitbit: ProviderModule = /* @__PURE__ */ providerModule(fitbitHooks, fitbitSync);
