import * as z from 'zod/mini';
import { queueArchivalRun } from '#shared/archival/run.js';
import { storageEstimate } from '#shared/archival/storage-estimate.js';
import { badRequest } from '#shared/http/errors.js';
import { defineRoute, type Route } from '#shared/http/route.js';
import {
  type ArchivalSettings,
  getArchivalSettings,
  putArchivalSettings,
} from '#shared/store/archival-settings.js';

const tag = 'Data lifecycle';

const days = (max: number, what: string) =>
  z.nullable(z.number().check(z.int(), z.gte(1), z.lte(max))).check(z.describe(`${what}; null turns it off`));

const settingsSchema = z
  .object({
    archive_after_days: days(3650, 'Days after which samples are rolled up into daily aggregates'),
    delete_after_days: days(
      7300,
      'Days after which data (aggregates, or samples without archival) is deleted',
    ),
  })
  .check(z.meta({ id: 'ArchivalSettings' }));

const bytes = z.number().check(z.int());
const pretty = z.string();
const storageSchema = z
  .object({
    live_data_bytes: bytes,
    live_index_bytes: bytes,
    archive_data_bytes: bytes,
    archive_index_bytes: bytes,
    other_tables_bytes: bytes,
    total_bytes: bytes,
    live_row_count: z.number().check(z.int(), z.describe('Raw samples')),
    archive_row_count: z
      .number()
      .check(z.int(), z.describe('Archived days: one per (series, source, UTC day)')),
    avg_bytes_per_live_row: z.number(),
    avg_bytes_per_archive_row: z.number(),
    live_data_span_days: z.number().check(z.int()),
    live_total_pretty: pretty,
    live_data_pretty: pretty,
    live_index_pretty: pretty,
    archive_total_pretty: pretty,
    archive_data_pretty: pretty,
    archive_index_pretty: pretty,
    other_tables_pretty: pretty,
    total_pretty: pretty,
    growth_class: z.enum(['bounded', 'linear_efficient', 'linear']),
  })
  .check(
    z.describe(
      'Estimated from the series registries and the archive items (one DynamoDB table: no table sizes)',
    ),
    z.meta({ id: 'StorageEstimate' }),
  );

const settingsWithEstimate = z
  .object({ settings: settingsSchema, storage: storageSchema })
  .check(z.meta({ id: 'ArchivalSettingWithEstimate' }));

const withEstimate = async (settings: ArchivalSettings) => ({
  settings,
  storage: await storageEstimate(settings),
});

/** Data lifecycle settings and the archival run (contract 4.16, 10.2). Served by the admin area. */
export const archivalRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/api/v1/settings/archival',
    auth: 'DEV',
    tag,
    summary: 'Data lifecycle settings and a storage estimate',
    response: settingsWithEstimate,
    handle: async () => withEstimate(await getArchivalSettings()),
  }),
  defineRoute({
    method: 'PUT',
    path: '/api/v1/settings/archival',
    auth: 'DEV',
    tag,
    summary: 'Set when samples are archived into daily aggregates and when data is deleted (null: off)',
    body: z.object({
      archive_after_days: z._default(settingsSchema.shape.archive_after_days, null),
      delete_after_days: z._default(settingsSchema.shape.delete_after_days, null),
    }),
    response: settingsWithEstimate,
    doc: { errors: [400] },
    handle: async ({ body }) => {
      const { archive_after_days: archive, delete_after_days: remove } = body;
      if (archive !== null && remove !== null && remove < archive) {
        throw badRequest(
          `Value error, delete_after_days (${remove}) must not be less than archive_after_days (${archive}): data would be deleted before it is archived`,
        );
      }
      return withEstimate(
        await putArchivalSettings({ archive_after_days: archive, delete_after_days: remove }),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/v1/settings/archival/run',
    auth: 'DEV',
    tag,
    summary: 'Start an archival run now (the nightly run starts at 03:00 UTC)',
    status: 202,
    response: z
      .object({ task_id: z.string(), status: z.literal('dispatched') })
      .check(z.meta({ id: 'ArchivalRunDispatched' })),
    handle: async () => ({ task_id: await queueArchivalRun(), status: 'dispatched' as const }),
  }),
];
