import { ACTIVITIES_PATH, DAY_MS, EAST_MS, isoDate } from '#shared/providers/fitbit/api.js';
import { mapActivity, parseStartTime, type WorkoutEvent } from '#shared/providers/fitbit/mapping.js';
import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { ProviderGet, SyncUnit } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/**
 * Workouts from `GET /1/user/-/activities/list.json` (providers.md 4.7).
 *
 * Units: a sync window is cut into chunks of at most 30 days (`activities:<first UTC date>`), so a 90-day
 * backfill is three checkpointed units rather than one long pull, and a rate limit (150 requests/hour/user)
 * hit in the middle only repeats the current chunk. Units are contiguous and disjoint: the first starts at the
 * window start, the later ones at UTC midnights, the last ends at the window end; each activity belongs to the
 * unit its UTC start falls in. (Fitbit trackers upload late; catching an activity that started before the
 * window is the sync engine's lookback, as in the reference's `PULL_SYNC_LOOKBACK`.)
 *
 * Pull of one unit: `afterDate` is the UTC date of the day before the unit start, because Fitbit compares
 * dates in the user's local time (offsets reach -12:00); then `pagination.next` is followed as given while
 * non-empty. Paging stops early once the listing is past the unit: with `sort=asc` by local start time, an
 * activity whose local wall-clock time is 14 hours (the largest offset) after the unit end proves every later
 * one starts after it too, so a chunk in the past does not page through everything up to today.
 */

export const UNIT_DAYS = 30;
export const PAGE_LIMIT = 100;
/** Safety bound on one unit's pages (100 activities each). */
const MAX_PAGES = 200;

/** Chunks of at most `UNIT_DAYS` UTC days covering `[start, end)` exactly; the later ones start at midnight. */
export const activityUnits = (start: number, end: number) => dayChunks(start, end, UNIT_DAYS, 'activities');

interface ActivityPage {
  activities: unknown[];
  next: string | null;
}

function readPage(body: unknown): ActivityPage {
  if (!isObject(body) || !Array.isArray(body.activities))
    throw new ProviderRequestError(200, `unexpected activities body: ${JSON.stringify(body).slice(0, 300)}`);
  const pagination = isObject(body.pagination) ? body.pagination : {};
  const next = typeof pagination.next === 'string' && pagination.next.trim() !== '' ? pagination.next : null;
  return { activities: body.activities, next };
}

/** Local wall-clock time of an activity as if it were UTC, for the early stop. */
function localWallClock(activity: unknown): number | null {
  if (!isObject(activity)) return null;
  const start = parseStartTime(activity.startTime);
  if (!start) return null;
  const sign = start.zoneOffset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = start.zoneOffset.slice(1).split(':').map(Number) as [number, number];
  return start.ms + sign * (hours * 60 + minutes) * 60_000;
}

/** Fetches every activity log of one unit, following `pagination.next`; workouts starting in `[start, end)`. */
export async function pullActivities(get: ProviderGet, unit: SyncUnit): Promise<WorkoutEvent[]> {
  const byLogId = new Map<string, WorkoutEvent>();
  const seenUrls = new Set<string>();
  let body = await get(ACTIVITIES_PATH, {
    afterDate: isoDate(unit.start - DAY_MS),
    sort: 'asc',
    limit: PAGE_LIMIT,
    offset: 0,
  });
  for (let page = 1; ; page++) {
    const { activities, next } = readPage(body);
    let pastUnit = false;
    for (const activity of activities) {
      const workout = mapActivity(activity);
      if (workout && workout.start >= unit.start && workout.start < unit.end) {
        const key = workout.externalId ?? `${workout.start}|${workout.end}`;
        byLogId.set(key, workout);
      }
      const wallClock = localWallClock(activity);
      if (wallClock !== null && wallClock - EAST_MS >= unit.end) pastUnit = true;
    }
    if (!next || pastUnit || activities.length === 0) break;
    if (seenUrls.has(next) || page >= MAX_PAGES)
      throw new ProviderRequestError(200, `activities paging does not end (page ${page}, next ${next})`);
    seenUrls.add(next);
    body = await get(next);
  }
  return [...byLogId.values()].sort((a, b) => a.start - b.start);
}
