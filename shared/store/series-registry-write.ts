import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { capacity, db, getItem, type Item, isConditionFailure } from '#shared/store/client.js';
import { ContentionError } from '#shared/store/contention.js';
import { sourceRegistryKey } from '#shared/store/series-layout.js';
import { COUNT, FIRST, LAST, name, type SeriesChange } from '#shared/store/series-registry.js';
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
 * a condition; if a concurrent writer moved it meanwhile, the update is retried against a fresh read. A registry
 * erased meanwhile is recreated under the user guard: UserGone for a deleted user.
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
        return { wcu: await updateCounts(userId, sourceKey, changes, current, unmark), rcu };
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
  }
  return item;
}

async function updateCounts(
  userId: string,
  sourceKey: string,
  changes: Map<SeriesType, SeriesChange>,
  known: Item,
  unmark: string | undefined,
): Promise<number> {
  const adds: string[] = [];
  const sets: string[] = [];
  const conditions = ['attribute_exists(PK)'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [series, change] of changes) {
    const c = name(COUNT, series);
    names[`#count${c}`] = c;
    values[`:count${c}`] = change.added;
    adds.push(`#count${c} :count${c}`);
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
  if (expression.trim() === '') return 0;
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
  return capacity(out.ConsumedCapacity);
}
