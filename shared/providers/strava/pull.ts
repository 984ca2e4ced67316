import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import { mapActivity, numericId, type WorkoutEvent } from '#shared/providers/strava/mapping.js';
import type { ProviderGet, ProviderIdentity, SyncUnit, TokenSet } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/**
 * Strava pull (providers.md 4.6): workouts only. A sync window is cut into UTC chunks of at most 30 days
 * (`activities:<first UTC date>`, as Fitbit's) so a long backfill is checkpointed and a rate limit (the app's
 * 200 requests per 15 minutes) only repeats the current chunk. Each chunk is read with `after`/`before` and
 * `page`/`per_page=200` until a page comes back short; every activity belongs to the chunk its UTC start is in.
 */

export const ATHLETE_PATH = '/athlete';
export const ACTIVITIES_PATH = '/athlete/activities';
export const activityPath = (id: string) => `/activities/${id}`;

export const UNIT_DAYS = 30;
/** Strava's maximum page size. */
export const PER_PAGE = 200;
/** Safety bound on one chunk's pages: 100 full pages are 20,000 activities in 30 days, not a real athlete. */
export const MAX_PAGES = 100;

export const stravaUnits = (start: number, end: number) => dayChunks(start, end, UNIT_DAYS, 'activities');

/**
 * `GET /athlete` -> `id` and `username`. The token response carries the same summary athlete, the fallback when
 * the request fails.
 */
export async function stravaIdentity(get: ProviderGet, tokens: TokenSet): Promise<ProviderIdentity> {
  let athlete: unknown;
  try {
    athlete = await get(ATHLETE_PATH);
  } catch (error) {
    if (!isObject(tokens.extras.athlete) || numericId(tokens.extras.athlete.id) === null) throw error;
    athlete = tokens.extras.athlete;
  }
  if (!isObject(athlete)) return { providerUserId: null, providerUsername: null };
  return { providerUserId: numericId(athlete.id), providerUsername: textOf(athlete.username) };
}

/** Every activity starting in `[unit.start, unit.end)`, by start; malformed ones are left out. */
export async function pullActivities(get: ProviderGet, unit: SyncUnit): Promise<WorkoutEvent[]> {
  const byId = new Map<string, WorkoutEvent>();
  // Strava's bounds are exclusive and in whole seconds; activity starts are whole seconds too.
  const after = Math.ceil(unit.start / 1000) - 1;
  const before = Math.ceil(unit.end / 1000);
  for (let page = 1; ; page++) {
    const body = await get(ACTIVITIES_PATH, { after, before, page, per_page: PER_PAGE });
    if (!Array.isArray(body))
      throw new ProviderRequestError(
        200,
        `unexpected activities body: ${JSON.stringify(body).slice(0, 300)}`,
      );
    for (const activity of body) {
      const workout = mapActivity(activity);
      if (workout && workout.start >= unit.start && workout.start < unit.end)
        byId.set(workout.externalId, workout);
    }
    if (body.length < PER_PAGE) break;
    if (page >= MAX_PAGES)
      throw new ProviderRequestError(200, `activities paging does not end (${MAX_PAGES} full pages)`);
  }
  return [...byId.values()].sort((a, b) => a.start - b.start);
}
