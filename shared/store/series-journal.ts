import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SeriesType } from '#shared/model/series.js';
import { db, deleteKeys, type Key, queryAll } from '#shared/store/client.js';
import { keys, ttlAt } from '#shared/store/keys.js';
import { countChunks, listUserSeries, setRegistryCount } from '#shared/store/series-registry.js';

/**
 * Crash safety of the registry counts (series-registry.ts). A writer adds samples to chunks first and to the
 * registry count after; dying in between (a SIGKILL mid-push) leaves the count short, and the retried push finds
 * its samples already stored, so nothing would ever add them. So each write of series first leaves a journal item
 * naming the (series, source) pairs it is about to write, and removes it once their registries are updated. A
 * journal older than any writer can live belongs to a dead writer: the next write for that user recounts the series
 * it names from their chunks, and the counts converge.
 */

const JOURNAL_PREFIX = 'SERIESJOURNAL#';
/** No function runs longer than 15 minutes: a journal that old has no living writer. */
export const STALE_JOURNAL_MS = 15 * 60_000;
const JOURNAL_TTL_DAYS = 30;

export interface SeriesPair {
  series: SeriesType;
  sourceKey: string;
}

interface Journal {
  key: Key;
  at: number;
  pairs: SeriesPair[];
}

/**
 * Records the pairs a write is about to touch; returns the journal's key. A plain put, not a guarded one (half the
 * write units): a journal carries no health data, and one written for a user deleted meanwhile lies in the user's
 * partition, which the write's own UserGone purge or the erasure's second pass (after every writer that was in
 * flight has ended) erases.
 */
export async function openJournal(userId: string, pairs: SeriesPair[], now = Date.now()): Promise<Key> {
  const { doc, table } = db();
  const key = { PK: keys.userPartition(userId), SK: `${JOURNAL_PREFIX}${now}#${randomUUID()}` };
  const ttl = ttlAt(new Date(now + JOURNAL_TTL_DAYS * 86_400_000));
  await doc.send(new PutCommand({ TableName: table, Item: { ...key, at: now, pairs, ttl } }));
  return key;
}

export const closeJournal = (key: Key) => deleteKeys([key]);

async function listJournals(userId: string): Promise<Journal[]> {
  const items = await queryAll({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': JOURNAL_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    key: { PK: item.PK as string, SK: item.SK as string },
    at: item.at as number,
    pairs: item.pairs as SeriesPair[],
  }));
}

const pairId = (pair: SeriesPair) => `${pair.series}\n${pair.sourceKey}`;

/**
 * Recounts the series named by journals of dead writers, when no writer of the user is alive (a live writer's
 * chunks could be counted twice). The recount is set only if the registry count did not move meanwhile, and the
 * journals are checked again after the chunks were read: a writer whose chunks the recount saw has a journal by
 * then. Returns how many registries were corrected.
 */
export async function recoverDeadWriters(userId: string, now = Date.now()): Promise<number> {
  const journals = await listJournals(userId);
  const dead = journals.filter((journal) => journal.at < now - STALE_JOURNAL_MS);
  if (dead.length === 0 || dead.length < journals.length) return 0;
  const pairs = [...new Map(dead.flatMap((j) => j.pairs).map((pair) => [pairId(pair), pair])).values()];
  const registries = new Map((await listUserSeries(userId)).map((entry) => [pairId(entry), entry]));
  const recounts = await Promise.all(pairs.map((pair) => countChunks({ userId, ...pair })));
  if ((await listJournals(userId)).length !== dead.length) return 0;
  let corrected = 0;
  for (const [i, pair] of pairs.entries()) {
    const registry = registries.get(pairId(pair));
    if (!registry || registry.count === recounts[i]!.count) continue;
    if (await setRegistryCount({ userId, ...pair }, registry.count, recounts[i]!)) corrected++;
  }
  await deleteKeys(dead.map((journal) => journal.key));
  return corrected;
}
