import * as z from 'zod/mini';
import { dataOverviewRoutes, readErrors } from '#shared/api/data-overview.js';
import {
  activitySummaryPageExample,
  bodySummaryExample,
  healthScorePageExample,
  recoverySummaryPageExample,
  sleepSessionPageExample,
  sleepSummaryPageExample,
  timeseriesExample,
  workoutPageExample,
} from '#shared/api/examples.js';
import { dateTimeParam, repeatable } from '#shared/api/params.js';
import { queryBoolean, userIdParams, uuid } from '#shared/api/schemas.js';
import { listDataSourceViews } from '#shared/data/data-sources.js';
import { listMenstrualCycles, listSleepSessions, listWorkouts, removeEvent } from '#shared/data/events.js';
import { listHealthScores } from '#shared/data/health-scores.js';
import {
  dataSourceList,
  healthScorePage,
  menstrualCyclePage,
  sleepSessionPage,
  timeseriesPage,
  workoutPage,
} from '#shared/data/schemas.js';
import { activitySummaries } from '#shared/data/summaries/activity.js';
import { bodySummary } from '#shared/data/summaries/body.js';
import { dataSummary } from '#shared/data/summaries/data.js';
import { recoverySummaries } from '#shared/data/summaries/recovery.js';
import {
  activitySummaryPage,
  bodySummaryOrNull,
  dataSummary as dataSummarySchema,
  recoverySummaryPage,
  sleepSummaryPage,
} from '#shared/data/summaries/schemas.js';
import { sleepSummaries } from '#shared/data/summaries/sleep.js';
import { queryTimeseries } from '#shared/data/timeseries.js';
import { defineRoute, Reply } from '#shared/http/route.js';
import { CAP, cappedString } from '#shared/http/validation.js';
import { readableUserId } from '#shared/identity/users.js';
import { HEALTH_SCORE_CATEGORIES } from '#shared/model/health-data.js';
import { PROVIDERS } from '#shared/model/provider.js';
import { SERIES_TYPE_CODES } from '#shared/model/series.js';

const limit = (max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(max)), fallback);

const range = { start_date: dateTimeParam(), end_date: dateTimeParam() };
const cursor = z.optional(cappedString(CAP.text));
const eventQuery = z.object({ ...range, cursor, limit: limit(100, 50) });
const eventParams = (name: string) => z.object({ user_id: uuid(), [name]: uuid() });

const eventArgs = (q: z.output<typeof eventQuery>) => ({
  startMs: q.start_date,
  endMs: q.end_date,
  cursor: q.cursor,
  limit: q.limit,
});

const tag = 'Health data';
const summaries = 'Summaries';

export const dataRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/timeseries',
    auth: 'API',
    tag,
    summary: 'Time-series samples, raw or aggregated per resolution (each type with its own aggregation)',
    params: userIdParams,
    query: z.object({
      start_time: dateTimeParam(),
      end_time: dateTimeParam(),
      types: repeatable(z.enum(SERIES_TYPE_CODES)),
      resolution: z._default(z.enum(['raw', '1min', '5min', '15min', '1hour']), 'raw'),
      cursor,
      limit: limit(100, 50),
    }),
    response: timeseriesPage,
    doc: { ...readErrors, example: timeseriesExample },
    handle: async ({ params, query }) =>
      queryTimeseries(await readableUserId(params.user_id), {
        types: query.types,
        startMs: query.start_time,
        endMs: query.end_time,
        resolution: query.resolution,
        cursor: query.cursor,
        limit: query.limit,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/events/workouts',
    auth: 'API',
    tag,
    summary: 'Workouts, newest first',
    params: userIdParams,
    query: z.extend(eventQuery, { record_type: z.optional(cappedString(CAP.id)) }),
    response: workoutPage,
    doc: { ...readErrors, example: workoutPageExample },
    handle: async ({ params, query }) =>
      listWorkouts(await readableUserId(params.user_id), {
        ...eventArgs(query),
        recordType: query.record_type,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/events/sleep',
    auth: 'API',
    tag,
    summary: 'Sleep sessions (incl. naps), newest first',
    params: userIdParams,
    query: z.extend(eventQuery, { filter_by_priority: queryBoolean(false) }),
    response: sleepSessionPage,
    doc: { ...readErrors, example: sleepSessionPageExample },
    handle: async ({ params, query }) =>
      listSleepSessions(await readableUserId(params.user_id), {
        ...eventArgs(query),
        filterByPriority: query.filter_by_priority,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/events/menstrual-cycles',
    auth: 'API',
    tag,
    summary: 'Menstrual cycle records, newest first',
    params: userIdParams,
    query: eventQuery,
    response: menstrualCyclePage,
    doc: readErrors,
    handle: async ({ params, query }) =>
      listMenstrualCycles(await readableUserId(params.user_id), eventArgs(query)),
  }),
  ...(
    [
      ['workouts', 'workout_id', 'workout'],
      ['sleep', 'sleep_id', 'sleep'],
      ['menstrual-cycles', 'cycle_id', 'menstrual_cycle'],
    ] as const
  ).map(([segment, param, category]) =>
    defineRoute({
      method: 'DELETE',
      path: `/api/v1/users/{user_id}/events/${segment}/{${param}}`,
      auth: 'API',
      tag,
      summary: `Delete one ${category.replace('_', ' ')} record`,
      params: eventParams(param),
      handle: async ({ params }) => {
        const ids = params as Record<string, string>;
        await removeEvent(ids.user_id!, category, ids[param]!);
        return Reply.noContent();
      },
    }),
  ),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/summaries/activity',
    auth: 'API',
    tag: summaries,
    summary: 'Daily activity, one best source per day',
    params: userIdParams,
    query: z.object({
      ...range,
      cursor,
      limit: limit(400, 50),
      sort_order: z._default(z.enum(['asc', 'desc']), 'asc'),
    }),
    response: activitySummaryPage,
    doc: { ...readErrors, example: activitySummaryPageExample },
    handle: async ({ params, query }) =>
      activitySummaries(await readableUserId(params.user_id), {
        startMs: query.start_date,
        endMs: query.end_date,
        cursor: query.cursor,
        limit: query.limit,
        sortOrder: query.sort_order,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/summaries/sleep',
    auth: 'API',
    tag: summaries,
    summary: 'Nightly sleep by wake-up date, one best source per night',
    params: userIdParams,
    query: eventQuery,
    response: sleepSummaryPage,
    doc: { ...readErrors, example: sleepSummaryPageExample },
    handle: async ({ params, query }) =>
      sleepSummaries(await readableUserId(params.user_id), eventArgs(query)),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/summaries/recovery',
    auth: 'API',
    tag: summaries,
    summary: 'Daily recovery from provider recovery scores',
    params: userIdParams,
    query: eventQuery,
    response: recoverySummaryPage,
    doc: { ...readErrors, example: recoverySummaryPageExample },
    handle: async ({ params, query }) =>
      recoverySummaries(await readableUserId(params.user_id), eventArgs(query)),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/summaries/body',
    auth: 'API',
    tag: summaries,
    summary: 'Body metrics snapshot (null without data)',
    params: userIdParams,
    query: z.object({
      average_period: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(7)), 7),
      latest_window_hours: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(24)), 4),
    }),
    response: bodySummaryOrNull,
    doc: { ...readErrors, example: bodySummaryExample },
    handle: async ({ params, query }) =>
      bodySummary(await readableUserId(params.user_id), {
        averagePeriodDays: query.average_period,
        latestWindowHours: query.latest_window_hours,
        now: Date.now(),
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/summaries/data',
    auth: 'API',
    tag: summaries,
    summary: 'What has been ingested for the user, by type and provider',
    params: userIdParams,
    query: z.object({ start_date: z.optional(dateTimeParam()), end_date: z.optional(dateTimeParam()) }),
    response: dataSummarySchema,
    doc: readErrors,
    handle: async ({ params, query }) => ({
      ...(await dataSummary(await readableUserId(params.user_id), {
        startMs: query.start_date,
        endMs: query.end_date,
      })),
      // The summary echoes the id asked for, also when it reads nothing.
      user_id: params.user_id,
    }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/health-scores',
    auth: 'API',
    tag,
    summary: 'Provider and computed health scores, newest first (offset paging)',
    params: userIdParams,
    query: z.object({
      start_date: z.optional(dateTimeParam()),
      end_date: z.optional(dateTimeParam()),
      category: z.optional(z.enum(HEALTH_SCORE_CATEGORIES)),
      provider: z.optional(z.enum(PROVIDERS)),
      limit: limit(1000, 50),
      offset: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
    }),
    response: healthScorePage,
    doc: { ...readErrors, example: healthScorePageExample },
    handle: async ({ params, query }) =>
      listHealthScores(await readableUserId(params.user_id), {
        startMs: query.start_date,
        endMs: query.end_date,
        category: query.category,
        provider: query.provider,
        limit: query.limit,
        offset: query.offset,
      }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/v1/users/{user_id}/data-sources',
    auth: 'API',
    tag,
    summary: 'Every (provider, device, app) that wrote data for the user',
    params: userIdParams,
    response: dataSourceList,
    doc: readErrors,
    handle: async ({ params }) => listDataSourceViews(await readableUserId(params.user_id)),
  }),
  ...dataOverviewRoutes,
];
