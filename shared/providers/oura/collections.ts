import { ProviderRequestError, UnauthorizedError } from '#shared/providers/http.js';
import {
  mapCardiovascularAge,
  mapDailyActivity,
  mapDailyReadiness,
  mapDailySleep,
  mapDailySpo2,
  mapVo2Max,
} from '#shared/providers/oura/daily.js';
import { mapSleep } from '#shared/providers/oura/sleep.js';
import { mapWorkout } from '#shared/providers/oura/workout.js';
import { outputOf, type PullOutput } from '#shared/providers/output.js';
import type { CursorPaging } from '#shared/providers/pages.js';
import type { ProviderGet, PullResult } from '#shared/providers/types.js';

/**
 * Oura's document collections (`/v2/usercollection/<name>`, providers.md 4.5): queried by a range of days,
 * readable one document at a time by id (what a webhook notification names), each with its mapper.
 */
export const DOCUMENT_MAPPERS = {
  workout: mapWorkout,
  sleep: mapSleep,
  daily_sleep: mapDailySleep,
  daily_readiness: mapDailyReadiness,
  daily_activity: mapDailyActivity,
  daily_spo2: mapDailySpo2,
  daily_cardiovascular_age: mapCardiovascularAge,
  vO2_max: mapVo2Max,
} as const satisfies Record<string, (document: unknown, out: PullOutput) => void>;

export type DocumentCollection = keyof typeof DOCUMENT_MAPPERS;
export const DOCUMENT_COLLECTIONS = Object.keys(DOCUMENT_MAPPERS) as DocumentCollection[];

export const isDocumentCollection = (value: string): value is DocumentCollection =>
  Object.hasOwn(DOCUMENT_MAPPERS, value);

export const collectionPath = (collection: string) => `/v2/usercollection/${collection}`;
export const PERSONAL_INFO_PATH = collectionPath('personal_info');
export const HEART_RATE_PATH = collectionPath('heartrate');

/** Every collection answers `{"data": [...], "next_token": "…" | null}`. */
export const PAGING: CursorPaging = {
  cursorParam: 'next_token',
  nextField: 'next_token',
  itemsField: 'data',
};

/** One document as a pull result; null when it gave nothing usable. */
export const mapDocument = (collection: DocumentCollection, document: unknown): PullResult | null =>
  outputOf((out) => DOCUMENT_MAPPERS[collection](document, out));

/**
 * Oura refuses a collection the user did not grant (`heart_health` for VO2max and cardiovascular age...) with an
 * authorization error naming the missing scopes. That is not a dead token: refreshing would not help, and only that
 * collection is affected, so it is a permanent refusal of the request (the unit is skipped, the sync goes on).
 */
export const scopedGet =
  (get: ProviderGet): ProviderGet =>
  async (...args) => {
    try {
      return await get(...args);
    } catch (error) {
      if (error instanceof UnauthorizedError && /missing[^"]*scope/i.test(error.message))
        throw new ProviderRequestError(401, error.message);
      throw error;
    }
  };
