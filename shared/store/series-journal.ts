import { randomUUID } from 'node:crypto';
import type { SeriesType } from '#shared/model/series.js';
import { deleteKeys, type Item, type Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { isSourceRegistry, seriesCode, seriesOfCode } from '#shared/store/series-layout.js';
import {
  countChunks,
  MARK_PREFIX,
  mergeEntries,
  registryItems,
  removeFromSourceRegistry,
  type SeriesChange,
  setRegistryCount,
} from '#shared/store/series-registry.js';
import { prepareSeries, recordChanges } from '#shared/store/series-registry-write.js';

/**
 * The journal of one write of many series (an SDK push, a sync unit: shared/ingest/persist.ts), and the crash
 * safety of the registry counts. A writer adds samples to chunks first and to the registry count after; dying in
 * between (a SIGKILL mid-push) would leave the count short, and the retried push finds its samples already stored,
 * so nothing would ever add them.
 *
 * While a journal is open, `writeSeriesSamples` (timeseries.ts) hands its registry changes to it instead of
 * writing them: opening it marks the registry of each source it names (one update: the journal's id, when, and the
 * series it is about to write), and its close writes the changes of all series of the source and removes the mark
 * in a second one. Two registry writes per source and push, rather than two journal
 * writes plus one per series. A mark older than any writer can live belongs to a dead writer: the next write for
 * that user recounts the series it names from their chunks, and the counts converge. Journal items written by
 * earlier versions (`SERIESJOURNAL#`) are recovered the same way.
 */

const JOURNAL_PREFIX = 'SERIESJOURNAL#';
/** No function runs longer than 15 minutes: a mark that old has no living writer. */
export const STALE_JOURNAL_MS = 15 * 60_000;

export interface SeriesPair {
  series: SeriesType;
  sourceKey: string;
}

type Changes = Map<SeriesType, SeriesChange>;

interface OpenJournal {
  userId: string;
  at: number;
  mark: string;
  pairs: SeriesPair[];
  /** Per source: the registry as the mark left it. */
  marked: Map<string, Promise<Item>>;
  changes: Map<string, Changes>;
}

/** The journals open in this process (a Lambda runs one invocation at a time; the sandbox, many). */
const open = new Map<string, OpenJournal>();

/**
 * Opens the journal of a write that is about to touch these pairs, marking the registry of each of their sources
 * (creating it under the user guard: UserGone for a deleted user); returns the key to close it with.
 */
export async function openJournal(userId: string, pairs: SeriesPair[], now = Date.now()): Promise<Key> {
  for (const [sk, journal] of open) if (journal.at < Date.now() - STALE_JOURNAL_MS) open.delete(sk);
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const key = { PK: keys.userPartition(userId), SK: `${JOURNAL_PREFIX}${now}#${id}` };
  const journal = {
    userId,
    at: now,
    mark: `${MARK_PREFIX}${id}`,
    pairs,
    marked: new Map(),
    changes: new Map(),
  };
  open.set(key.SK, journal);
  try {
    await Promise.all(
      [...new Set(pairs.map((p) => p.sourceKey))].map((source) => markSource(journal, source)),
    );
  } catch (error) {
    open.delete(key.SK);
    throw error;
  }
  return key;
}

/** What `writeSeriesSamples` does inside an open journal that names its series: waits for the mark, records. */
export interface PendingWrite {
  prepare(): Promise<void>;
  /** False when no journal naming the series is open any more: the caller updates the registry itself. */
  record(change: SeriesChange): boolean;
}

const names = (journal: OpenJournal, pair: SeriesPair) =>
  journal.pairs.some((p) => p.series === pair.series && p.sourceKey === pair.sourceKey);

/**
 * Inside an open journal of this user naming (series, source). The changes go to whichever such journal is still
 * open when they are recorded (several may be, in a sandbox running pushes side by side): a journal closes only
 * after its own writes recorded theirs, and each write is covered by its own journal's mark meanwhile.
 */
export function pendingWrite(
  userId: string,
  series: SeriesType,
  sourceKey: string,
): PendingWrite | undefined {
  const find = () =>
    [...open.values()].reverse().find((j) => j.userId === userId && names(j, { series, sourceKey }));
  const first = find();
  if (!first) return undefined;
  return {
    prepare: async () => {
      await markSource(first, sourceKey);
    },
    record: (change) => {
      const journal = find();
      if (!journal) return false;
      const changes = journal.changes.get(sourceKey) ?? new Map<SeriesType, SeriesChange>();
      const known = changes.get(series);
      changes.set(
        series,
        known
          ? {
              added: known.added + change.added,
              first: Math.min(known.first, change.first),
              last: Math.max(known.last, change.last),
            }
          : change,
      );
      journal.changes.set(sourceKey, changes);
      return true;
    },
  };
}

function markSource(journal: OpenJournal, sourceKey: string): Promise<Item> {
  let marked = journal.marked.get(sourceKey);
  if (!marked) {
    const series = journal.pairs.filter((p) => p.sourceKey === sourceKey).map((p) => p.series);
    const value = [journal.at, ...series.map(seriesCode)].join(' ');
    marked = prepareSeries(journal.userId, sourceKey, series, { name: journal.mark, value }).then(
      (r) => r.item,
    );
    journal.marked.set(sourceKey, marked);
  }
  return marked;
}

/** Writes the registry changes of every source the journal marked, removing its marks. */
export async function closeJournal(key: Key): Promise<void> {
  const journal = open.get(key.SK);
  if (!journal) return;
  open.delete(key.SK);
  await Promise.all(
    [...journal.marked].map(async ([sourceKey, marked]) =>
      recordChanges(
        journal.userId,
        sourceKey,
        journal.changes.get(sourceKey) ?? new Map(),
        await marked,
        journal.mark,
      ),
    ),
  );
}

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
 * Recounts the series named by marks and journals of dead writers, when no writer of the user is alive (a live
 * writer's chunks could be counted twice). A recount is set only if the count did not move meanwhile, and the
 * marks are checked again after the chunks were read: a writer whose chunks the recount saw has marked by then.
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
