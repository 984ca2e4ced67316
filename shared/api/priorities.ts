import * as z from 'zod/mini';
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
const priority = z.number().check(z.int(), z.gte(1), z.lte(100));
const stamps = {
  id: z.nullable(z.uuid()).check(z.describe('null while the entry has its default and was never set')),
  created_at: z.nullable(z.iso.datetime()),
  updated_at: z.nullable(z.iso.datetime()),
};

/** A path or bulk item: it names a provider or a device type, by its kind's field. */
type Named = { provider?: string; device_type?: string };

/**
 * One kind's schemas: `field` names the provider or device type in its path, bulk items and answers; `names` are
 * every one of them, `effective` the default priority of each.
 */
function priorityKind(
  field: PriorityKind,
  segment: string,
  names: readonly string[],
  effective: (name: string) => number,
  schemaId: string,
) {
  const name = z.enum(names);
  const read = z.object({ [field]: name, priority, ...stamps }).check(z.meta({ id: schemaId }));
  return {
    segment,
    field,
    names,
    effective,
    // The key is `field`, which the types cannot follow: typed here as either kind's.
    params: z.object({ [field]: name }) as unknown as z.ZodMiniType<Named>,
    bulk: z.array(z.object({ [field]: name, priority })).check(z.maxLength(100)) as unknown as z.ZodMiniType<
      Array<Named & { priority: number }>
    >,
    read,
    list: z.object({ items: z.array(read) }).check(z.meta({ id: `${schemaId}List` })),
  };
}

const KINDS = {
  provider: priorityKind(
    'provider',
    'providers',
    PRIORITY_PROVIDERS,
    (name) => providerPriority(name as ProviderName),
    'ProviderPriority',
  ),
  device_type: priorityKind(
    'device_type',
    'device-types',
    DEVICE_TYPES,
    (name) => deviceTypePriority(name as DeviceType),
    'DeviceTypePriority',
  ),
};

/** The provider or device type an entry (a path or a bulk item) names. */
const nameIn = (entry: Named) => (entry.provider ?? entry.device_type)!;

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
      params,
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
        priorities: bulk,
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
