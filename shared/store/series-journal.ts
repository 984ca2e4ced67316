import { randomUUID } from 'node:crypto';
import type { SeriesType } from '#shared/model/series.js';
import { getItem, type Item, type Key } from '#shared/store/client.js';
import { keys } from '#shared/store/keys.js';
import { dayStartOf, seriesCode, sourceRegistryKey } from '#shared/store/series-layout.js';
import {
  type Bounds,
  COUNT,
  FIRST,
  LAST,
  MARK_PREFIX,
  name,
  OPEN,
  type SeriesChange,
} from '#shared/store/series-registry.js';
import { prepareSeries, recordChanges } from '#shared/store/series-registry-write.js';

/**
 * The journal of one write of many series (an SDK push, a sync unit: shared/ingest/persist.ts), and the crash
 * safety of the registry counts. A writer adds samples to chunks first and to the registry count after; dying in
 * between (a SIGKILL mid-push) would leave the count short, and the retried push finds its samples already stored,
 * so nothing would ever add them.
 *
 * While a journal is open, `writeSeriesSamples` (timeseries.ts) hands its registry changes to it instead of
 * writing them: before the first chunk of a source is written, the journal marks the registry of the source (one
 * update: the journal's id, when, and the series it is about to write), and its close writes the changes of all
 * series of the source and removes the mark in a second one. Two registry writes per source and push, rather than
 * two journal writes plus one per series; none for a source whose chunks all stayed as they were (an hourly sync
 * that fetches again what it stored an hour ago). A mark older than any writer can live belongs to a dead writer:
 * the next write for that user recounts the series it names from their chunks, and the counts converge. Journal
 * items written by earlier versions (`SERIESJOURNAL#`) are recovered the same way (series-recovery.ts).
 *
 * A source whose samples in this write all fall in the open days of series its registry lists already
 * (series-registry.ts) is left quiet: not marked, and not written at the close, which only reads it again (a
 * phone pushing every 15 minutes writes its registry once a day). Samples of the open day are counted when the
 * open day moves on; a quiet writer that finds its registry gone at the close recreates it as any writer would
 * (UserGone for a deleted user), and one that finds the open day moved on meanwhile (its samples may have been
 * missed by that recount) leaves a dead writer's mark, so the series is recounted.
 */

export const JOURNAL_PREFIX = 'SERIESJOURNAL#';
/** No function runs longer than 15 minutes: a mark that old has no living writer. */
export const STALE_JOURNAL_MS = 15 * 60_000;

export interface SeriesPair {
  series: SeriesType;
  sourceKey: string;
}

/** A pair a write is about to touch, with the bounds of its samples. */
export type SeriesWriteBounds = SeriesPair & Bounds;

type Changes = Map<SeriesType, SeriesChange>;

interface OpenJournal {
  userId: string;
  at: number;
  mark: string;
  pairs: SeriesPair[];
  /** Per source marked (or quiet): the registry as the mark left it (as read, for a quiet source). */
  marked: Map<string, Promise<Item>>;
  /** The sources whose mark is written: changes recorded here are covered by it until the close. */
  settled: Set<string>;
  /** The quiet sources: their registry as read at the opening. */
  quiet: Map<string, Item>;
  changes: Map<string, Changes>;
}

/** The journals open in this process (a Lambda runs one invocation at a time; the sandbox, many). */
const open = new Map<string, OpenJournal>();

/**
 * Opens the journal of a write that is about to touch these pairs, reading the registry of each of their sources to
 * learn which can stay quiet (the others are marked before their first chunk is written); returns the key to close
 * it with.
 */
export async function openJournal(
  userId: string,
  writes: SeriesWriteBounds[],
  now = Date.now(),
): Promise<Key> {
  const pairs = writes.map(({ series, sourceKey }) => ({ series, sourceKey }));
  for (const [sk, journal] of open) if (journal.at < Date.now() - STALE_JOURNAL_MS) open.delete(sk);
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const key = { PK: keys.userPartition(userId), SK: `${JOURNAL_PREFIX}${now}#${id}` };
  const journal = {
    userId,
    at: now,
    mark: `${MARK_PREFIX}${id}`,
    pairs,
    marked: new Map(),
    settled: new Set<string>(),
    quiet: new Map<string, Item>(),
    changes: new Map(),
  };
  await Promise.all(
    [...new Set(pairs.map((p) => p.sourceKey))].map(async (source) => {
      const { item } = await getItem(sourceRegistryKey(userId, source));
      const own = writes.filter((w) => w.sourceKey === source);
      if (item && staysQuiet(item, own)) {
        journal.quiet.set(source, item);
        journal.marked.set(source, Promise.resolve(item));
      }
    }),
  );
  // Seen by other writers only once it knows its quiet sources: none of its own writes has started before.
  open.set(key.SK, journal);
  return key;
}

/** What `writeSeriesSamples` does inside an open journal that names its series: marks before writing, records. */
export interface PendingWrite {
  /** Before a chunk is written: marks the source in every open journal naming the series that is not quiet there. */
  prepare(): Promise<void>;
  /** False when no journal naming the series is open any more: the caller updates the registry itself. */
  record(change: SeriesChange): boolean;
}

const names = (journal: OpenJournal, pair: SeriesPair) =>
  journal.pairs.some((p) => p.series === pair.series && p.sourceKey === pair.sourceKey);

/**
 * Inside an open journal of this user naming (series, source). The changes go to whichever such journal is still
 * open, and marked for the source, when they are recorded (several may be, in a sandbox running pushes side by
 * side): a journal closes only after its own writes recorded theirs, and each write is covered by its own journal's
 * mark meanwhile. A journal that left the source quiet takes only changes within the open day it read.
 */
export function pendingWrite(
  userId: string,
  series: SeriesType,
  sourceKey: string,
): PendingWrite | undefined {
  const journals = (takes: (journal: OpenJournal) => boolean = () => true) =>
    [...open.values()].filter((j) => j.userId === userId && names(j, { series, sourceKey }) && takes(j));
  // The latest opened first.
  const find = (takes: (journal: OpenJournal) => boolean) => journals(takes).at(-1);
  if (journals().length === 0) return undefined;
  return {
    prepare: async () => {
      await Promise.all(journals((j) => !j.quiet.has(sourceKey)).map((j) => markSource(j, sourceKey)));
    },
    record: (change) => {
      const journal =
        find((j) => j.settled.has(sourceKey)) ??
        find((j) => j.quiet.has(sourceKey) && inOpenDay(j.quiet.get(sourceKey)!, { series, ...change }));
      if (!journal) return false;
      const changes = journal.changes.get(sourceKey) ?? new Map<SeriesType, SeriesChange>();
      const known = changes.get(series);
      changes.set(
        series,
        known
          ? {
              added: known.added + change.added,
              addedByDay: sumByDay(known.addedByDay, change.addedByDay),
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
      (r) => {
        journal.settled.add(sourceKey);
        return r.item;
      },
      (error) => {
        // Not cached: the journal's next write of the source tries again (its changes went nowhere meanwhile).
        journal.marked.delete(sourceKey);
        throw error;
      },
    );
    journal.marked.set(sourceKey, marked);
  }
  return marked;
}

/** The open day of a series in a registry item, if it has counted samples. */
const openDayOf = (item: Item, series: SeriesType) => {
  const last = item[name(LAST, series)];
  return typeof last === 'number' ? dayStartOf(last) : undefined;
};

/**
 * Whether a write's samples all fall in the open day of a series the registry lists, counts the open day of (`d`,
 * which registries of earlier versions lack) and bounds from below.
 */
function inOpenDay(item: Item, write: { series: SeriesType } & Bounds): boolean {
  const day = openDayOf(item, write.series);
  const first = item[name(FIRST, write.series)];
  return (
    item[name(COUNT, write.series)] !== undefined &&
    item[name(OPEN, write.series)] !== undefined &&
    typeof first === 'number' &&
    write.first >= first &&
    day !== undefined &&
    dayStartOf(write.first) === day &&
    dayStartOf(write.last) === day
  );
}

/** Whether a writer in flight has marked the registry for one of these series: it may be recounting their day. */
const markedFor = (item: Item, series: SeriesType[]) =>
  Object.entries(item).some(
    ([attribute, value]) =>
      attribute.startsWith(MARK_PREFIX) &&
      typeof value === 'string' &&
      series.some((s) => value.split(' ').slice(1).includes(seriesCode(s))),
  );

const staysQuiet = (item: Item, writes: SeriesWriteBounds[]) => writes.every((w) => inOpenDay(item, w));

/** Writes the registry changes of every source the journal marked, removing its marks; checks the quiet ones. */
export async function closeJournal(key: Key): Promise<void> {
  const journal = open.get(key.SK);
  if (!journal) return;
  open.delete(key.SK);
  await Promise.all(
    [...journal.marked].map(async ([sourceKey, marked]) => {
      const changes = journal.changes.get(sourceKey) ?? new Map();
      if (journal.quiet.has(sourceKey)) return closeQuiet(journal, sourceKey, changes, await marked);
      await recordChanges(journal.userId, sourceKey, changes, await marked, journal.mark);
    }),
  );
}

async function closeQuiet(journal: OpenJournal, sourceKey: string, changes: Changes, read: Item) {
  if (changes.size === 0) return;
  const { item } = await getItem(sourceRegistryKey(journal.userId, sourceKey));
  if (!item) {
    await recordChanges(journal.userId, sourceKey, changes, undefined);
    return;
  }
  const series = [...changes.keys()];
  if (series.every((s) => openDayOf(item, s) === openDayOf(read, s)) && !markedFor(item, series)) return;
  // The open day moved on, or a writer that may move it is in flight: its recount may have missed these samples.
  // Dated 0, the mark is a dead writer's from the start: the next write of the user recounts these series.
  const value = ['0', ...series.map(seriesCode)].join(' ');
  await prepareSeries(journal.userId, sourceKey, series, { name: journal.mark, value });
}

function sumByDay(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const sum = new Map(a);
  for (const [day, n] of b) sum.set(day, (sum.get(day) ?? 0) + n);
  return sum;
}
