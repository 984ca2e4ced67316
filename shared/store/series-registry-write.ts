import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { capacity, db, getItem, type Item, isConditionFailure } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import { countDay } from '#shared/store/series-counts.js';
import { dayStartOf, type SeriesTarget, sourceRegistryKey } from '#shared/store/series-layout.js';
import { COUNT, FIRST, LAST, name, OPEN, type SeriesChange } from '#shared/store/series-registry.js';
import { UserGone, writeForUser } from '#shared/store/user-guard.js';

/** The writes of a write path to the registry of a source (series-registry.ts): before its chunks, and after. */

const MAX_ATTEMPTS = 20;

/**
 * Creates the registry of a source under the user guard (UserGone for a deleted user) with `initial` attributes;
 * resolves to its write units, or undefined when it exists already.
 */
async function createSourceRegistry(
  userId: string,
  sourceKey: string,
  initial: Item,
): Promise<number | undefined> {
  const { table } = db();
  try {
    return await writeForUser(userId, [
      {
        Put: {
          TableName: table,
          Item: { ...sourceRegistryKey(userId, sourceKey), source_key: sourceKey, ...initial },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ]);
  } catch (error) {
    if (error instanceof UserGone || !isConditionFailure(error)) throw error;
    return undefined;
  }
}

/**
 * Before chunks of these series are written: makes sure the registry of the source lists them (count 0 when new,
 * so erasing the source finds their partitions even if the writer dies before counting), and sets `mark` (a
 * writer's, series-journal.ts) if given. Creates the registry under the user guard when missing (UserGone for a
 * deleted user). Resolves to the item as it is afterwards, and the write units used.
 */
export async function prepareSeries(
  userId: string,
  sourceKey: string,
  series: SeriesType[],
  mark?: { name: string; value: string },
): Promise<{ item: Item; wcu: number }> {
  const names: Record<string, string> = mark ? { '#mark': mark.name } : {};
  const sets = mark ? ['#mark = :mark'] : [];
  for (const [i, s] of series.entries()) {
    names[`#c${i}`] = name(COUNT, s);
    sets.push(`#c${i} = if_not_exists(#c${i}, :zero)`);
  }
  const { doc, table } = db();
  for (let attempt = 1; ; attempt++) {
    try {
      const out = await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: sourceRegistryKey(userId, sourceKey),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':zero': 0, ...(mark && { ':mark': mark.value }) },
          ReturnValues: 'ALL_NEW',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { item: out.Attributes as Item, wcu: capacity(out.ConsumedCapacity) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const initial: Item = Object.fromEntries(series.map((s) => [name(COUNT, s), 0]));
    if (mark) initial[mark.name] = mark.value;
    const wcu = await createSourceRegistry(userId, sourceKey, initial);
    if (wcu !== undefined) {
      return { item: { ...sourceRegistryKey(userId, sourceKey), source_key: sourceKey, ...initial }, wcu };
    }
    if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series registry update');
  }
}

/** Whether the registry item lists the series. */
export const listsSeries = (item: Item | undefined, series: SeriesType) =>
  item?.[name(COUNT, series)] !== undefined;

const BEYOND = { [FIRST]: '>', [LAST]: '<' } as const;

/**
 * Adds the changes of a write to the registry of a source in one update (counts added, bounds widened, `unmark`
 * removed). DynamoDB has no min/max: a bound is set only when `known` (the item as last read) says it moves, under
 * a condition; if a concurrent writer moved it meanwhile, the update is retried against a fresh read. A write that
 * moves a series' open day on (series-registry.ts) first recounts the day it closes from its chunks, its own
 * samples there included. A registry erased meanwhile is recreated under the user guard: UserGone for a deleted
 * user.
 */
export async function recordChanges(
  userId: string,
  sourceKey: string,
  changes: Map<SeriesType, SeriesChange>,
  known: Item | undefined,
  unmark?: string,
): Promise<{ wcu: number; rcu: number }> {
  let current = known;
  let rcu = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      if (!current) {
        const wcu = await createSourceRegistry(userId, sourceKey, initialAttributes(changes));
        if (wcu !== undefined) return { wcu, rcu };
      } else {
        const used = await updateCounts(userId, sourceKey, changes, current, unmark);
        return { wcu: used.wcu, rcu: rcu + used.rcu };
      }
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (attempt === MAX_ATTEMPTS) throw new ContentionError('a time-series registry update');
    }
    const reread = await getItem(sourceRegistryKey(userId, sourceKey));
    rcu += reread.rcu;
    current = reread.item;
  }
}

function initialAttributes(changes: Map<SeriesType, SeriesChange>): Item {
  const item: Item = {};
  for (const [series, change] of changes) {
    item[name(COUNT, series)] = change.added;
    item[name(FIRST, series)] = change.first;
    item[name(LAST, series)] = change.last;
    item[name(OPEN, series)] = change.addedByDay.get(dayStartOf(change.last)) ?? 0;
  }
  return item;
}

interface CountUpdate {
  /** Added to the count. */
  count: number;
  /** The open-day count: added to, or set when the open day moves (or was never kept). */
  open: { add: number } | { set: number };
  rcu: number;
}

/**
 * How one change moves the count and the open-day count (`d`) of a series, given the registry as known. Samples
 * the registry never counted are those of the open day beyond `d`: they are counted, from the chunks, when the
 * open day moves on. A registry without `d` (earlier versions, or a series listed but never counted) counted
 * every sample before this write.
 */
async function countUpdate(target: SeriesTarget, change: SeriesChange, known: Item): Promise<CountUpdate> {
  const stored = known[name(LAST, target.series)] as number | undefined;
  const kept = known[name(OPEN, target.series)] as number | undefined;
  const newDay = dayStartOf(Math.max(stored ?? -Infinity, change.last));
  const ownIn = (day: number) => change.addedByDay.get(day) ?? 0;
  if (stored === undefined) return { count: change.added, open: { set: ownIn(newDay) }, rcu: 0 };
  const openDay = dayStartOf(stored);
  if (newDay === openDay && kept !== undefined) {
    return { count: change.added, open: { add: ownIn(openDay) }, rcu: 0 };
  }
  const exact = await countDay(target, openDay);
  // Without `d`, everything but this write's own samples of the open day was counted.
  const counted = kept ?? exact.count - ownIn(openDay);
  const closing = { count: change.added - ownIn(openDay) + exact.count - counted, rcu: exact.rcu };
  return newDay === openDay
    ? { ...closing, open: { set: exact.count } }
    : { ...closing, open: { set: ownIn(newDay) } };
}

async function updateCounts(
  userId: string,
  sourceKey: string,
  changes: Map<SeriesType, SeriesChange>,
  known: Item,
  unmark: string | undefined,
): Promise<{ wcu: number; rcu: number }> {
  const adds: string[] = [];
  const sets: string[] = [];
  const conditions = ['attribute_exists(PK)'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let rcu = 0;
  for (const [series, change] of changes) {
    const update = await countUpdate({ userId, series, sourceKey }, change, known);
    rcu += update.rcu;
    const c = name(COUNT, series);
    names[`#${c}`] = c;
    values[`:${c}`] = update.count;
    adds.push(`#${c} :${c}`);
    const d = name(OPEN, series);
    const kept = known[d] as number | undefined;
    names[`#${d}`] = d;
    if ('add' in update.open) {
      if (update.open.add > 0) {
        values[`:${d}`] = update.open.add;
        adds.push(`#${d} :${d}`);
      }
    } else {
      values[`:${d}`] = update.open.set;
      sets.push(`#${d} = :${d}`);
    }
    // Open-day counts are only ever moved from the state this update was computed from: `l` and `d` together.
    const l = name(LAST, series);
    const knownLast = known[l] as number | undefined;
    names[`#${l}`] = l;
    for (const [attribute, was] of [
      [d, kept],
      [l, knownLast],
    ] as const) {
      if (was === undefined) conditions.push(`attribute_not_exists(#${attribute})`);
      else {
        values[`:was${attribute}`] = was;
        conditions.push(`#${attribute} = :was${attribute}`);
      }
    }
    for (const field of [FIRST, LAST] as const) {
      const attribute = name(field, series);
      const stored = known[attribute] as number | undefined;
      const bound = field === FIRST ? change.first : change.last;
      if (stored !== undefined && (field === FIRST ? bound >= stored : bound <= stored)) continue;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = bound;
      sets.push(`#${attribute} = :${attribute}`);
      conditions.push(
        `(attribute_not_exists(#${attribute}) OR #${attribute} ${BEYOND[field]} :${attribute})`,
      );
    }
  }
  if (unmark) names['#unmark'] = unmark;
  const expression = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
    unmark ? 'REMOVE #unmark' : '',
  ].join(' ');
  if (expression.trim() === '') return { wcu: 0, rcu };
  const { doc, table } = db();
  const out = await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: sourceRegistryKey(userId, sourceKey),
      UpdateExpression: expression,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  return { wcu: capacity(out.ConsumedCapacity), rcu };
}
