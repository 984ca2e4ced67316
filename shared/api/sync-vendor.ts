import * as z from 'zod/mini';
import { parseDateTimeParam } from '#shared/api/params.js';
import { queryBoolean, uuid } from '#shared/api/schemas.js';
import { badRequest, HttpError } from '#shared/http/errors.js';
import { defineRoute } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { PROVIDERS, type ProviderName } from '#shared/model/provider.js';
import { syncModules } from '#shared/providers/cores.js';
import type { WorkoutApi } from '#shared/providers/types.js';
import { callAsUser } from '#shared/sync/provider-call.js';

const tag = 'Vendor workouts';

const providerUserParams = z.object({ provider: z.enum(PROVIDERS), user_id: uuid() });

const inclusions = { samples: queryBoolean(false), zones: queryBoolean(false), route: queryBoolean(false) };

/** The provider's own JSON, as it answered: an object or a list. */
const rawWorkouts = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .check(z.describe("The provider's raw answer, unchanged"), z.meta({ id: 'VendorWorkouts' }));

function workoutApi(provider: ProviderName): WorkoutApi {
  const api = syncModules[provider]?.workouts;
  if (!api) throw new HttpError(501, `Provider '${provider}' does not support workouts`);
  return api;
}

/**
 * `since` (Unix seconds) up to 2100-01-01: the providers that take a date are sent it as one, which a later value
 * may not have; beyond, a 400 rather than a 502.
 */
export const sinceParam = z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(4_102_444_800)), 0);

/** A provider's workout id as one path segment: never `.` or `..`, which would walk the provider's URL up. */
const workoutId = cappedString(CAP.id).check(z.regex(/^(?!\.{1,2}$)[\w.:-]+$/, 'Invalid workout id'));

const epochMs = (value: string | undefined) => (value === undefined ? undefined : parseDateTimeParam(value));

/** Vendor passthrough (contract 4.6): the provider's workouts fetched live as the user, unmapped. */
export const vendorWorkoutRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/providers/{provider}/users/{user_id}/workouts',
    auth: 'API',
    tag,
    summary:
      "A user's workouts as the provider's own API answers them, fetched live (since/limit/offset/filter_by_modification_time: Suunto; samples/zones/route: Polar; summary_start_time/summary_end_time: the window elsewhere)",
    params: providerUserParams,
    query: z.object({
      since: sinceParam,
      limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
      offset: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
      filter_by_modification_time: queryBoolean(true),
      ...inclusions,
      summary_start_time: z.optional(cappedString(CAP.datetime)),
      summary_end_time: z.optional(cappedString(CAP.datetime)),
    }),
    response: rawWorkouts,
    doc: { errors: [400, 401, 403, 404, 429, 501, 502, 503] },
    handle: async ({ params, query }) => {
      const api = workoutApi(params.provider);
      const start = epochMs(query.summary_start_time);
      const end = epochMs(query.summary_end_time);
      if (start !== undefined && end !== undefined && start > end) {
        throw badRequest('summary_start_time must not be after summary_end_time');
      }
      return callAsUser(params.user_id, params.provider, (get) =>
        api.list(get, {
          since: query.since,
          limit: query.limit,
          offset: query.offset,
          filterByModificationTime: query.filter_by_modification_time,
          samples: query.samples,
          zones: query.zones,
          route: query.route,
          start,
          end,
        }),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/providers/{provider}/users/{user_id}/workouts/{workout_id}',
    auth: 'API',
    tag,
    summary: "One workout as the provider's own API answers it, fetched live (samples/zones/route: Polar)",
    params: z.extend(providerUserParams, { workout_id: workoutId }),
    query: z.object(inclusions),
    response: rawWorkouts,
    doc: { errors: [400, 401, 403, 404, 429, 501, 502, 503] },
    handle: async ({ params, query }) => {
      const api = workoutApi(params.provider);
      const read = api.get;
      if (!read) {
        throw new HttpError(
          501,
          `Provider '${params.provider}' does not support reading one workout by its id`,
        );
      }
      return callAsUser(params.user_id, params.provider, (get) => read(get, params.workout_id, query));
    },
  }),
];
