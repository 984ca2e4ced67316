import { mapLimited } from '#shared/model/concurrency.js';
import type { Sample } from '#shared/model/health-data.js';
import type { SeriesType } from '#shared/model/series.js';
import { roundValue } from '#shared/store/chunk-codec.js';
import { batchGet, keyId, type ReadOptions } from '#shared/store/client.js';
import { type ChunkOutcome, dayKeys, writeDay } from '#shared/store/series-chunks.js';
import { pendingWrite } from '#shared/store/series-journal.js';
import { dayStartOf, sourceRegistryKey } from '#shared/store/series-layout.js';
import { listsSeries, prepareSeries, recordChanges } from '#shared/store/series-registry-write.js';

/**
 * Time series are stored as chunks: the samples of one (user, series, source) within one UTC day or hour, in one
 * item (binary columns, see chunk-codec.ts), in partition `TS#<user>#<series>`, the SK starting with the bucket
 * start (series-layout.ts). A day starts as one day chunk and turns to hour chunks once it would outgrow one write
 * unit (series-chunks.ts): a sparse series costs an item a day, a dense one an item an hour, which keeps the
 * densest realistic series (1 Hz, 3,600 samples) a few KB an item and bounds what a late sample rewrites.
 *
 * The registry item of each source (series-registry.ts), created under the user guard before any chunk of the
 * source, counts the samples of each series and makes every chunk partition of a user discoverable. It is also
 * what keeps an erased user's series erased: every write that adds samples updates it afterwards under
 * `attribute_exists`. Erasure deletes registries before it scans the chunks, so a chunk written before that scan is
 * found by it, and a writer whose chunk came later finds its registry gone: recreating it fails with UserGone, and
 * that writer erases what it left (shared/ingest/persist.ts `writingFor`). Inside a journal (series-journal.ts, the
 * SDK push and provider sync path) the registry updates of all series of a source are made as one, at its close,
 * and the journal's mark makes a writer that died before it recoverable.
 */

const WRITE_CONCURRENCY = 8;

export interface WriteResult {
  received: number;
  newSamples: number;
  changedSamples: number;
  itemsWritten: number;
  consumedWcu: number;
  consumedRcu: number;
  /** Chunk writes retried because another writer changed the chunk between read and write. */
  conflicts: number;
}

/**
 * Upserts samples (same timestamp: the new value, zone offset and flag win), idempotently: chunks whose content
 * would not change are not written, so re-pushing the same data costs reads only. Concurrent writers to one
 * chunk serialise through its version number; a writer that loses re-reads, re-merges and retries. `reads` may
 * ask for an eventually consistent first read of the chunks (never of the registry, whose listing must precede
 * a chunk): a stale chunk fails its conditional write and is read again strongly.
 */
export async function writeSeriesSamples(
  userId: string,
  sourceKey: string,
  series: SeriesType,
  samples: readonly Sample[],
  reads: ReadOptions = {},
): Promise<WriteResult> {
  const target = { userId, series, sourceKey };
  const days = groupByDay(samples);
  const result: WriteResult = {
    received: samples.length,
    newSamples: 0,
    changedSamples: 0,
    itemsWritten: 0,
    consumedWcu: 0,
    consumedRcu: 0,
    conflicts: 0,
  };
  if (days.size === 0) return result;

  const journal = pendingWrite(userId, series, sourceKey);
  const registry = sourceRegistryKey(userId, sourceKey);
  const chunkKeys = [...days].flatMap(([day, incoming]) => dayKeys(target, day, incoming));
  const stored = await (journal ? batchGet(chunkKeys, reads) : batchGet([registry, ...chunkKeys]));
  result.consumedRcu += stored.rcu;
  let registryItem = stored.items.get(keyId(registry));
  let prepared: Promise<void> | undefined;
  // The registry lists the series before its first chunk: marked by the journal, or here.
  const beforeWrite = () => {
    prepared ??= journal
      ? journal.prepare()
      : listsSeries(registryItem, series)
        ? Promise.resolve()
        : prepareSeries(userId, sourceKey, [series]).then(({ item, wcu }) => {
            registryItem = item;
            result.consumedWcu += wcu;
          });
    return prepared;
  };

  const outcomes = await mapLimited([...days], WRITE_CONCURRENCY, ([day, incoming]) =>
    writeDay(target, day, incoming, stored.items, beforeWrite),
  );
  for (const outcome of outcomes) addOutcome(result, outcome);
  if (result.newSamples === 0) return result;
  const addedByDay = new Map([...days.keys()].map((day, i) => [day, outcomes[i]!.newSamples]));
  const change = {
    added: result.newSamples,
    addedByDay,
    first: samples.reduce(minTimestamp, Infinity),
    last: samples.reduce(maxTimestamp, -Infinity),
  };
  if (!journal?.record(change)) {
    const used = await recordChanges(userId, sourceKey, new Map([[series, change]]), registryItem);
    result.consumedWcu += used.wcu;
    result.consumedRcu += used.rcu;
  }
  return result;
}

function addOutcome(result: WriteResult, outcome: ChunkOutcome): void {
  result.newSamples += outcome.newSamples;
  result.changedSamples += outcome.changedSamples;
  result.itemsWritten += outcome.itemsWritten;
  result.conflicts += outcome.conflicts;
  result.consumedWcu += outcome.wcu;
  result.consumedRcu += outcome.rcu;
}

const minTimestamp = (min: number, s: Sample) => Math.min(min, s.timestamp);
const maxTimestamp = (max: number, s: Sample) => Math.max(max, s.timestamp);
const byTimestamp = (a: Sample, b: Sample) => a.timestamp - b.timestamp;

/** Per UTC day: samples sorted and unique per timestamp (the last one of the input wins), values at 3 decimals. */
function groupByDay(samples: readonly Sample[]): Map<number, Sample[]> {
  const days = new Map<number, Map<number, Sample>>();
  for (const sample of samples) {
    const start = dayStartOf(sample.timestamp);
    const day = days.get(start) ?? new Map<number, Sample>();
    day.set(sample.timestamp, { ...sample, value: roundValue(sample.value) });
    days.set(start, day);
  }
  return new Map([...days].map(([start, day]) => [start, [...day.values()].sort(byTimestamp)]));
}
