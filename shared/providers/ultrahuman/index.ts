import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import type { ProviderIdentity, ProviderModule, SyncUnit } from '#shared/providers/types.js';
import { mapDailyMetrics } from '#shared/providers/ultrahuman/mapping.js';
import { idText } from '#shared/providers/values.js';

/**
 * Ultrahuman Ring Air, Partner API v1 (providers.md 4.8): identity from `/user_data/user_info`, data from
 * `/user_data/metrics?date=`, one request per UTC calendar day. No webhooks, no workouts.
 */

const DAY_MS = 86_400_000;

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `user_id`, `username` (else `email`) at the top level or inside a `data` envelope. */
export function identityFrom(body: unknown): ProviderIdentity {
  const top = isObject(body) ? body : {};
  const user = idText(top.user_id) === null && isObject(top.data) ? top.data : top;
  return {
    providerUserId: idText(user.user_id),
    providerUsername: idText(user.username) ?? idText(user.email),
  };
}

/**
 * One unit per UTC calendar day from the start's day to the end's day, both included (as the reference's loop:
 * a 90-day window is 91 requests). A unit spans its whole day, `[00:00, next 00:00)` UTC.
 */
export function dailyUnits(start: number, end: number): SyncUnit[] {
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return [];
  const units: SyncUnit[] = [];
  for (let day = Math.floor(start / DAY_MS) * DAY_MS; day <= end; day += DAY_MS)
    units.push({ key: isoDate(day), start: day, end: day + DAY_MS });
  return units;
}

/** The reference treats a 200 object carrying a truthy `error` as a failure (providers.md 3.2). */
function assertNoBodyError(body: unknown): void {
  if (isObject(body) && body.error) throw new ProviderRequestError(200, JSON.stringify(body).slice(0, 500));
}

export const ultrahuman: ProviderModule = {
  name: 'ultrahuman',

  async identity(get) {
    const body = await get('/user_data/user_info');
    assertNoBodyError(body);
    return identityFrom(body);
  },

  units: dailyUnits,

  async pull(get, unit) {
    const body = await get('/user_data/metrics', { date: unit.key });
    assertNoBodyError(body);
    return mapDailyMetrics(body, unit.key, unit.start);
  },
};
