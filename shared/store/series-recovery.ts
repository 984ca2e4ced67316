import { deleteKeys, type Item, type Key } from '#shared/store/client.js';
import { JOURNAL_PREFIX, type SeriesPair, STALE_JOURNAL_MS } from '#shared/store/series-journal.js';
import { isSourceRegistry, seriesOfCode } from '#shared/store/series-layout.js';
import {
  countChunks,
  MARK_PREFIX,
  mergeEntries,
  registryItems,
  removeFromSourceRegistry,
  setRegistryCount,
} from '#shared/store/series-registry.js';

/**
 * Recovery of the registry counts of writers that died between their chunks and their registry update
 * (series-journal.ts): their marks, and the journal items of earlier versions.
 */

interface DeadWrite {
  at: number;
  pairs: SeriesPair[];
  /** A mark on a source registry, or a journal item of an earlier version. */
  source?: { sourceKey: string; mark: string };
  key?: Key;
}

function writesIn(items: Item[]): DeadWrite[] {
  const writes: DeadWrite[] = [];
  for (const item of items) {
    const sk = item.SK as string;
    if (sk.startsWith(JOURNAL_PREFIX)) {
      writes.push({
        at: item.at as number,
        pairs: item.pairs as SeriesPair[],
        key: { PK: item.PK as string, SK: sk },
      });
    } else if (isSourceRegistry(item)) {
      const sourceKey = item.source_key as string;
      for (const [mark, value] of Object.entries(item)) {
        if (!mark.startsWith(MARK_PREFIX) || typeof value !== 'string') continue;
        const [at, ...codes] = value.split(' ');
        const pairs = codes
          .map(seriesOfCode)
          .filter((s) => s !== undefined)
          .map((series) => ({ series, sourceKey }));
        writes.push({ at: Number(at), pairs, source: { sourceKey, mark } });
      }
    }
  }
  return writes;
}

const pairId = (pair: SeriesPair) => `${pair.series}\n${pair.sourceKey}`;

/**
 * Recounts the series named by marks and journals of dead writers, when no living writer of the user has marked
 * (its chunks could be counted twice; one that has not marked has written no chunk yet). A recount is set only if
 * the count did not move meanwhile, and the marks are checked again after the chunks were read: a writer whose
 * chunks the recount saw has marked by then.
 * Returns how many counts were corrected.
 */
export async function recoverDeadWriters(userId: string, now = Date.now()): Promise<number> {
  const writes = writesIn(await registryItems(userId));
  const dead = writes.filter((w) => w.at < now - STALE_JOURNAL_MS);
  if (dead.length === 0 || dead.length < writes.length) return 0;
  const pairs = [...new Map(dead.flatMap((w) => w.pairs).map((pair) => [pairId(pair), pair])).values()];
  const recounts = await Promise.all(pairs.map((pair) => countChunks({ userId, ...pair })));
  const items = await registryItems(userId);
  if (writesIn(items).length !== dead.length) return 0;
  const totals = new Map(mergeEntries(items).map((entry) => [pairId(entry), entry.count]));
  let corrected = 0;
  for (const [i, pair] of pairs.entries()) {
    const exact = recounts[i]!;
    if ((totals.get(pairId(pair)) ?? 0) === exact.count) continue;
    if (await setRegistryCount({ userId, ...pair }, totals.get(pairId(pair)) ?? 0, exact)) corrected++;
  }
  for (const write of dead) {
    if (write.source) await removeFromSourceRegistry(userId, write.source.sourceKey, [write.source.mark]);
  }
  await deleteKeys(dead.flatMap((write) => (write.key ? [write.key] : [])));
  return corrected;
}
