import { ProviderRequestError } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import {
  type ProviderCore,
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  syncModule,
} from '#shared/providers/module.js';
import { dayUnits } from '#shared/providers/time.js';
import type { ProviderIdentity, SyncUnit } from '#shared/providers/types.js';
import { mapDailyMetrics } from '#shared/providers/ultrahuman/mapping.js';
import { idText } from '#shared/providers/values.js';

/**
 * Ultrahuman Ring Air, Partner API v1 (providers.md 4.8): identity from `/user_data/user_info`, data from
 * `/user_data/metrics?date=`, one request per UTC calendar day. No webhooks, no workouts.
 */

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
 * One unit per UTC calendar day from the start's day to the end's day, both included: the window is `[start, end]`
 * (as the reference's loop: a 90-day window is 91 requests). A unit spans its whole day, `[00:00, next 00:00)` UTC.
 */
export const dailyUnits = (start: number, end: number): SyncUnit[] => dayUnits(start, end + 1);

/** The reference treats a 200 object carrying a truthy `error` as a failure (providers.md 3.2). */
function assertNoBodyError(body: unknown): void {
  if (isObject(body) && body.error) throw new ProviderRequestError(200, JSON.stringify(body).slice(0, 500));
}

/** No webhook and no connect hooks: the core is all of Ultrahuman's hooks (module.ts). */
export const ultrahumanCore: ProviderCore = {
  name: 'ultrahuman',

  async identity(get) {
    const body = await get('/user_data/user_info');
    assertNoBodyError(body);
    return identityFrom(body);
  },
};

export const ultrahumanHooks: ProviderHooks = ultrahumanCore;

export const ultrahumanSync: ProviderModule = /* @__PURE__ */ syncModule(ultrahumanCore, {
  units: dailyUnits,

  async pull(get, unit) {
    const body = await get('/user_data/metrics', { date: unit.key });
    assertNoBodyError(body);
    return mapDailyMetrics(body, unit.key, unit.start);
  },
});

export const ultrahuman: ProviderModule = /* @__PURE__ */ providerModule(ultrahumanHooks, ultrahumanSync);
