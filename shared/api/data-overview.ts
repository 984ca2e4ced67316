import * as z from 'zod/mini';
import { dateTimeParam } from '#shared/api/params.js';
import { userIdParams } from '#shared/api/schemas.js';
import {
  DEFAULT_TIMELINE_DAYS,
  dataTimeline,
  dataTimelineSchema,
  MAX_TIMELINE_DAYS,
  TIMELINE_BUCKETS,
  TIMELINE_GROUPS,
} from '#shared/data/timeline.js';
import { listWorkoutTypes, workoutTypeList } from '#shared/data/workout-types.js';
import { defineRoute } from '#shared/http/route.js';
import { readableUserId } from '#shared/identity/users.js';
import { PROVIDERS } from '#shared/model/provider.js';

/** Reads of an unknown user answer empty data, never 404 (contract 4.9). */
export const readErrors = { errors: [400] };

/**
 * What a user has, for the dashboard's filters and density heatmap (the newest reference's additions); part of the
 * data area (shared/api/data.ts).
 */
export const dataOverviewRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/events/workouts/types',
    auth: 'API',
    tag: 'Health data',
    summary: "The distinct types of the user's workouts, alphabetically (to fill a filter)",
    params: userIdParams,
    response: workoutTypeList,
    doc: readErrors,
    handle: async ({ params }) => listWorkoutTypes(await readableUserId(params.user_id)),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/summaries/data/timeline',
    auth: 'API',
    tag: 'Summaries',
    summary:
      'How much data the user has per UTC day or week: samples per provider or series type, or workouts per type',
    params: userIdParams,
    query: z.object({
      start_date: z
        .optional(dateTimeParam())
        .check(
          z.describe(
            `Default: ${DEFAULT_TIMELINE_DAYS} days before end_date; at most ${MAX_TIMELINE_DAYS} days before it`,
          ),
        ),
      end_date: z.optional(dateTimeParam()).check(z.describe('Exclusive; default: the end of today (UTC)')),
      bucket: z._default(z.enum(TIMELINE_BUCKETS), 'day'),
      group_by: z._default(z.enum(TIMELINE_GROUPS), 'provider'),
      provider: z.optional(z.enum(PROVIDERS)),
    }),
    response: dataTimelineSchema,
    doc: readErrors,
    handle: async ({ params, query }) =>
      dataTimeline(await readableUserId(params.user_id), {
        startMs: query.start_date,
        endMs: query.end_date,
        bucket: query.bucket,
        groupBy: query.group_by,
        provider: query.provider,
      }),
  }),
];
