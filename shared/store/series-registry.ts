import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { db, type Item, isConditionFailure, type Key, queryAll } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import { keys } from '#shared/store/keys.js';
import {
  capacity,
  getItem,
  parseChunkSk,
  REGISTRY_PREFIX,
  registryKey,
  type SeriesTarget,
  seriesPartition,
} from '#shared/store/series-layout.js';
import { writeForUser } from '#shared/store/user-guard.js';

/**
 * The registry item of a (series, source): sample count and time bounds, and the proof that the user's series exist
 * (erasure and the read API find series through it). It is only ever created under the user guard and otherwise
 * updated under `attribute_exists`, which keeps an erased user's series erased (see timeseries.ts).
 */

export interface SeriesRegistryEntry {
  series: SeriesType;
  sourceKey: string;
  count: number;
  /** Epoch ms of the earliest and latest sample ever written. */
  first: number;
  last: number;
}

export interface Bounds {
  first: number;
  last: number;
}

/** What a registry item without samples compares as: any real bound moves it. */
export const NO_BOUNDS: Bounds = { first: Infinity, last: -Infinity };

export const registryBounds = (item: Item): Bounds => ({
  first: (item.first as number | undefined) ?? Infinity,
  last: (item.last as number | undefined) ?? -Infinity,
});

const MAX_ATTEMPTS = 20;

/**
 * Adds to the sample count and widens the time bounds in one write. DynamoDB has no min/max: a bound is set only
 * when `known` (the registry as last read) says it moves, under a condition; if a concurrent writer moved it
 * meanwhile, the condition fails and the update is retried against a fresh read. A missing registry is created
 * under the user guard (UserGone for a deleted user), never by an update.
 */
export async function recordInRegistry(
  target: SeriesTarget,
  added: number,
  bounds: Bounds,
  known: Bounds,
  exists: boolean,
): Promise<{ wcu: number; rcu: number }> {
  const key = registryKey(target);
  let current = known;
  let present = exists;
  let rcu = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const wcu = present
        ? await updateRegistry(key, target, added, movedBounds(bounds, current))
        : await createRegistry(key, target, added, bounds);
      return { wcu, rcu };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series registry update');
    }
    const reread = await getItem(key);
    rcu += reread.rcu;
    present = reread.item !== undefined;
    current = reread.item ? registryBounds(reread.item) : NO_BOUNDS;
  }
}

function createRegistry(key: Key, target: SeriesTarget, count: number, bounds: Bounds): Promise<number> {
  const { table } = db();
  return writeForUser(target.userId, [
    {
      Put: {
        TableName: table,
        Item: { ...key, series: target.series, source_key: target.sourceKey, count, ...bounds },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  ]);
}

const movedBounds = (bounds: Bounds, known: Bounds): Partial<Bounds> => ({
  ...(bounds.first < known.first && { first: bounds.first }),
  ...(bounds.last > known.last && { last: bounds.last }),
});

const BEYOND = { first: '>', last: '<' } as const;

async function updateRegistry(key: Key, target: SeriesTarget, added: number, moved: Partial<Bounds>) {
  const { doc, table } = db();
  const bounds = Object.entries(moved) as Array<[keyof Bounds, number]>;
  const sets = [
    '#series = :series',
    '#sourceKey = :sourceKey',
    ...bounds.map(([name]) => `#${name} = :${name}`),
  ];
  const out = await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')} ADD #count :added`,
      ConditionExpression: [
        'attribute_exists(PK)',
        ...bounds.map(([name]) => `(attribute_not_exists(#${name}) OR #${name} ${BEYOND[name]} :${name})`),
      ].join(' AND '),
      ExpressionAttributeNames: {
        '#series': 'series',
        '#sourceKey': 'source_key',
        '#count': 'count',
        ...Object.fromEntries(bounds.map(([name]) => [`#${name}`, name])),
      },
      ExpressionAttributeValues: {
        ':series': target.series,
        ':sourceKey': target.sourceKey,
        ':added': added,
        ...Object.fromEntries(bounds.map(([name, value]) => [`:${name}`, value])),
      },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return capacity(out.ConsumedCapacity);
}

export async function listUserSeries(userId: string): Promise<SeriesRegistryEntry[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': REGISTRY_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    series: item.series as SeriesType,
    sourceKey: item.source_key as string,
    count: item.count as number,
    first: item.first as number,
    last: item.last as number,
  }));
}

/** The exact count and bounds of a (series, source), from its chunks (a full, consistent read of the series). */
export async function countChunks(target: SeriesTarget): Promise<{ count: number } & Bounds> {
  const { doc, table } = db();
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': seriesPartition(target.userId, target.series) },
      ProjectionExpression: 'SK, n, f, l',
      ConsistentRead: true,
    },
  );
  let count = 0;
  let first = Infinity;
  let last = -Infinity;
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (parseChunkSk(item.SK as string).sourceKey !== target.sourceKey) continue;
      count += item.n as number;
      first = Math.min(first, item.f as number);
      last = Math.max(last, item.l as number);
    }
  }
  return { count, first, last };
}

/**
 * Sets a registry to an exact recount, unless its count moved since `expectedCount` was read (another writer is
 * active: the recount is left for later). True when it was set.
 */
export async function setRegistryCount(
  target: SeriesTarget,
  expectedCount: number,
  exact: { count: number } & Bounds,
): Promise<boolean> {
  const { doc, table } = db();
  const bounds = exact.count > 0 ? exact : NO_BOUNDS;
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: registryKey(target),
        UpdateExpression: `SET #count = :count${exact.count > 0 ? ', #first = :first, #last = :last' : ''}`,
        ConditionExpression: 'attribute_exists(PK) AND #count = :expected',
        ExpressionAttributeNames: {
          '#count': 'count',
          ...(exact.count > 0 ? { '#first': 'first', '#last': 'last' } : {}),
        },
        ExpressionAttributeValues: {
          ':count': exact.count,
          ':expected': expectedCount,
          ...(exact.count > 0 ? { ':first': bounds.first, ':last': bounds.last } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
