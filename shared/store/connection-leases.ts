import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '#shared/observability.js';
import { db, isConditionFailure } from '#shared/store/client.js';
import { type Connection, listConnections, STAMP_SYNCED } from '#shared/store/connections.js';
import { keys } from '#shared/store/keys.js';

/**
 * Leases on a connection: `sync` (one sync at a time; re-entrant for its owner) and `refresh` (one token refresh
 * at a time). A lease expires on its own, so a crashed holder never blocks the connection beyond `untilMs`.
 *
 * The sync lease also carries the announcement marks, `unannounced` (a string set): whatever may have written
 * without emitting adds its own mark (a sync run as it takes the lease, a webhook delivery whose save failed). A
 * sync run removes marks as it gives the lease back: its own once nothing it saved is in doubt, and others' only
 * when it re-read and emitted what they stand for (shared/sync/run-support.ts `coveredMarks`, worker.ts).
 */
export type LeaseKind = 'sync' | 'refresh';

/**
 * A lease taken; for a sync run (`run`), with the marks as the run found them (its own, on a later invocation).
 * Without `run` (the refresh lease) the marks are not read, and `unannounced` is empty.
 */
export interface LeaseTaken {
  unannounced: string[];
  /**
   * What the last live run saved, by unit (`unit_digests`; shared/sync/run-support.ts `UnitDigests`). None when
   * the lease was taken over from a run whose lease lapsed (that run may still be writing), or when they were
   * forgotten (`forgetDigests`) after that run took its lease.
   */
  digests: UnitDigestSet;
}

/** Unit digests, and the `digests_epoch` they were read in: digests of an earlier epoch were forgotten. */
export interface UnitDigestSet {
  epoch: number;
  units: Record<string, string>;
}

/** Takes the lease, or resolves to null while someone else holds it. With `run`, adds the run's mark. */
export async function acquireLease(
  connection: Pick<Connection, 'user_id' | 'provider'>,
  kind: LeaseKind,
  owner: string,
  untilMs: number,
  options: { now?: number; run?: string } = {},
): Promise<LeaseTaken | null> {
  const { doc, table } = db();
  const { now = Date.now(), run } = options;
  const reentrant = kind === 'sync' ? ` OR ${kind}_lease_owner = :owner` : '';
  try {
    const out = await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(connection.user_id, connection.provider),
        UpdateExpression: `SET ${kind}_lease_owner = :owner, ${kind}_lease_until = :until${run ? ' ADD unannounced :run' : ''}`,
        ConditionExpression: `attribute_exists(PK) AND (attribute_not_exists(${kind}_lease_until) OR ${kind}_lease_until < :now${reentrant})`,
        ExpressionAttributeValues: {
          ':owner': owner,
          ':until': untilMs,
          ':now': now,
          ...(run && { ':run': new Set([run]) }),
        },
        // The marks as they were, read in the write that takes the lease: none can be added in between.
        ReturnValues: run ? 'ALL_OLD' : 'NONE',
      }),
    );
    const previous = out.Attributes ?? {};
    const takenOver =
      previous[`${kind}_lease_owner`] !== undefined && previous[`${kind}_lease_owner`] !== owner;
    const epoch = (previous.digests_epoch as number | undefined) ?? 0;
    const current = ((previous.unit_digests_epoch as number | undefined) ?? 0) === epoch;
    return {
      unannounced: [...((previous.unannounced as Set<string> | undefined) ?? [])],
      digests: {
        epoch,
        units:
          takenOver || !current ? {} : ((previous.unit_digests as Record<string, string> | undefined) ?? {}),
      },
    };
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
}

/**
 * Marks the connection as holding writes whose events may be missing (a webhook delivery whose save failed: should
 * it be dead-lettered, the next live sync emits all it re-reads). Nothing when the connection is gone.
 */
export async function markUnannounced(
  connection: Pick<Connection, 'user_id' | 'provider'>,
  mark: string,
): Promise<void> {
  const { doc, table } = db();
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(connection.user_id, connection.provider),
        UpdateExpression: 'ADD unannounced :mark',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':mark': new Set([mark]) },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * What a sync that ends gives back with its lease: the cursor's stamp, the marks its run re-emitted, and (a live
 * run) the digests of the units it saved.
 */
export interface LeaseEnd {
  stamp?: string;
  covered?: readonly string[];
  digests?: UnitDigestSet;
}

/**
 * Gives a lease back, only if it is still ours (a lapsed lease may have been taken over meanwhile); resolves to
 * whether it was. With `stamp`, advances `last_synced_at`, removes the `covered` marks and replaces the unit
 * digests, in the same write: one write of the connection, not two.
 */
export async function releaseLease(
  connection: Pick<Connection, 'user_id' | 'provider'>,
  kind: LeaseKind,
  owner: string,
  end: LeaseEnd = {},
): Promise<boolean> {
  const { doc, table } = db();
  const { stamp, covered = [], digests } = end;
  const sets = [
    stamp && STAMP_SYNCED,
    digests && 'unit_digests = :digests, unit_digests_epoch = :epoch',
  ].filter(Boolean);
  try {
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.connection(connection.user_id, connection.provider),
        UpdateExpression: `${sets.length > 0 ? `SET ${sets.join(', ')} ` : ''}REMOVE ${kind}_lease_owner, ${kind}_lease_until${covered.length > 0 ? ' DELETE unannounced :covered' : ''}`,
        ConditionExpression: `${kind}_lease_owner = :owner`,
        ExpressionAttributeValues: {
          ':owner': owner,
          ...(stamp && { ':at': stamp }),
          ...(covered.length > 0 && { ':covered': new Set(covered) }),
          ...(digests && { ':digests': digests.units, ':epoch': digests.epoch }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

/**
 * Forgets the unit digests of a user's connections after a change to their stored data that no sync made (an event
 * deleted through the API): the next live sync saves every unit it pulls again, as it would have without digests
 * (and so writes back a provider's event within its window). It moves the connection's `digests_epoch` on, so the
 * digests of a run already holding the lease are forgotten too when it gives them back. Never fails the caller,
 * whose change is made: a connection not moved on is logged.
 */
export async function forgetDigests(userId: string): Promise<void> {
  const { doc, table } = db();
  for (const connection of await listConnections(userId)) {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.connection(userId, connection.provider),
          UpdateExpression: 'ADD digests_epoch :one',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) {
        logger.warn('unit digests not forgotten', { provider: connection.provider, error });
      }
    }
  }
}
