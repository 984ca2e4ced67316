import { BUSINESS_METRICS, count, logger } from '#shared/observability.js';
import { IDENTITY_PATH } from '#shared/providers/google-health/common.js';
import { ALL_DATA_TYPES, metricType } from '#shared/providers/google-health/data-types.js';
import { pullExercise } from '#shared/providers/google-health/exercise.js';
import { pullMetric } from '#shared/providers/google-health/metrics.js';
import { pullSleep } from '#shared/providers/google-health/sleep.js';
import { PermissionDeniedError, ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { ProviderGet, ProviderIdentity, PullResult, SyncUnit } from '#shared/providers/types.js';
import { dayChunks } from '#shared/providers/units.js';
import { idText } from '#shared/providers/values.js';

/**
 * A sync window is cut into UTC chunks of 7 days (`google_health:<first UTC date>`), within the 14-day rollUp range
 * of total calories and small enough that one unit's heart-rate stream stays a few pages. Each unit reads every
 * data type; a type the API refuses (a 4xx: a scope the user did not grant, a type the account lacks) is logged
 * and left out while the others are saved. Transient failures (5xx, 429, network) fail the unit, which the worker
 * retries as a whole (saving is idempotent). A unit where every type was refused fails as the first refusal (all
 * 403: the account itself is refused, e.g. not linked, and the later units would be too).
 */

export const UNIT_DAYS = 7;

export const googleHealthUnits = (start: number, end: number) =>
  dayChunks(start, end, UNIT_DAYS, 'google_health');

export interface TypeResult {
  result: PullResult;
  /** Points that did not map. */
  skipped: number;
}

/** One data type over `[start, end)` in the unified model. */
export async function pullType(
  get: ProviderGet,
  dataType: string,
  start: number,
  end: number,
): Promise<TypeResult> {
  if (dataType === 'sleep' || dataType === 'exercise') {
    const { events, skipped } =
      dataType === 'sleep' ? await pullSleep(get, start, end) : await pullExercise(get, start, end);
    return { result: { series: [], events, scores: [] }, skipped };
  }
  const type = metricType(dataType);
  if (!type) throw new Error(`not a Google Health data type we read: ${dataType}`);
  const { series, skipped } = await pullMetric(get, type, start, end);
  return { result: { series, events: [], scores: [] }, skipped };
}

export async function pullUnit(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const merged: PullResult = { series: [], events: [], scores: [] };
  const refused: ProviderRequestError[] = [];
  let malformed = 0;
  for (const dataType of ALL_DATA_TYPES) {
    try {
      const { result, skipped } = await pullType(get, dataType, unit.start, unit.end);
      merged.series.push(...result.series);
      merged.events.push(...result.events);
      malformed += skipped;
    } catch (error) {
      if (!(error instanceof ProviderRequestError)) throw error;
      refused.push(error);
      logger.warn('google_health data type skipped', { unit: unit.key, dataType, status: error.status });
      count(BUSINESS_METRICS.providerDataTypeSkipped, { provider: 'google_health' });
    }
  }
  if (malformed > 0) {
    logger.warn('google_health points skipped as malformed', { unit: unit.key, skipped: malformed });
    count(BUSINESS_METRICS.providerItemsSkipped, { provider: 'google_health' }, malformed);
  }
  if (refused.length === ALL_DATA_TYPES.length) {
    if (refused.every((error) => error.status === 403)) throw new PermissionDeniedError(refused[0]!.message);
    throw refused[0]!;
  }
  return merged;
}

/**
 * `GET /v4/users/me/identity` -> `healthUserId`, the id webhooks name users by. The e-mail lives on another origin
 * (`www.googleapis.com/oauth2/v3/userinfo`), which the client refuses to send the token to: no username.
 */
export async function googleHealthIdentity(get: ProviderGet): Promise<ProviderIdentity> {
  const body = await get(IDENTITY_PATH);
  return { providerUserId: isObject(body) ? idText(body.healthUserId) : null, providerUsername: null };
}
