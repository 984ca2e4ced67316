import { SeriesCollector } from '#shared/ingest/sdk-collect.js';
import { orNoData } from '#shared/providers/http.js';
import { isObject } from '#shared/providers/json.js';
import {
  type ProviderCore,
  type ProviderHooks,
  type ProviderModule,
  providerModule,
  syncModule,
} from '#shared/providers/module.js';
import { recordsWithin } from '#shared/providers/sensorbio/cursor.js';
import { addBiometrics, addStepDetails, dailyScores } from '#shared/providers/sensorbio/daily.js';
import { sleepEventsOf } from '#shared/providers/sensorbio/sleep.js';
import { workoutsOf } from '#shared/providers/sensorbio/workouts.js';
import { dayUnits, isoDate } from '#shared/providers/time.js';
import type { ProviderGet, ProviderIdentity, PullResult, SyncUnit } from '#shared/providers/types.js';
import { idText } from '#shared/providers/values.js';

/**
 * Sensor Bio REST API (providers.md 4.10): OAuth 2.0 without PKCE or scope, client credentials in the body
 * (info.ts); pull only (SensorBio has no webhooks). One unit per UTC day: the day's `/v1/activities` and
 * `/v1/biometrics` pages (cursor walks bounded to the day, cursor.ts) and its `/v1/sleep`, `/v1/scores` and
 * `/v1/step/details`: five collections, about six requests a day.
 *
 * The reference talks HTTP/2 to the data API ("required"); no public SensorBio document confirms it, and the
 * reference's own identity call to the same host is HTTP/1.1. This client is Node's fetch (HTTP/1.1).
 */

export const PATHS = {
  user: '/v1/user',
  activities: '/v1/activities',
  biometrics: '/v1/biometrics',
  sleep: '/v1/sleep',
  scores: '/v1/scores',
  stepDetails: '/v1/step/details',
} as const;

/** `GET /v1/user` -> `data.id`, `data.name` (the fields at the top level when there is no `data`). */
export function identityFrom(body: unknown): ProviderIdentity {
  const top = isObject(body) ? body : {};
  const user = isObject(top.data) ? top.data : top;
  return { providerUserId: idText(user.id), providerUsername: idText(user.name) };
}

/**
 * One UTC day: requests one after another (each within the app's budget), then one mapped result. A per-date
 * collection answering 404 is a day without data (anything else fails the unit).
 */
export async function pullDay(get: ProviderGet, unit: SyncUnit): Promise<PullResult> {
  const date = isoDate(unit.start);
  const collector = new SeriesCollector();
  const workouts = workoutsOf(await recordsWithin(get, PATHS.activities, unit));
  for (const record of await recordsWithin(get, PATHS.biometrics, unit)) addBiometrics(collector, record);
  const sleeps = sleepEventsOf(await orNoData(get(PATHS.sleep, { date })));
  const scores = dailyScores(await orNoData(get(PATHS.scores, { date })), unit.start, collector);
  const steps = await orNoData(get(PATHS.stepDetails, { date, granularity: 'day' }));
  addStepDetails(collector, steps, unit.start);
  return { series: collector.result(), events: [...workouts, ...sleeps], scores };
}

/** No webhook and no connect hooks: the core is all of SensorBio's hooks (module.ts). */
export const sensorbioCore: ProviderCore = {
  name: 'sensorbio',
  identity: async (get) => identityFrom(await get(PATHS.user)),
  // Workouts and nights carry SensorBio's ids: a revised record replaces the stored one.
  eventIdentity: 'external',
  // SensorBio publishes no limit. 10 requests a second app-wide; a 90-day backfill (~550 requests) fits the
  // bucket's first minute.
  budget: { kind: 'bucket', perMinute: 600 },
};

export const sensorbioHooks: ProviderHooks = sensorbioCore;

export const sensorbioSync: ProviderModule = /* @__PURE__ */ syncModule(sensorbioCore, {
  // A unit per UTC day, spanning it whole: the per-date endpoints answer whole days, and a live sync re-reading
  // today also picks up what the device uploaded late.
  units: dayUnits,
  pull: pullDay,
});

export const sensorbioModule: ProviderModule = /* @__PURE__ */ providerModule(sensorbioHooks, sensorbioSync);
