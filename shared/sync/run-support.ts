import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EmitScope } from '#shared/ingest/persist.js';
import type { PullResult, SyncUnit } from '#shared/providers/types.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { type LeaseTaken, releaseLease, type UnitDigestSet } from '#shared/store/connection-leases.js';
import { type Connection, stampSynced } from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';
import { contentHash } from '#shared/store/unchanged.js';
import { LIVE_USER } from '#shared/store/user-guard.js';
import type { SyncJob } from '#shared/sync/enqueue.js';

/**
 * What a sync run needs besides its own logic: a deadline around a unit's work, the cursor stamps, and what it
 * emits.
 */

export class DeadlineReached extends Error {}

/** `work`, unless the deadline comes first: then a DeadlineReached (the work goes on unobserved, errors swallowed). */
export async function beforeDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineReached()), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => {});
  }
}

/** Denormalises the newest sync onto the user profile (`last_synced_at`, `last_synced_provider` of GET /users). */
async function stampUser(userId: string, provider: string, at: string): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.user(userId),
        UpdateExpression: 'SET last_synced_at = :at, last_synced_provider = :provider',
        ConditionExpression: `${LIVE_USER} AND (attribute_not_exists(last_synced_at) OR attribute_type(last_synced_at, :null) OR last_synced_at < :at)`,
        ExpressionAttributeValues: { ':at': at, ':provider': provider, ':null': 'NULL' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Advances the connection's cursor and the user's `last_synced_at` (both only forward). With the connection's sync
 * lease (its owner, and the marks the run covered), gives the lease back in the same write; resolves to
 * whether it did (not when the lease lapsed and was taken over: the cursor is stamped all the same).
 */
export async function stampCursor(
  connection: Connection,
  at: string,
  lease?: { owner: string; covered: readonly string[]; digests?: UnitDigestSet },
): Promise<boolean> {
  const released =
    lease !== undefined &&
    (await releaseLease(connection, 'sync', lease.owner, {
      stamp: at,
      covered: lease.covered,
      digests: lease.digests,
    }));
  if (!released) {
    try {
      await stampSynced(connection.user_id, connection.provider, at);
    } catch (error) {
      // Disconnected and deleted meanwhile: nothing left to stamp.
      if (!isConditionFailure(error)) throw error;
    }
  }
  await stampUser(connection.user_id, connection.provider, at);
  return released;
}

/**
 * What a sync run emits: a live run, the events of what changed the store (it re-fetches hours it stored an hour
 * ago), unless it found a mark on the connection (store/connection-leases.ts): a run, maybe its own earlier
 * invocation, or a webhook delivery may have written without emitting. Every other run emits all it saves, as
 * nothing need re-read its windows.
 */
export const emitScopeOf = (job: SyncJob, lease: LeaseTaken): EmitScope =>
  job.mode === 'live' && lease.unannounced.length === 0 ? 'changed' : 'all';

/**
 * The marks a completed run removes: its own, and, for a live run that resolved its window in this invocation (from
 * the cursor minus the overlap until the run, window.ts `resolveWindow`, all re-read in 'all' mode when it found
 * marks), those it found: their writes before the lease was taken are in that window, as far as any later live
 * sync would re-read them. A mark added since stays.
 */
export const coveredMarks = (job: SyncJob, lease: LeaseTaken): string[] =>
  job.mode === 'live' && job.from_cursor && job.checkpoint === undefined
    ? [job.run_id, ...lease.unannounced]
    : [job.run_id];

/** Unit digests a live run keeps at most (a live window holds a few units; a long silence may hold more). */
const MAX_DIGESTS = 32;
/** 72 bits: told apart from the unit's earlier pulls, and short, since every write of the connection carries them. */
const DIGEST_CHARS = 12;

/**
 * A live run's unit digests: what each unit pulled, when it was saved. The next live run skips saving a unit whose
 * pull has the same digest (`changed` mode only: there is nothing to re-emit), which spares it the reads that
 * compare each chunk, source and score with the store. A unit whose save failed is not digested; what the run did
 * not get to keeps no digest either (the map is replaced), and is saved again. Only live runs digest.
 */
export class UnitDigests {
  private readonly units: Record<string, string> = {};

  /**
   * `known`: the digests the run found, and their epoch; undefined for a run that does not digest (not live).
   * `skip`: whether it may skip by them (`changed` mode).
   */
  constructor(
    private readonly known: UnitDigestSet | undefined,
    private readonly skip: boolean,
  ) {}

  /** The digest of `result` (none when not digesting), and whether the last live run saved the same. */
  check(unit: SyncUnit, result: PullResult): { digest?: string; unchanged: boolean } {
    if (!this.known) return { unchanged: false };
    const digest = contentHash(result).slice(0, DIGEST_CHARS);
    return { digest, unchanged: this.skip && this.known.units[unit.key] === digest };
  }

  record(unit: SyncUnit, digest: string | undefined): void {
    if (digest && Object.keys(this.units).length < MAX_DIGESTS) this.units[unit.key] = digest;
  }

  /** What the run gives back with its lease, in the epoch it read: none for a run that does not digest. */
  get saved(): UnitDigestSet | undefined {
    return this.known && { epoch: this.known.epoch, units: this.units };
  }
}
