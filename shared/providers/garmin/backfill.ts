import type { DataType } from '#shared/providers/garmin/mapping.js';
import { PermissionDeniedError, ProviderRequestError } from '#shared/providers/http.js';
import { emptyResult } from '#shared/providers/output.js';
import type { ProviderGet, PullResult, SyncUnit } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';

/**
 * Garmin history is an asynchronous export (providers.md 4.1): `GET /wellness-api/rest/backfill/<endpoint>`
 * with `summaryStartTimeInSeconds` / `summaryEndTimeInSeconds` answers 202 with no body, and the data arrives
 * later by push. A pull unit is therefore one backfill request: `<type>:<window start date>`, one per 30-day
 * window (Garmin's maximum per request) and type, and it saves nothing itself.
 *
 * Windows are the pull providers' chunks (`dayChunks`: cut at UTC midnights, the first starting at the sync
 * window's start), and the units run newest window first: recent history is what a user looks for first, and a
 * window older than Garmin keeps for the user (a 400 "min start time") then only costs the requests of the
 * oldest windows.
 *
 * Deliberate differences from the reference: every type we map is requested (not only sleeps, dailies,
 * activities, activityDetails and hrv), and a window longer than 30 days is split instead of cut to one window;
 * a 400 "min start time" means nothing is available for that window (the reference retried with 14 or 31 days).
 */

export const BACKFILL_PATH = '/wellness-api/rest/backfill';
export const BACKFILL_WINDOW_DAYS = 30;
/** The permission a backfill needs (off by default on Garmin's consent screen). */
const HISTORICAL_PERMISSION = 'HISTORICAL_DATA_EXPORT';

export type BackfillType = Exclude<DataType, 'activityFiles'>;

/**
 * Push key -> Garmin's endpoint name of that summary type (note `respiration`, `pulseOx`, `moveiq`): the backfill
 * is `/wellness-api/rest/backfill/<name>`, and the pull endpoint a ping's `callbackURL` points at is
 * `/wellness-api/rest/<name>` (the same names at Garmin for every type here; ping.ts lists the callback paths).
 */
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

/**
 * One unit per 30-day window x backfill type, keyed `<type>:<window start date>`: newest window first, the types
 * in `BACKFILL_TYPES` order within a window.
 */
export function backfillUnits(start: number, end: number): SyncUnit[] {
  const byType = BACKFILL_TYPES.map((type) => dayChunks(start, end, BACKFILL_WINDOW_DAYS, type).reverse());
  return (byType[0] ?? []).flatMap((_, window) => byType.map((units) => units[window]!));
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
