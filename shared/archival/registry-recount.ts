import type { SeriesType } from '#shared/model/series.js';
import { isSourceRegistry, type SeriesTarget } from '#shared/store/series-layout.js';
import {
  countChunks,
  MARK_PREFIX,
  mergeEntries,
  registryItems,
  setRegistryCount,
} from '#shared/store/series-registry.js';

/**
 * After the lifecycle removed raw items of some (series, source) pairs, their registry counts and bounds are set
 * to a recount of the chunks left (store/series-registry.ts), so `/dashboard/stats` and the storage estimate drop.
 * Writers add to the count after their chunks, so a recount is only taken while no writer of the source holds a
 * mark (store/series-journal.ts) and the count did not move while the chunks were read; otherwise the next run
 * that removes samples of the pair recounts it.
 */

interface RegistryState {
  count: number;
  marked: boolean;
}

async function stateOf(target: SeriesTarget): Promise<RegistryState> {
  const items = await registryItems(target.userId);
  const source = items.find((item) => isSourceRegistry(item) && item.source_key === target.sourceKey);
  const entry = mergeEntries(items).find(
    (e) => e.series === target.series && e.sourceKey === target.sourceKey,
  );
  return {
    count: entry?.count ?? 0,
    marked: Object.keys(source ?? {}).some((attribute) => attribute.startsWith(MARK_PREFIX)),
  };
}

/** Recounts one pair; true when its count was set. */
async function recount(target: SeriesTarget): Promise<boolean> {
  const before = await stateOf(target);
  if (before.marked) return false;
  const exact = await countChunks(target);
  const after = await stateOf(target);
  if (after.marked || after.count !== before.count || before.count === exact.count) return false;
  return setRegistryCount(target, before.count, exact);
}

/** Recounts one series of these sources of a user, one after another. */
export async function recountSources(userId: string, series: SeriesType, sourceKeys: Iterable<string>) {
  for (const sourceKey of sourceKeys) await recount({ userId, series, sourceKey });
}
