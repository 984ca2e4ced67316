import { orNoData } from '#shared/providers/http.js';
import { isObject, textOf } from '#shared/providers/json.js';
import { PullOutput } from '#shared/providers/output.js';
import { instantOf } from '#shared/providers/polar/common.js';
import { mapActivityDay, mapContinuousHeartRate, mapPhysicalInfo } from '#shared/providers/polar/daily.js';
import { mapExercise } from '#shared/providers/polar/exercises.js';
import { mapRecharge } from '#shared/providers/polar/recharge.js';
import { mapSleep } from '#shared/providers/polar/sleep.js';
import { DAY_MS, isoDate } from '#shared/providers/time.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';

/**
 * Polar pull (providers.md 4.2), on the non-transactional endpoints. A window is cut into units of at most 28 UTC
 * days, aligned on the window's END: the date-range endpoints (daily activity, continuous heart rate) take at most 28
 * days per request, and the last unit (`recent:<first date>`) covers the same 28 days as the endpoints that take no
 * dates and answer Polar's recent set: exercises (30 days of uploads), nights and Nightly Recharges (28 days), the
 * physical information. Earlier units (`days:<first date>`) only read the two date-range endpoints: Polar has
 * nothing older on the others. 204 and 404 mean "no data".
 *
 * Which recent items a unit keeps: exercises uploaded in it (`upload_time`: a watch synced late still delivers an
 * old workout to the next live sync), nights and recharges of its dates plus a day either side (a night is dated by
 * its local wake-up day, which may be a day off the UTC dates, and may be uploaded the day after).
 */

export const PATHS = {
  users: '/v3/users',
  user: (id: string) => `/v3/users/${id}`,
  exercises: '/v3/exercises',
  exercise: (id: string) => `/v3/exercises/${id}`,
  nights: '/v3/users/sleep',
  night: (date: string) => `/v3/users/sleep/${date}`,
  recharges: '/v3/users/nightly-recharge',
  recharge: (date: string) => `/v3/users/nightly-recharge/${date}`,
  activities: '/v3/users/activities',
  activity: (date: string) => `/v3/users/activities/${date}`,
  heartRate: '/v3/users/continuous-heart-rate',
  heartRateDay: (date: string) => `/v3/users/continuous-heart-rate/${date}`,
  physicalInfo: '/v3/users/physical-info',
};

/** Exercises with their samples and heart-rate zones, without the route. */
export const EXERCISE_QUERY = { samples: 'true', zones: 'true', route: 'false' };
/** Daily totals only: the intraday step samples Polar thins out (repeated counts removed) are not kept. */
export const ACTIVITY_QUERY = { steps: 'false', activity_zones: 'false', inactivity_stamps: 'false' };

export const UNIT_DAYS = 28;
const RECENT = 'recent:';

export function polarUnits(start: number, end: number): SyncUnit[] {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return [];
  const units: SyncUnit[] = [];
  let unitEnd = end;
  // The last unit holds the UTC day of the window's end and the 27 days before it.
  let boundary = Math.floor((end - 1) / DAY_MS) * DAY_MS - (UNIT_DAYS - 1) * DAY_MS;
  while (unitEnd > start) {
    const unitStart = Math.max(start, boundary);
    const prefix = units.length === 0 ? RECENT : 'days:';
    units.unshift({ key: `${prefix}${isoDate(unitStart)}`, start: unitStart, end: unitEnd });
    unitEnd = unitStart;
    boundary -= UNIT_DAYS * DAY_MS;
  }
  return units;
}

/** The items of a list body: the body itself when it is an array, else its `field`. */
export function itemsOf(body: unknown, field?: string): unknown[] {
  if (Array.isArray(body)) return body;
  const items = field && isObject(body) ? body[field] : undefined;
  return Array.isArray(items) ? items : [];
}

/** The first and last UTC date of a unit. */
export const unitDates = (unit: SyncUnit) => ({ from: isoDate(unit.start), to: isoDate(unit.end - 1) });

async function pullRecent(get: ProviderGet, unit: SyncUnit, out: PullOutput): Promise<void> {
  const exercises = itemsOf(await orNoData(get(PATHS.exercises, EXERCISE_QUERY)));
  for (const exercise of exercises) {
    const uploaded = isObject(exercise) ? instantOf(exercise.upload_time)?.ms : undefined;
    if (uploaded === undefined || (uploaded >= unit.start && uploaded < unit.end)) mapExercise(out, exercise);
  }
  const first = isoDate(unit.start - DAY_MS);
  const last = isoDate(unit.end - 1 + DAY_MS);
  const ofDates = (item: unknown) => {
    const date = isObject(item) ? textOf(item.date) : null;
    return date !== null && date >= first && date <= last;
  };
  for (const night of itemsOf(await orNoData(get(PATHS.nights)), 'nights'))
    if (ofDates(night)) mapSleep(out, night);
  for (const recharge of itemsOf(await orNoData(get(PATHS.recharges)), 'recharges'))
    if (ofDates(recharge)) mapRecharge(out, recharge);
  mapPhysicalInfo(out, await orNoData(get(PATHS.physicalInfo)));
}

export async function pullPolar(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const out = new PullOutput();
  const dates = unitDates(unit);
  for (const day of itemsOf(await orNoData(get(PATHS.activities, { ...dates, ...ACTIVITY_QUERY }))))
    mapActivityDay(out, day);
  for (const day of itemsOf(await orNoData(get(PATHS.heartRate, dates)), 'heart_rates'))
    mapContinuousHeartRate(out, day);
  if (unit.key.startsWith(RECENT)) await pullRecent(get, unit, out);
  return out.result();
}
