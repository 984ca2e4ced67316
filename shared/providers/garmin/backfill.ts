import { emptyResult } from '#shared/providers/garmin/common.js';
import type { DataType } from '#shared/providers/garmin/mapping.js';
import { PermissionDeniedError, ProviderRequestError } from '#shared/providers/http.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';

/**
 * Garmin history is an asynchronous export (providers.md 4.1): `GET /wellness-api/rest/backfill/<endpoint>`
 * with `summaryStartTimeInSeconds` / `summaryEndTimeInSeconds` answers 202 with no body, and the data arrives
 * later by push. A pull unit is therefore one backfill request: `<type>:<window start date>`, one per 30-day
 * window (Garmin's maximum per request) and type, and it saves nothing itself.
 *
 * Windows are cut at UTC midnights like the pull providers' chunks (the first starts at the window start), and
 * the units run newest window first: recent history is what a user looks for first, and a window older than
 * Garmin keeps for the user (a 400 "min start time") then only costs the requests of the oldest windows.
 *
 * Deliberate differences from the reference: every type we map is requested (not only sleeps, dailies,
 * activities, activityDetails and hrv), and a window longer than 30 days is split instead of cut to one window;
 * a 400 "min start time" means nothing is available for that window (the reference retried with 14 or 31 days).
 */

export const BACKFILL_PATH = '/wellness-api/rest/backfill';
export const BACKFILL_WINDOW_DAYS = 30;
/** The permission a backfill needs (off by default on Garmin's consent screen). */
export const HISTORICAL_PERMISSION = 'HISTORICAL_DATA_EXPORT';

const DAY_MS = 86_400_000;

export type BackfillType = Exclude<DataType, 'activityFiles'>;

/** Push key -> backfill endpoint (note `respiration`, `pulseOx`, `moveiq`). */
export const BACKFILL_ENDPOINTS: Readonly<Record<BackfillType, string>> = {
  activities: 'activities',
  activityDetails: 'activityDetails',
  moveIQActivities: 'moveiq',
  dailies: 'dailies',
  epochs: 'epochs',
  sleeps: 'sleeps',
  bodyComps: 'bodyComps',
  hrv: 'hrv',
  stressDetails: 'stressDetails',
  allDayRespiration: 'respiration',
  pulseox: 'pulseOx',
  healthSnapshot: 'healthSnapshot',
  skinTemp: 'skinTemp',
  bloodPressures: 'bloodPressures',
  userMetrics: 'userMetrics',
  mct: 'mct',
};

/** The types requested per window, in order; named by push key, as `NotificationContext.arrived` reports. */
export const BACKFILL_TYPES = Object.keys(BACKFILL_ENDPOINTS) as BackfillType[];

const isBackfillType = (value: string): value is BackfillType => Object.hasOwn(BACKFILL_ENDPOINTS, value);

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `[start, end)` in windows of at most 30 days, later ones starting at UTC midnight; oldest first. */
export function backfillWindows(start: number, end: number): Array<[number, number]> {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return [];
  const windows: Array<[number, number]> = [];
  let windowStart = start;
  let boundary = Math.floor(start / DAY_MS) * DAY_MS;
  while (windowStart < end) {
    boundary += BACKFILL_WINDOW_DAYS * DAY_MS;
    const windowEnd = Math.min(boundary, end);
    windows.push([windowStart, windowEnd]);
    windowStart = windowEnd;
  }
  return windows;
}

/** One unit per window x backfill type, newest window first, keyed `<type>:<window start date>`. */
export function backfillUnits(start: number, end: number): SyncUnit[] {
  return backfillWindows(start, end)
    .reverse()
    .flatMap(([windowStart, windowEnd]) =>
      BACKFILL_TYPES.map((type) => ({
        key: `${type}:${isoDate(windowStart)}`,
        start: windowStart,
        end: windowEnd,
      })),
    );
}

/** `requested`: 202; `already_requested`: 409 (nothing is sent again); `unavailable`: before min start time. */
export type BackfillOutcome = 'requested' | 'already_requested' | 'unavailable';

/**
 * Requests one type's export of `[start, end)` (seconds rounded outwards). 403 and 412 (no historical data
 * permission) throw `PermissionDeniedError`: every later request would fail the same way. Other errors propagate.
 */
export async function requestBackfill(
  get: ProviderGet,
  type: BackfillType,
  start: number,
  end: number,
): Promise<BackfillOutcome> {
  try {
    await get(`${BACKFILL_PATH}/${BACKFILL_ENDPOINTS[type]}`, {
      summaryStartTimeInSeconds: Math.floor(start / 1000),
      summaryEndTimeInSeconds: Math.ceil(end / 1000),
    });
    return 'requested';
  } catch (error) {
    if (!(error instanceof ProviderRequestError)) throw error;
    if (error.status === 409) return 'already_requested';
    if (error.status === 403 || error.status === 412)
      throw new PermissionDeniedError(
        `Garmin refused the ${type} backfill (${error.status}): ${HISTORICAL_PERMISSION} not granted`,
      );
    if (error.status === 400 && /min start time/i.test(error.body)) return 'unavailable';
    throw error;
  }
}

/** The pull of a backfill unit: the request only (the data comes by push). */
export async function pullBackfill(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const type = unit.key.slice(0, unit.key.indexOf(':'));
  if (!isBackfillType(type)) throw new Error(`not a Garmin backfill unit: ${unit.key}`);
  await requestBackfill(get, type, unit.start, unit.end);
  return emptyResult();
}

/**
 * Whether a backfill can succeed with the connection's scope (its permissions, space-joined): false only when the
 * permissions are known and lack `HISTORICAL_DATA_EXPORT`, so the caller can skip the requests altogether.
 */
export function canBackfill(scope: string | null): boolean {
  const permissions = (scope ?? '').split(/\s+/).filter(Boolean);
  return permissions.length === 0 || permissions.includes(HISTORICAL_PERMISSION);
}
