import * as z from 'zod';
import { defineRoute, type Route } from '#shared/http/route.js';
import type { ProviderName } from '#shared/model/provider.js';
import {
  DEVICE_TYPES,
  type DeviceType,
  deviceTypePriority,
  PRIORITY_PROVIDERS,
  providerPriority,
} from '#shared/model/sources.js';
import { apiDateTime } from '#shared/model/time.js';
import { listStoredPriorities, type PriorityKind, putPriorities } from '#shared/store/priorities.js';

const tag = 'Priorities';
const priority = z.number().int().min(1).max(100);
const stamps = {
  id: z.uuid().nullable().describe('null while the entry has its default and was never set'),
  created_at: z.iso.datetime().nullable(),
  updated_at: z.iso.datetime().nullable(),
};

const providerPriorityRead = z
  .object({ provider: z.enum(PRIORITY_PROVIDERS), priority, ...stamps })
  .meta({ id: 'ProviderPriority' });
const providerPriorityList = z
  .object({ items: z.array(providerPriorityRead) })
  .meta({ id: 'ProviderPriorityList' });
const deviceTypePriorityRead = z
  .object({ device_type: z.enum(DEVICE_TYPES), priority, ...stamps })
  .meta({ id: 'DeviceTypePriority' });
const deviceTypePriorityList = z
  .object({ items: z.array(deviceTypePriorityRead) })
  .meta({ id: 'DeviceTypePriorityList' });

const providerName = z.enum(PRIORITY_PROVIDERS);
const deviceType = z.enum(DEVICE_TYPES);

const KINDS = {
  provider: {
    segment: 'providers',
    field: 'provider',
    names: PRIORITY_PROVIDERS as readonly string[],
    effective: (name: string) => providerPriority(name as ProviderName),
    params: z.object({ provider: providerName }),
    bulk: z.array(z.object({ provider: providerName, priority })).max(100),
    read: providerPriorityRead,
    list: providerPriorityList,
  },
  device_type: {
    segment: 'device-types',
    field: 'device_type',
    names: DEVICE_TYPES as readonly string[],
    effective: (name: string) => deviceTypePriority(name as DeviceType),
    params: z.object({ device_type: deviceType }),
    bulk: z.array(z.object({ device_type: deviceType, priority })).max(100),
    read: deviceTypePriorityRead,
    list: deviceTypePriorityList,
  },
} as const;

/** The provider or device type an entry (a path or a bulk item) names. */
const nameIn = (entry: { provider?: string; device_type?: string }) => (entry.provider ?? entry.device_type)!;

/**
 * Every provider (device type) with the priority in force: its stored one, else its default (contract 5.1), lower
 * first, ties by name.
 */
async function priorityItems(kind: PriorityKind) {
  const { field, names, effective } = KINDS[kind];
  const stored = new Map(
    (await listStoredPriorities()).filter((p) => p.kind === kind).map((p) => [p.name, p]),
  );
  return names
    .map((name) => {
      const entry = stored.get(name);
      return {
        [field]: name,
        priority: entry?.priority ?? effective(name),
        id: entry?.id ?? null,
        created_at: apiDateTime(entry?.created_at),
        updated_at: apiDateTime(entry?.updated_at),
      };
    })
    .sort((a, b) => a.priority - b.priority || (a[field]! < b[field]! ? -1 : 1));
}

async function setPriorities(kind: PriorityKind, entries: Array<{ name: string; priority: number }>) {
  await putPriorities(kind, entries);
  return { items: await priorityItems(kind) };
}

function kindRoutes(kind: PriorityKind): Route[] {
  const { segment, field, params, bulk, read, list } = KINDS[kind];
  const label = kind === 'provider' ? 'provider' : 'device type';
  return [
    defineRoute({
      method: 'GET',
      path: `/api/v1/priorities/${segment}`,
      auth: 'DEV',
      tag,
      summary: `Every ${label} with its priority in force (stored, else the default), lower first`,
      response: list,
      handle: async () => ({ items: await priorityItems(kind) }),
    }),
    defineRoute({
      method: 'PUT',
      path: `/api/v1/priorities/${segment}/{${field}}`,
      auth: 'DEV',
      tag,
      summary: `Set one ${label}'s priority (1..100, lower wins); applies from the next read on`,
      params: params as z.ZodType<{ provider?: string; device_type?: string }>,
      body: z.object({ priority }),
      response: read,
      handle: async ({ params: path, body }) => {
        const { items } = await setPriorities(kind, [{ name: nameIn(path), priority: body.priority }]);
        return items.find((item) => item[field] === nameIn(path));
      },
    }),
    defineRoute({
      method: 'PUT',
      path: `/api/v1/priorities/${segment}`,
      auth: 'DEV',
      tag,
      summary: `Set several ${label} priorities at once (all or none); answers the full list`,
      body: z.object({
        priorities: bulk as z.ZodType<Array<{ provider?: string; device_type?: string; priority: number }>>,
      }),
      response: list,
      doc: { errors: [400] },
      handle: ({ body }) =>
        setPriorities(
          kind,
          body.priorities.map((entry) => ({ name: nameIn(entry), priority: entry.priority })),
        ),
    }),
  ];
}

/** Provider and device-type priorities (contract 4.16, 10.1). Served by the admin area. */
export const prioritiesRoutes: Route[] = [...kindRoutes('provider'), ...kindRoutes('device_type')];
